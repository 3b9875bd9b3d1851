"""How the apps are wired: one beat schedule (settings), receivers connected one way."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "diary", "inference", "music", "welfare", "moodsite"]

# Every periodic task, and how often beat sends it (seconds).
SCHEDULE = {
    "inference-recover-stuck-jobs": ("inference.tasks.analysis_recover_task", settings.INFERENCE_RECOVERY_INTERVAL),
    "welfare-evaluate-alerts": ("welfare.tasks.evaluate_alerts_task", 60 * 60),
    "diary-send-reminders": ("diary.reminders.tasks.send_reminders_task", settings.REMINDER_CHECK_INTERVAL),
    "music-recover-lost-work": ("music.tasks.music_recover_task", 5 * 60),
}


def _sources() -> list[Path]:
    return [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def test_it_schedules_every_periodic_task_from_settings_only():
    # given Celery's configuration, as beat reads it
    from moodsite.celery import app

    # then the schedule is settings' CELERY_BEAT_SCHEDULE, with every periodic task in it
    scheduled = {name: (entry["task"], entry["schedule"]) for name, entry in app.conf.beat_schedule.items()}
    assert scheduled == SCHEDULE
    # and no database schedule sits beside it
    assert app.conf.beat_scheduler == "celery.beat:PersistentScheduler"
    assert "django_celery_beat" not in settings.INSTALLED_APPS
    assert Path(app.conf.beat_schedule_filename).parent == Path(settings.VAR_DIR)


def test_every_scheduled_task_exists():
    from moodsite.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them
    missing = [entry["task"] for entry in app.conf.beat_schedule.values() if entry["task"] not in app.tasks]
    assert missing == []


def test_receivers_are_connected_with_receiver_in_signals_modules_only():
    # given the apps' code, then no module connects a receiver by hand, and receivers live in signals.py
    by_hand = [str(p.relative_to(ROOT)) for p in _sources() if re.search(r"\.connect\(", p.read_text())]
    elsewhere = [str(p.relative_to(ROOT)) for p in _sources()
                 if "@receiver(" in p.read_text() and p.name != "signals.py"]
    assert (by_hand, elsewhere) == ([], [])


def test_each_app_s_receivers_are_connected_once_the_apps_are_ready():
    # given the registry of receivers of the analysis pipeline's signal
    from diary.wellbeing.signals import crisis_signalled
    from inference.signals import analysis_done

    def names(signal) -> set[str]:
        sync, asynchronous = signal._live_receivers(sender=None)
        return {f"{r.__module__}.{r.__qualname__}" for r in [*sync, *asynchronous]}

    # then music, compositions, wellbeing and welfare all listen
    assert {
        "music.signals.recommendations_after_analysis",
        "music.compositions.signals.compose_after_analysis",
        "diary.wellbeing.signals.on_analysis_done",
        "welfare.signals.on_analysis_done",
    } <= names(analysis_done)
    assert "welfare.signals.on_crisis_signalled" in names(crisis_signalled)
