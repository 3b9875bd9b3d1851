"""The analysis queue: claiming a batch of jobs, reading it (inference.reading), storing it
(inference.storing), and how no job is lost or stored twice.

The state lives in the database, one AnalysisJob row per entry; a Celery message only says "look
for work" (with at most the id of a job to take first). Every move below is one guarded UPDATE
(`filter(status=..., claim_token=...).update(...)`), so it happens once however many try.

    saved/edited ──► PENDING ──claim──► RUNNING ──store──► DONE | NO_FACE | FAILED
                        ▲                  │
                        └─── take back ────┘  (FAILED instead once out of attempts)

Who moves a job:
  -> pending   services.analysis_request (entry saved, photo or text changed: from any state),
               analysis_retry (failed), analysis_requeue (new model); a task is sent after commit.
  claim        jobs_claim, in a worker: PENDING -> RUNNING with a fresh claim_token, claimed_by
               "host:pid", claimed_at, attempts + 1. Two workers never get the same row.
  store        storing.batch_store / job_store: only the jobs still RUNNING under this batch's
               token, in the transaction that writes the result. A job re-requested or taken
               back meanwhile is left alone, so nothing is stored twice.
  take back    jobs_take_back: RUNNING -> PENDING (the attempt counts), or FAILED ("interrupted
               several times") at INFERENCE_MAX_ATTEMPTS, so a photo that kills the worker cannot
               loop. Used by every path below.

Failure paths (tests in tests/inference: test_worker_integration, test_pipeline_recovery,
test_pipeline_lifecycle):
  error inside the worker   (out of memory, database lost, soft time limit): batch_run hands
               the batch back at once; named transient errors retry the task with backoff.
  SIGKILL mid-batch, dead worker PID   (a whole worker, or only its pool process): the jobs
               stay RUNNING under a dead pid. Every pool process that starts (worker_process_init:
               the restarted worker's, or the one Celery starts in place of a dead one) runs
               services.orphans_take_back: jobs held by dead processes on its own host (os.kill(pid,
               0); a zombie not yet reaped counts as dead) are taken back and tasks sent for them.
               (CELERY_WORKER_PROC_ALIVE_TIMEOUT leaves a replacement the time to load the models.)
  worker gone for good   beat's analysis_recover_task takes back jobs RUNNING for longer than
               INFERENCE_RUNNING_STALE_AFTER (the hard time limit + 60 s).
  Redis down when a web process enqueues   moodsite.tasking.send gives up after two quick tries
               and logs it; the entry is saved, its job PENDING ("queued"), the page does not hang.
  Redis restart (queued messages lost), or any lost message   beat's recovery re-sends tasks for
               jobs PENDING for longer than INFERENCE_PENDING_STALE_AFTER (a batch per task,
               capped per run); workers and beat reconnect by themselves.
  embedded mode   (CELERY_TASK_ALWAYS_EAGER: no broker, no beat): the page or API polling a stale
               job runs the same recovery in the request (services.recover_if_stranded).

What Celery adds: acks_late (settings) keeps a message unacknowledged until its task ends, so a
worker holds one message per pool process. Celery's own redelivery does not move jobs: a message
sent twice, or redelivered, finds its job claimed and claims other pending ones or returns at
once. The analysis task therefore does not ask for the requeue of a lost pool process's message
(reject_on_worker_lost=False): its replacement's take-back re-sends the work
(test_a_pool_process_killed_mid_batch_is_replaced_and_its_batch_taken_back). A process killed in
the milliseconds between taking its message and its claim leaves that job pending: the next
batch or beat's pending re-send reads it.

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


def jobs_take_back(running) -> int:
    """Put running jobs (a queryset guarded by status=RUNNING) back in the queue, their attempt
    still counting; a job that has had all its attempts fails, so a photo that always breaks the
    worker cannot loop for ever. Returns how many went back to pending."""
    gave_up = running.filter(attempts__gte=settings.INFERENCE_MAX_ATTEMPTS).update(
        status=Status.FAILED, reason=reasons.TOO_MANY_ATTEMPTS, finished_at=timezone.now(),
        claim_token="", claimed_by="",
    )
    if gave_up:
        logger.warning("Gave up on %d analysis jobs after %d attempts", gave_up, settings.INFERENCE_MAX_ATTEMPTS)
    return running.filter(attempts__lt=settings.INFERENCE_MAX_ATTEMPTS).update(
        status=Status.PENDING, claim_token="", claimed_by="", claimed_at=None,
    )


def batch_release(batch: Batch) -> int:
    """Put a batch's unfinished jobs back in the queue (jobs_take_back)."""
    return jobs_take_back(AnalysisJob.objects.filter(claim_token=batch.token, status=Status.RUNNING))


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
