"""Celery entry points of the analysis pipeline (queue `inference`, see CELERY_TASK_ROUTES).

Tasks take ids and call a service; they are safe to run twice. The models load once per worker
process (worker_process_init) and stay loaded.
"""

import logging

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.db import InterfaceError, OperationalError

from inference import pipeline, reading, services

logger = logging.getLogger(__name__)

# Errors that go away by themselves: the GPU ran out of memory (the batch was handed back), or
# the database connection dropped. Anything else is a bug or a bad photo and is not retried.
TRANSIENT_ERRORS = (reading.TransientAnalysisError, OperationalError, InterfaceError)


@shared_task(
    bind=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, retry_backoff_max=60, retry_jitter=True,
    max_retries=5, acks_late=True, reject_on_worker_lost=True,
)
def analyse_entries_task(self, job_id: int | None = None) -> dict:
    """Claim `job_id` (if still pending) and up to a batch of other pending jobs; read and store them."""
    # In-process (no broker) the page is waiting: never hold it to gather a batch.
    max_wait = 0.0 if self.request.is_eager else None
    counts = pipeline.batch_run(first_id=job_id, max_wait=max_wait)
    if counts.get("claimed"):
        logger.info("analysis batch: %s", counts)
    return counts


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
    if _consumes_inference():
        reading.warm_up()
    _take_back_orphans()


@worker_ready.connect
def _worker_start(**kwargs) -> None:
    _take_back_orphans()


def _take_back_orphans() -> None:
    try:
        services.orphans_take_back()
    except Exception:  # a worker must start even if the database is not there yet
        logger.exception("Could not look for orphaned analysis jobs")
    finally:
        from django.db import connections

        connections.close_all()
