"""Celery entry points: they take ids and call welfare.evaluation."""

from celery import shared_task

from welfare.evaluation import alerts_evaluate


@shared_task(ignore_result=True)
def evaluate_alerts_task() -> dict:
    """The periodic run over every client in force (CELERY_BEAT_SCHEDULE, hourly)."""
    result = alerts_evaluate()
    return {
        "clients": result.clients,
        "opened": result.opened,
        "cleared": result.cleared,
        "emails": result.emails,
    }


@shared_task(ignore_result=True)
def evaluate_client_alerts_task(client_id: int) -> dict:
    """One client, after a new entry or a new analysis of one."""
    result = alerts_evaluate(client_ids=[client_id])
    return {
        "clients": result.clients,
        "opened": result.opened,
        "cleared": result.cleared,
        "emails": result.emails,
    }
