"""Re-evaluate a client's alerts when their mood data changes (connected in WelfareConfig.ready)."""

from django.db import transaction

from diary.models import Entry
from welfare.models import Consent


def _evaluate_after_commit(owner_id: int) -> None:
    # Only clients who share with a centre have alerts; everyone else costs this one query.
    if not Consent.objects.filter(client_id=owner_id, status=Consent.Status.ACTIVE).exists():
        return
    from welfare.tasks import evaluate_client_alerts_task

    transaction.on_commit(lambda: evaluate_client_alerts_task.delay(owner_id))


def on_analysis_done(sender, *, entry_id: int, status: str = "", **kwargs) -> None:
    owner_id = Entry.objects.filter(pk=entry_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:
        _evaluate_after_commit(owner_id)


def on_entry_saved(sender, *, instance: Entry, created: bool, raw: bool = False, **kwargs) -> None:
    # A new entry can end a "no entry" episode at once, before any analysis arrives.
    if created and not raw:
        _evaluate_after_commit(instance.owner_id)
