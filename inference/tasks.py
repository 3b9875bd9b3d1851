"""Celery entry points of the analysis pipeline (queue `inference`, see CELERY_TASK_ROUTES).

Tasks take ids and call a service; they are safe to run twice. The models load once per worker
process (worker_process_init) and stay loaded. The queue's states and failure paths: the
docstring of inference.pipeline.
"""

import logging
import time

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from inference import pipeline, reading, services

logger = logging.getLogger(__name__)

# Errors that go away by themselves: the GPU ran out of memory (the batch was handed back), or
# the database connection dropped. Anything else is a bug or a bad photo and is not retried.
TRANSIENT_ERRORS = (reading.TransientAnalysisError, OperationalError, InterfaceError)


# acks_late comes from settings. A pool process that dies mid-task is not answered by requeueing
# its message: the process started in its place takes the jobs back and sends tasks for them
# (see inference.pipeline), and a requeued message could not move a running job anyway.
@shared_task(
    bind=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, retry_backoff_max=60, retry_jitter=True,
    max_retries=5, reject_on_worker_lost=False,
)
def analyse_entries_task(self, job_id: int | None = None) -> dict:
    """Claim `job_id` (if still pending) and up to a batch of other pending jobs; read and store them.

    While full batches keep coming, read the next one at once (up to INFERENCE_TASK_MAX_BATCHES and
    INFERENCE_TASK_MAX_SECONDS) instead of going back to the broker between batches.
    """
    # In-process (no broker) the page is waiting: one batch, and never wait to fill it.
    eager = bool(self.request.is_eager)
    size = settings.INFERENCE_BATCH_SIZE
    deadline = time.monotonic() + settings.INFERENCE_TASK_MAX_SECONDS
    total: dict[str, int] = {}
    for round_ in range(1 if eager else max(1, settings.INFERENCE_TASK_MAX_BATCHES)):
        counts = pipeline.batch_run(first_id=job_id if round_ == 0 else None, size=size,
                                    max_wait=0.0 if eager else None)
        if counts.get("claimed"):
            logger.info("analysis batch: %s", counts)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if counts.get("claimed", 0) < size or time.monotonic() > deadline:
            break
    return total


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_jitter=True,
             max_retries=3)
def analysis_recover_task() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): re-send jobs stuck in pending or running."""
    counts = services.analysis_recover()
    if any(counts.values()):
        logger.warning("analysis recovery: %s", counts)
    return counts


def _consumes_inference() -> bool:
    """Whether this worker reads the inference queue (a `-Q default` worker needs no model)."""
    from celery import current_app

    selected = current_app.amqp.queues.consume_from
    return not selected or "inference" in selected


@worker_process_init.connect
def _worker_process_start(**kwargs) -> None:
    """Every pool process (prefork, and the solo pool's one) on start: load the models, then take
    back what dead processes on this host held: a restarted worker's, or the process this one
    replaces."""
    if _consumes_inference():
        reading.warm_up()
    try:
        services.orphans_take_back()
    except Exception:  # a worker must start even if the database is not there yet
        logger.exception("Could not look for orphaned analysis jobs")
    finally:
        from django.db import connections

        connections.close_all()
