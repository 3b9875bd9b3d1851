"""What an inference worker does: claim a batch of pending jobs (a guarded update, so two workers
never take the same job), read it (inference.reading) and store it (inference.storing).

Nothing here imports the models: the web processes import this module freely.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from inference import reading, reasons, storing
from inference.models import AnalysisJob
from inference.reading import TransientAnalysisError, batch_read, warm_up  # noqa: F401 - the worker's API
from inference.storing import batch_store, job_store  # noqa: F401 - the worker's API

logger = logging.getLogger(__name__)

Status = AnalysisJob.Status


# --- Claiming ------------------------------------------------------------------------------------


def worker_identity() -> str:
    """'host:pid' of this process: lets a restarted worker take back what a dead process held."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Batch:
    token: str
    jobs: list[AnalysisJob] = field(default_factory=list)


def _pending_ids(limit: int, first_id: int | None) -> list[int]:
    pending = AnalysisJob.objects.filter(status=Status.PENDING)
    ids = list(pending.order_by("priority", "requested_at", "id").values_list("id", flat=True)[:limit])
    if first_id is not None and first_id not in ids:
        ids = [first_id, *ids[: limit - 1]]
    return ids


def jobs_claim(*, limit: int, token: str, first_id: int | None = None) -> int:
    """Move up to `limit` pending jobs to running under `token`; returns how many this call took.

    The update is guarded by status=PENDING: when two workers pick the same candidates, the
    database lets only one of them move each row, and the other simply gets fewer (or none).
    """
    if limit <= 0:
        return 0
    ids = _pending_ids(limit, first_id)
    if not ids:
        return 0
    return AnalysisJob.objects.filter(status=Status.PENDING, id__in=ids).update(
        status=Status.RUNNING, claim_token=token, claimed_by=worker_identity(),
        claimed_at=timezone.now(), attempts=F("attempts") + 1, reason="",
    )


def batch_claim(*, size: int, first_id: int | None = None, max_wait: float = 0.0) -> Batch:
    """Claim up to `size` jobs; when fewer are pending, wait up to `max_wait` seconds for more to
    arrive, so a burst of uploads shares one forward pass."""
    token = uuid.uuid4().hex
    taken = jobs_claim(limit=size, token=token, first_id=first_id)
    if taken and taken < size and max_wait > 0:
        deadline = time.monotonic() + max_wait
        while taken < size and time.monotonic() < deadline:
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
            taken += jobs_claim(limit=size - taken, token=token)
    if not taken:
        return Batch(token)
    jobs = AnalysisJob.objects.filter(claim_token=token, status=Status.RUNNING).select_related("entry")
    return Batch(token, list(jobs.order_by("id")))


def batch_release(batch: Batch) -> int:
    """Put a batch's unfinished jobs back in the queue (their attempt still counts); a job that has
    had all its attempts fails, so a photo that always breaks the worker cannot loop for ever."""
    held = AnalysisJob.objects.filter(claim_token=batch.token, status=Status.RUNNING)
    held.filter(attempts__gte=settings.INFERENCE_MAX_ATTEMPTS).update(
        status=Status.FAILED, reason=reasons.TOO_MANY_ATTEMPTS, finished_at=timezone.now(),
        claim_token="", claimed_by="",
    )
    return held.update(status=Status.PENDING, claim_token="", claimed_by="", claimed_at=None)


# --- One batch, start to end ---------------------------------------------------------------------


def batch_run(*, first_id: int | None = None, size: int | None = None, max_wait: float | None = None) -> dict:
    """Claim a batch, read it, store it. Returns counts for the log."""
    size = settings.INFERENCE_BATCH_SIZE if size is None else size
    max_wait = settings.INFERENCE_BATCH_MAX_WAIT if max_wait is None else max_wait
    batch = batch_claim(size=size, first_id=first_id, max_wait=max_wait)
    if not batch.jobs:
        return {"claimed": 0}
    try:
        face_model = reading.face_model_version() if any(j.entry.photo for j in batch.jobs) else None
        text_model = reading.text_model_version() if any(j.entry.text.strip() for j in batch.jobs) else None
        outcomes = reading.batch_read(batch.jobs)
    except BaseException:
        # Out of memory, a lost database, a time limit: hand the jobs back for another try.
        _release_quietly(batch)
        raise
    counts: dict[str, int] = {"claimed": len(batch.jobs)}
    try:
        stored = storing.batch_store(batch=batch, outcomes=outcomes, face_model=face_model, text_model=text_model)
    except (OperationalError, InterfaceError):
        _release_quietly(batch)  # the database went away: the task retries later
        raise
    except Exception:
        logger.exception("Storing batch %s failed; storing its jobs one by one", batch.token)
        stored = _store_one_by_one(batch, outcomes, face_model, text_model)
    for job in batch.jobs:
        key = str(outcomes[job.pk].status) if job.pk in stored else "skipped"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _store_one_by_one(batch: Batch, outcomes: dict[int, reading.Outcome], face_model, text_model) -> set[int]:
    """So that one row the database refuses fails only its own job."""
    stored = set()
    for job in batch.jobs:
        outcome = outcomes[job.pk]
        try:
            if storing.job_store(job=job, token=batch.token, outcome=outcome,
                                 face_model=face_model if outcome.has_photo else None,
                                 text_model=text_model if job.entry.text.strip() else None):
                stored.add(job.pk)
        except Exception:
            logger.exception("Storing the analysis of job %s failed", job.pk)
            _job_fail(job, batch.token, reasons.UNEXPECTED)
    return stored


def _release_quietly(batch: Batch) -> None:
    try:
        batch_release(batch)
    except Exception:
        logger.exception("Could not release batch %s; recovery will take it back", batch.token)


def _job_fail(job: AnalysisJob, token: str, reason: str) -> None:
    AnalysisJob.objects.filter(pk=job.pk, status=Status.RUNNING, claim_token=token).update(
        status=Status.FAILED, reason=reason, finished_at=timezone.now(), claim_token="", claimed_by="",
    )
