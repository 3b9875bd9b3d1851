"""Writes to compositions. Views, the API, the signal receiver and the task call these."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Entry
from inference.selectors import entry_mood
from moodsite.tasking import send, send_after_commit
from music.compositions.mapping import MAX_DURATION_S, MIN_DURATION_S, target_point
from music.compositions.models import Composition

logger = logging.getLogger(__name__)

# Pieces kept per entry: the newest ones, plus any the person liked.
KEEP_PER_ENTRY = 5


def _daily_limit() -> int:
    return int(getattr(settings, "COMPOSITIONS_PER_DAY", 40))


def _stale_after() -> datetime.timedelta:
    """A running piece not touched for this long lost its worker (killed, restarted)."""
    return datetime.timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 180)) + 60)


def new_seed() -> int:
    return secrets.randbelow(2**31 - 1)


def _enqueue(composition: Composition) -> None:
    from music.compositions.tasks import compose_task

    send_after_commit(compose_task, composition.pk)


# A piece still pending this long after it was asked for has probably lost its message (the
# broker was down when it was sent): the recovery sends it again.
PENDING_STALE_AFTER = datetime.timedelta(minutes=2)


def composition_recover(*, now: datetime.datetime | None = None) -> int:
    """Send again the pieces nobody is making: pending for a while, or running with a dead worker.
    compose_task claims before working, so a piece sent twice is made once."""
    from music.compositions.tasks import compose_task

    now = now or timezone.now()
    lost = Composition.objects.filter(
        Q(status=Composition.Status.PENDING, updated_at__lt=now - PENDING_STALE_AFTER)
        | Q(status=Composition.Status.RUNNING, updated_at__lt=now - _stale_after())
    ).values_list("pk", flat=True)[:200]
    sent = 0
    for pk in lost:
        if not send(compose_task, pk):
            break  # the broker is still down: try again next time
        sent += 1
    return sent


def _prune(entry: Entry) -> None:
    """Keep the newest KEEP_PER_ENTRY pieces of an entry (and every liked one); files go too."""
    old = (
        Composition.objects.filter(entry=entry)
        .exclude(feedback=Composition.Feedback.LIKE)
        .order_by("-created_at", "-pk")[KEEP_PER_ENTRY:]
    )
    for composition in list(old):
        if composition.is_finished:
            composition.delete()


@transaction.atomic
def composition_request(
    *, owner: User, entry: Entry, target: str, duration_s: int, seed: int | None = None,
    origin: str = Composition.Origin.PERSON,
) -> Composition:
    """Ask for a piece that starts in the entry's mood and moves towards `target`.

    If a piece for this entry is already waiting or being composed, that one is returned
    instead of starting another (a double click does not cost a second render).
    """
    if entry.owner_id != owner.pk:
        raise ValidationError(_("This entry is not yours."))
    if target not in Composition.Target.values:
        raise ValidationError({"target": _("Choose calm, joyful, energised or match.")})
    if not MIN_DURATION_S <= int(duration_s) <= MAX_DURATION_S:
        raise ValidationError({"duration_s": _("A piece lasts from %(low)s to %(high)s seconds.")
                               % {"low": MIN_DURATION_S, "high": MAX_DURATION_S}})
    mood = entry_mood(entry=entry)
    if mood is None:
        raise ValidationError(_("Say how you feel in this entry first (or wait for its analysis): "
                                "the piece starts from your mood."))
    Entry.objects.select_for_update().filter(pk=entry.pk).first()  # one request per entry at a time
    busy = Composition.objects.filter(
        entry=entry, status__in=[Composition.Status.PENDING, Composition.Status.RUNNING]
    ).first()
    if busy is not None:
        return busy
    since = timezone.now() - datetime.timedelta(days=1)
    if Composition.objects.filter(owner=owner, created_at__gte=since).count() >= _daily_limit():
        raise ValidationError(_("You have asked for many pieces today. Please try again tomorrow."))
    start = (round(mood.valence, 4), round(mood.arousal, 4))
    goal = target_point(target, start)
    composition = Composition.objects.create(
        owner=owner, entry=entry, target=target, origin=origin,
        start_source=mood.source, start_emotion=mood.emotion,
        start_valence=start[0], start_arousal=start[1],
        target_valence=goal[0], target_arousal=goal[1],
        duration_s=int(duration_s), seed=new_seed() if seed is None else int(seed),
    )
    _prune(entry)
    _enqueue(composition)
    return composition


def composition_regenerate(*, composition: Composition) -> Composition:
    """A new piece with the same target and length, from the entry's mood now, with a new seed."""
    return composition_request(
        owner=composition.owner, entry=composition.entry, target=composition.target,
        duration_s=composition.duration_s,
    )


