"""Writes of the analysis pipeline: asking for an analysis, retrying, correcting, recovering.

What a worker does with a claimed batch lives in inference.pipeline.
"""

from __future__ import annotations

import logging
import math
import os
import socket
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diary.models import Entry
from diary.tracker.cache import mood_changed
from inference import reasons
from inference.models import AnalysisJob, AnalysisResult, Correction
from inference.pipeline import jobs_take_back
from inference.selectors import analysis_get_visible_to
from moodsite import tasking
from moodsite.emotions import EMOTIONS

logger = logging.getLogger(__name__)

Status = AnalysisJob.Status

_CLEARED_READING = {"ai_emotion": "", "ai_probabilities": None, "ai_valence": None, "ai_arousal": None,
                    "ai_confidence": None}


def enqueue(job_id: int | None = None) -> bool:
    """Send one analysis task (it claims `job_id` first, then up to a batch of others).

    Returns False when the broker cannot be reached; the job stays pending and is sent again
    by `analysis_recover`.
    """
    from inference.tasks import analyse_entries_task

    # The job stays pending (the person sees "queued") when the broker is down.
    return tasking.send(analyse_entries_task, job_id=job_id)


def _enqueue_batches(count: int) -> None:
    """Enough tasks for `count` pending jobs (each task claims a whole batch)."""
    for _task in range(math.ceil(count / max(1, settings.INFERENCE_BATCH_SIZE))):
        if not enqueue(None):
            return


def _reset(job: AnalysisJob, *, priority: int) -> None:
    now = timezone.now()
    AnalysisJob.objects.filter(pk=job.pk).update(
        status=Status.PENDING, reason="", attempts=0, priority=priority, claim_token="", claimed_by="",
        claimed_at=None, requested_at=now, finished_at=None,
    )
    job.refresh_from_db()


def analysis_request(*, entry: Entry) -> AnalysisJob:
    """The entry's photo or text changed: forget the old reading and queue a new one.

    Called inside the diary's write transaction; the task is sent only after it commits, so
    the worker always finds the saved entry.
    """
    job, created = AnalysisJob.objects.get_or_create(
        entry=entry, defaults={"status": Status.PENDING, "requested_at": timezone.now()}
    )
    if not created:
        _reset(job, priority=0)
        AnalysisJob.objects.filter(pk=job.pk).update(result=None)
        job.result = None
    # Old readings describe a photo or text that is no longer there.
    AnalysisResult.objects.filter(entry=entry).delete()
    Entry.objects.filter(pk=entry.pk).update(**_CLEARED_READING)
    mood_changed(owner_ids=[entry.owner_id])
    for name, value in _CLEARED_READING.items():
        setattr(entry, name, value)
    if not entry.photo and not entry.text.strip():
        # Nothing to read: no need to wake a worker.
        AnalysisJob.objects.filter(pk=job.pk).update(
            status=Status.NO_FACE, reason=reasons.NO_PHOTO_NO_WORDS, finished_at=timezone.now())
        job.refresh_from_db()
        transaction.on_commit(partial(_send_done, entry.pk, Status.NO_FACE.value))
        return job
    transaction.on_commit(partial(enqueue, job.pk))
    return job


def _send_done(entry_id: int, status: str) -> None:
    from inference.storing import _send_done as send

    send(entry_id, status)


class RetryRefused(Exception):
    """Only a failed analysis can be retried."""


@transaction.atomic
def analysis_retry(*, entry: Entry) -> AnalysisJob:
    job = AnalysisJob.objects.select_for_update().filter(entry=entry).first()
    if job is None:
        return analysis_request(entry=entry)
    if job.status != Status.FAILED:
        raise RetryRefused(_("Only an analysis that failed can be tried again."))
    _reset(job, priority=0)
    transaction.on_commit(partial(enqueue, job.pk))
    return job


@transaction.atomic
def analysis_requeue(*, entries: list[Entry]) -> int:
    """Queue entries again in the background (a new model), keeping their current reading on
    show until the new one lands. Entries already queued or running are left alone."""
    now = timezone.now()
    ids = [entry.pk for entry in entries]
    existing = set(AnalysisJob.objects.filter(entry_id__in=ids).values_list("entry_id", flat=True))
    AnalysisJob.objects.bulk_create([
        AnalysisJob(entry_id=entry_id, status=Status.PENDING, requested_at=now, priority=1)
        for entry_id in ids if entry_id not in existing
    ], ignore_conflicts=True)
    requeued = AnalysisJob.objects.filter(entry_id__in=existing).exclude(
        status__in=[Status.PENDING, Status.RUNNING]
    ).update(status=Status.PENDING, reason="", attempts=0, priority=1, claim_token="", claimed_by="",
             claimed_at=None, requested_at=now, finished_at=None)
    count = requeued + len(set(ids) - existing)
    transaction.on_commit(partial(_enqueue_batches, count))
    return count


# --- Corrections ---------------------------------------------------------------------------------


class CorrectionRefused(Exception):
    pass


def _top(probabilities: dict | None) -> str:
    if not probabilities:
        return ""
    return max(EMOTIONS, key=lambda name: probabilities.get(name, 0.0))


def _kind(result: AnalysisResult, emotion: str) -> str:
    if not result.emotion:
        return Correction.Kind.CHOSEN
    return Correction.Kind.CONFIRMED if emotion == result.emotion else Correction.Kind.CORRECTED


