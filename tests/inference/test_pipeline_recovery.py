"""Recovery: nothing is lost when a worker dies or a message goes missing."""

import datetime
import subprocess

import pytest
from django.utils import timezone

from inference import pipeline, services
from inference.models import AnalysisJob
from tests.factories import EntryFactory
from tests.inference.conftest import entry_with_photo

Status = AnalysisJob.Status


@pytest.fixture
def sent(monkeypatch):
    """The tasks the services send (not run: this is about what gets sent)."""
    calls: list = []
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: calls.append(job_id) or True)
    return calls


def job(owner, status=Status.PENDING, age=0, attempts=0, claimed_by="") -> AnalysisJob:
    then = timezone.now() - datetime.timedelta(seconds=age)
    return AnalysisJob.objects.create(
        entry=EntryFactory(owner=owner), status=status, requested_at=then, attempts=attempts,
        claimed_at=then if status == Status.RUNNING else None, claimed_by=claimed_by,
        claim_token="t" if status == Status.RUNNING else "",
    )


def a_dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_it_takes_back_jobs_stuck_running_past_the_timeout(member, settings, sent,
                                                           django_capture_on_commit_callbacks):
    settings.INFERENCE_RUNNING_STALE_AFTER = 60
    settings.INFERENCE_PENDING_STALE_AFTER = 30
    stuck = job(member, Status.RUNNING, age=120, attempts=1)
    busy = job(member, Status.RUNNING, age=10, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.analysis_recover()
    assert counts == {"taken_back": 1, "pending_resent": 1}
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == Status.PENDING and stuck.claim_token == "" and stuck.claimed_by == ""
    assert busy.status == Status.RUNNING
    assert sent == [None]


def test_it_gives_up_after_too_many_attempts_with_a_readable_reason(member, settings, sent,
                                                                    django_capture_on_commit_callbacks):
    settings.INFERENCE_RUNNING_STALE_AFTER = 60
    settings.INFERENCE_MAX_ATTEMPTS = 3
    poison = job(member, Status.RUNNING, age=120, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.analysis_recover()
    poison.refresh_from_db()
    assert poison.status == Status.FAILED and "interrupted several times" in poison.reason


def test_it_sends_old_pending_jobs_again_a_task_per_batch(member, settings, sent,
                                                         django_capture_on_commit_callbacks):
    # Given 20 jobs whose messages were lost long ago, and one just queued
    settings.INFERENCE_PENDING_STALE_AFTER = 30
    settings.INFERENCE_BATCH_SIZE = 8
    for _ in range(20):
        job(member, age=300)
    job(member, age=0)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.analysis_recover()
    # then three tasks go out (each claims a batch of 8), none for the fresh one
    assert counts["pending_resent"] == 20
    assert sent == [None, None, None]


def test_a_restarted_worker_takes_back_what_a_dead_process_on_its_machine_held(member, sent,
                                                                               django_capture_on_commit_callbacks):
    from inference.pipeline import worker_identity

    host = worker_identity().rsplit(":", 1)[0]
    orphan = job(member, Status.RUNNING, age=5, attempts=1, claimed_by=f"{host}:{a_dead_pid()}")
    alive = job(member, Status.RUNNING, age=5, attempts=1, claimed_by=worker_identity())
    elsewhere = job(member, Status.RUNNING, age=5, attempts=1, claimed_by="another-host:1")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.orphans_take_back() == 1
    for row in (orphan, alive, elsewhere):
        row.refresh_from_db()
    assert orphan.status == Status.PENDING
    assert alive.status == Status.RUNNING and elsewhere.status == Status.RUNNING
    assert sent == [None]


def test_saving_an_entry_while_the_broker_is_down_keeps_it_queued(member, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from diary import services as diary_services
    from inference import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.analyse_entries_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        entry = diary_services.entry_create(owner=member, text="Saved while Redis was down")
    assert AnalysisJob.objects.get(entry=entry).status == Status.PENDING


# --- Embedded mode (no broker, so no beat): the waiting page recovers ----------------------------


def stranded_entry(member, seconds_ago: int):
    """An entry whose reading began `seconds_ago` in a server process that then died."""
    entry = entry_with_photo(member)
    pipeline.batch_claim(size=4)
    then = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    AnalysisJob.objects.filter(entry=entry).update(requested_at=then, claimed_at=then,
                                                   claimed_by=f"gone:{a_dead_pid()}")
    return entry


def test_without_a_broker_the_waiting_page_reads_a_stranded_entry_again(
        owner_client, member, scripted_models, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.INFERENCE_RUNNING_STALE_AFTER = 60
    settings.INFERENCE_PENDING_STALE_AFTER = 30
    entry = stranded_entry(member, seconds_ago=120)
    url = f"/analysis/entries/{entry.pk}/status/"
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.get(url).json()["status"] != "running"
    assert AnalysisJob.objects.get(entry=entry).status == Status.DONE
    assert owner_client.get(url).json() | {"announcement": ""} == {
        "status": "done", "status_label": "done", "final": True, "announcement": ""}


def test_without_a_broker_an_app_polling_the_api_gets_a_stranded_entry_read_again(
        owner_client, member, scripted_models, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.INFERENCE_RUNNING_STALE_AFTER = 60
    entry = stranded_entry(member, seconds_ago=120)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(f"/api/v1/entries/{entry.pk}/analysis/")
    assert AnalysisJob.objects.get(entry=entry).status == Status.DONE
    assert owner_client.get(f"/api/v1/entries/{entry.pk}/analysis/").json()["status"] == "done"


@pytest.mark.parametrize("eager, stale_after", [
    (True, 600),  # embedded, but the reading is still within its time
    (False, 60),  # stale, but with a broker recovery is beat's job
], ids=["within-its-time", "with-a-broker"])
def test_a_reading_is_otherwise_left_alone(owner_client, member, scripted_models, settings, sent, eager, stale_after,
                                           django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    settings.INFERENCE_RUNNING_STALE_AFTER = stale_after
    entry = stranded_entry(member, seconds_ago=120)
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.get(f"/analysis/entries/{entry.pk}/status/").json()["status"] == "running"
    assert AnalysisJob.objects.get(entry=entry).status == Status.RUNNING
    assert sent == []