def composition_request_automatic(*, entry: Entry) -> Composition | None:
    """After an analysis: towards calm when the mood is unpleasant, else staying with it.
    Nothing new if the last automatic piece already starts from this mood."""
    mood = entry_mood(entry=entry)
    if mood is None:
        return None
    last = entry.compositions.filter(origin=Composition.Origin.AUTOMATIC).order_by("-created_at").first()
    if last and (last.start_valence, last.start_arousal) == (round(mood.valence, 4), round(mood.arousal, 4)):
        return None
    target = getattr(settings, "COMPOSE_AFTER_ANALYSIS_TARGET", "auto")
    if target == "auto":
        target = Composition.Target.CALM if mood.valence < 0 else Composition.Target.MATCH
    return composition_request(
        owner=entry.owner, entry=entry, target=target,
        duration_s=int(getattr(settings, "COMPOSE_AFTER_ANALYSIS_SECONDS", 60)),
        origin=Composition.Origin.AUTOMATIC,
    )


def composition_feedback(*, composition: Composition, value: str) -> Composition:
    """Record like / dislike ("" takes it back)."""
    if value not in ("", *Composition.Feedback.values):
        raise ValidationError({"feedback": _("Choose like or dislike.")})
    composition.feedback = value
    composition.feedback_at = timezone.now() if value else None
    composition.save(update_fields=["feedback", "feedback_at", "updated_at"])
    return composition


def composition_delete(*, composition: Composition) -> None:
    # Files go in the post_delete receiver (signals.py), which also covers account deletion.
    composition.delete()


# --- the work itself (run by the Celery task) ---------------------------------------------------

def _claim(composition_id: int) -> datetime.datetime | None:
    """Mark the piece as ours to make; returns the claim's time stamp, or None if not claimable."""
    now = timezone.now()
    claimable = Q(status=Composition.Status.PENDING) | Q(
        status=Composition.Status.RUNNING, updated_at__lt=now - _stale_after()
    )
    claimed = Composition.objects.filter(claimable, pk=composition_id).update(
        status=Composition.Status.RUNNING, progress=0, started_at=now, updated_at=now, error=""
    )
    return now if claimed else None


def _progress_reporter(composition_id: int):
    state = {"last": -1}

    def report(fraction: float) -> None:
        percent = int(min(99, max(0, fraction * 100)))
        if percent - state["last"] >= 5:
            state["last"] = percent
            Composition.objects.filter(pk=composition_id, status=Composition.Status.RUNNING).update(
                progress=percent, updated_at=timezone.now()
            )

    return report


def composition_run(*, composition_id: int) -> str:
    """Compose, render and store a piece. Returns "done", "failed" or why nothing was done."""
    from music.compositions.render import produce

    claimed_at = _claim(composition_id)
    if claimed_at is None:
        current = Composition.objects.filter(pk=composition_id).values_list("status", flat=True).first()
        return f"skipped ({current or 'deleted'})"
    composition = Composition.objects.get(pk=composition_id)
    try:
        result = produce(
            start=(composition.start_valence, composition.start_arousal),
            target=(composition.target_valence, composition.target_arousal),
            duration_s=composition.duration_s, seed=composition.seed, lift=composition.lift,
            progress=_progress_reporter(composition_id),
        )
    except Exception as error:  # noqa: BLE001 - any failure is shown as "failed", and logged
        logger.exception("Composition %s failed", composition_id)
        Composition.objects.filter(pk=composition_id, started_at=claimed_at).update(
            status=Composition.Status.FAILED, error=type(error).__name__[:200],
            finished_at=timezone.now(), updated_at=timezone.now(),
        )
        return "failed"
    storage = composition.audio.storage
    old = [f.name for f in (composition.audio, composition.audio_mp3, composition.midi) if f and f.name]
    composition.audio.save("piece.ogg", ContentFile(result.ogg), save=False)
    composition.audio_mp3.save("piece.mp3", ContentFile(result.mp3), save=False)
    composition.midi.save("piece.mid", ContentFile(result.midi), save=False)
    mine = Composition.objects.filter(pk=composition_id, status=Composition.Status.RUNNING, started_at=claimed_at)
    updated = mine.update(
        audio=composition.audio.name, audio_mp3=composition.audio_mp3.name, midi=composition.midi.name,
        params=result.params,
        status=Composition.Status.DONE, progress=100, finished_at=timezone.now(), updated_at=timezone.now(),
    )
    if not updated:  # deleted (or taken over) while we worked: leave no orphan files behind
        for name in (composition.audio.name, composition.audio_mp3.name, composition.midi.name):
            storage.delete(name)
        return "skipped (gone)"
    for name in old:
        storage.delete(name)
    return "done"
