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


@shared_task(ignore_result=True)
def crisis_alert_task(signal_id: int) -> int:
    """Crisis help was shown: open the urgent alert and e-mail it now. Returns the alerts touched."""
    from diary.wellbeing.models import CrisisSignal
    from welfare.urgent import crisis_alert_raise

    signal = CrisisSignal.objects.filter(pk=signal_id, confirmed=True).values("owner_id", "source").first()
    if signal is None:
        return 0  # deleted with its entry or account in the meantime
    return len(crisis_alert_raise(owner_id=signal["owner_id"], source=signal["source"]))