@transaction.atomic
def correction_set(*, entry: Entry, emotion: str) -> Correction:
    """The person answers "Is this right?": yes (the reading's own emotion), no and which one it
    is, or - when the reader could not tell - how they feel. Each answer is kept next to the
    prediction as a labelled example for retraining (inference.training_examples)."""
    if emotion not in EMOTIONS:
        raise CorrectionRefused(_("Please choose one of the seven emotions."))
    job = AnalysisJob.objects.filter(entry=entry).select_related("result").first()
    result = job.result if job is not None else None
    if result is None:
        raise CorrectionRefused(
            _("There is no reading to correct yet. Please wait until the entry has been read."))
    correction, _created = Correction.objects.update_or_create(
        entry=entry,
        defaults={
            "result": result,
            "kind": _kind(result, emotion),
            "predicted_emotion": result.emotion,
            "predicted_source": result.source,
            "predicted_face_emotion": _top(result.face_probabilities),
            "predicted_text_emotion": _top(result.text_probabilities),
            "predicted_confidence": result.confidence,
            "predicted_abstained": result.abstained,
            "predicted_abstain_reason": result.abstain_reason,
            "model_key": result.model_key,
            "corrected_emotion": emotion,
        },
    )
    # The answer is also how the person says they felt: the tracker's "my own choice", and what
    # music and compositions follow from now on.
    Entry.objects.filter(pk=entry.pk).update(self_mood=emotion)
    mood_changed(owner_ids=[entry.owner_id])
    entry.self_mood = emotion
    return correction


@transaction.atomic
def correction_delete(*, entry: Entry) -> None:
    Correction.objects.filter(entry=entry).delete()


# --- Recovery ------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped by its parent is a zombie: dead for our purpose
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@transaction.atomic
def orphans_take_back() -> int:
    """Jobs held by a dead worker process on this machine: back to the queue at once.

    Runs when a worker (or a pool process) starts, so a worker restarted after SIGKILL picks up
    what its previous life was holding without waiting for the stale timeout.
    """
    prefix = f"{socket.gethostname()}:"
    running = AnalysisJob.objects.filter(status=Status.RUNNING, claimed_by__startswith=prefix)
    dead = [
        (pk, token) for pk, holder, token in running.values_list("pk", "claimed_by", "claim_token")
        if not _pid_alive(int(holder.rsplit(":", 1)[1] or 0))
    ]
    taken = 0
    for pk, token in dead:
        taken += jobs_take_back(AnalysisJob.objects.filter(pk=pk, status=Status.RUNNING, claim_token=token))
    if taken:
        logger.warning("Took back %d analysis jobs from dead worker processes on %s", taken, prefix[:-1])
        transaction.on_commit(partial(_enqueue_batches, taken))
    return taken


def _stale_cutoffs():
    """(running, pending): a job claimed before the first, or requested before the second and
    still waiting, is stale."""
    now = timezone.now()
    return (now - timedelta(seconds=settings.INFERENCE_RUNNING_STALE_AFTER),
            now - timedelta(seconds=settings.INFERENCE_PENDING_STALE_AFTER))


@transaction.atomic
def analysis_recover() -> dict[str, int]:
    """The periodic safety net: jobs stuck running (worker lost) go back to the queue, and jobs
    pending for too long (their message was lost, e.g. Redis restarted) are sent again."""
    running_cutoff, pending_cutoff = _stale_cutoffs()
    stale_running = AnalysisJob.objects.filter(status=Status.RUNNING, claimed_at__lt=running_cutoff)
    taken_back = jobs_take_back(stale_running)
    stale_pending = AnalysisJob.objects.filter(status=Status.PENDING, requested_at__lt=pending_cutoff).count()
    # Sending more than needed is harmless (a task that finds nothing pending returns at once),
    # but a huge backlog does not need thousands of extra messages every minute.
    # (Jobs just taken back were requested before the cutoff too, so they are in stale_pending.)
    resend = min(stale_pending, settings.INFERENCE_BATCH_SIZE * settings.INFERENCE_RECOVERY_MAX_TASKS)
    if resend:
        transaction.on_commit(partial(_enqueue_batches, resend))
    return {"taken_back": taken_back, "pending_resent": stale_pending}


def recover_if_stranded(*, job: AnalysisJob | None) -> bool:
    """Embedded mode (no broker) has no beat to run `analysis_recover`: a job left behind when the
    process reading it died (the server was stopped mid-analysis) would say "analysing" for ever.
    The page waiting on it runs the recovery instead, once the job is as stale as beat would
    need. Returns whether it did (the job has then been read again, in this request)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER or job is None:
        return False
    running_cutoff, pending_cutoff = _stale_cutoffs()
    stranded = (
        job.status == Status.RUNNING and job.claimed_at is not None and job.claimed_at < running_cutoff
    ) or (job.status == Status.PENDING and job.requested_at < pending_cutoff)
    if stranded:
        logger.warning("analysis job=%s was stranded (%s); recovering in-process", job.pk, job.status)
        analysis_recover()
    return stranded


def analysis_get_polled(*, user, entry_id: int):
    """The owner's analysis for whatever polls it (the page, the API): a stranded job is recovered
    first (embedded mode, see `recover_if_stranded`), so the answer is never "analysing" for ever."""
    analysis = analysis_get_visible_to(user=user, entry_id=entry_id)
    if recover_if_stranded(job=analysis.job):
        analysis = analysis_get_visible_to(user=user, entry_id=entry_id)
    return analysis
