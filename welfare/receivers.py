"""Re-evaluate a client's alerts when their mood data changes (connected in WelfareConfig.ready)."""

from django.db.models import QuerySet

from accounts.models import User
from diary.models import Entry
from moodsite.tasking import send_after_commit
from welfare.models import Consent


def _evaluate_after_commit(owner_id: int) -> None:
    from welfare.tasks import evaluate_client_alerts_task

    # A broker outage must not turn the member's saved entry into an error page: the hourly
    # evaluation of every client (welfare-evaluate-alerts) catches up.
    send_after_commit(evaluate_client_alerts_task, owner_id)


def _sharing(clients: QuerySet) -> QuerySet:
    """Only clients who share with a centre have alerts; everyone else costs this one query."""
    return clients.filter(welfare_consents__status=Consent.Status.ACTIVE).values_list("pk", flat=True)


def on_analysis_done(sender, *, entry_id: int, status: str = "", **kwargs) -> None:
    # Called for every analysed entry, so one query: the entry's owner, if they share.
    owner_id = _sharing(User.objects.filter(entries__pk=entry_id)).first()
    if owner_id is not None:
        _evaluate_after_commit(owner_id)


def on_entry_saved(sender, *, instance: Entry, created: bool, raw: bool = False, **kwargs) -> None:
    # A new entry can end a "no entry" episode at once, before any analysis arrives.
    if created and not raw and _sharing(User.objects.filter(pk=instance.owner_id)).exists():
        _evaluate_after_commit(instance.owner_id)


def on_crisis_signalled(sender, *, signal_id: int, owner_id: int, **kwargs) -> None:
    # Sent after commit. Only members who share their checks with a centre cost more than this query.
    if Consent.objects.filter(client_id=owner_id, status=Consent.Status.ACTIVE, share_checks=True).exists():
        from welfare.tasks import crisis_alert_task

        crisis_alert_task.delay(signal_id)
