"""Urgent alerts: crisis help was shown to a client who shares their wellbeing checks.

Opened the moment the diary announces the signal (diary.wellbeing.signals.crisis_signalled, sent
after commit) and e-mailed at once, not with the periodic run. Like every alert e-mail it names no
one and says nothing about mood: the details stay behind two-factor sign-in.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from welfare.models import Alert, Consent
from welfare.selectors import consents_in_force

logger = logging.getLogger(__name__)


def crisis_alert_raise(*, owner_id: int, source: str) -> list[Alert]:
    """Open (or add to) the crisis alert of every consent in force with the wellbeing scope."""
    now = timezone.now()
    raised: list[Alert] = []
    consents = consents_in_force().filter(client_id=owner_id, share_checks=True).select_related("caseworker")
    for consent in consents:
        alert, is_new = _open_or_add(consent, source=source, now=now)
        if alert is None:
            continue
        raised.append(alert)
        if is_new:
            _notify(alert, consent)
    return raised


@transaction.atomic
def _open_or_add(consent: Consent, *, source: str, now) -> tuple[Alert | None, bool]:
    running = (
        Alert.objects.select_for_update()
        .filter(consent=consent, kind=Alert.Kind.CRISIS, cleared_at__isnull=True)
        .first()
    )
    if running is not None and running.status != Alert.Status.RESOLVED:
        # Still being handled: the caseworker already has the urgent alert and its e-mail.
        evidence = dict(running.evidence)
        evidence.update(signals=int(evidence.get("signals", 1)) + 1, last_at=now.isoformat(), source=source)
        running.evidence = evidence
        running.save(update_fields=["evidence"])
        return running, False
    if running is not None:
        # Resolved before: that episode is over, and this is a new one.
        Alert.objects.filter(pk=running.pk).update(cleared_at=now)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                consent=consent, kind=Alert.Kind.CRISIS, opened_at=now,
                evidence={"source": source, "signals": 1, "first_at": now.isoformat(), "last_at": now.isoformat()},
            )
    except IntegrityError:
        return None, False  # a concurrent signal opened it first; that one sends the e-mail
    return alert, True


def _notify(alert: Alert, consent: Consent) -> None:
    caseworker = consent.caseworker
    if caseworker is None or not caseworker.email:
        return  # the regular run e-mails whoever is assigned later (notified_at stays empty)
    if not Alert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
        return
    with translation.override(caseworker.language or settings.LANGUAGE_CODE):
        context = {
            "caseworker": caseworker,
            "url": settings.WELFARE_SITE_URL.rstrip("/") + reverse("welfare:client_detail", args=[consent.pk]),
        }
        subject = render_to_string("welfare/email/urgent_subject.txt", context).strip()
        body = render_to_string("welfare/email/urgent_message.txt", context)
    try:
        send_mail(subject, body, None, [caseworker.email])
    except OSError:
        # The alert is on the dashboard, marked urgent; let the periodic run try the e-mail again.
        Alert.objects.filter(pk=alert.pk).update(notified_at=None)
        logger.exception("Could not e-mail caseworker %s about an urgent alert", caseworker.pk)
