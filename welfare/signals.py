"""Signal receivers (imported by WelfareConfig.ready): re-evaluate a client's alerts when their mood
data changes, raise an urgent alert on a crisis signal, and count a just-activated authenticator as
this session's second factor."""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from diary.models import Entry
from diary.wellbeing.signals import crisis_signalled
from inference.signals import analysis_done
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


@receiver(analysis_done, dispatch_uid="welfare.analysis_done")
def on_analysis_done(sender, *, entry_id: int, status: str = "", **kwargs) -> None:
    # Called for every analysed entry, so one query: the entry's owner, if they share.
    owner_id = _sharing(User.objects.filter(entries__pk=entry_id)).first()
    if owner_id is not None:
        _evaluate_after_commit(owner_id)


@receiver(post_save, sender=Entry, dispatch_uid="welfare.entry_saved")
def on_entry_saved(sender, *, instance: Entry, created: bool, raw: bool = False, **kwargs) -> None:
    # A new entry can end a "no entry" episode at once, before any analysis arrives.
    if created and not raw and _sharing(User.objects.filter(pk=instance.owner_id)).exists():
        _evaluate_after_commit(instance.owner_id)


@receiver(crisis_signalled, dispatch_uid="welfare.crisis_signalled")
def on_crisis_signalled(sender, *, signal_id: int, owner_id: int, **kwargs) -> None:
    # Sent after commit. Only members who share their checks with a centre cost more than this query.
    if Consent.objects.filter(client_id=owner_id, status=Consent.Status.ACTIVE, share_checks=True).exists():
        from welfare.tasks import crisis_alert_task

        crisis_alert_task.delay(signal_id)


@receiver(authenticator_added, dispatch_uid="welfare.mfa_activated")
def record_second_factor_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Typing the first code to switch the authenticator on proves the second factor for this
    session, as a code at sign-in would: without this the dashboard asked for another code at once.

    (allauth keeps these records in the session; record_authentication is how it writes them.)
    """
    from allauth.account.internal.flows.login import record_authentication

    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
