"""Alert evaluation for many clients at once, in a handful of set-based queries per batch.

For each batch of consents in force: one grouped aggregate over their entries (welfare.stats),
one read of the alerts whose episode is still running, one INSERT for new episodes and two
UPDATEs for episodes that ended. Safe to run twice at the same time: the partial unique
constraint lets only one alert per episode in, and e-mails are claimed with a guarded UPDATE.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from diary.wellbeing.selectors import latest_for_owners
from welfare import rules
from welfare.models import Alert, Consent
from welfare.periods import CHECKS, MOOD, consent_gaps, hidden_q
from welfare.selectors import consents_in_force
from welfare.stats import mood_stats

logger = logging.getLogger(__name__)

# Clients per grouped query. 2,000 keeps the IN list and the 134k-row (2,000 × 67 days) scan of
# one query well inside a second on PostgreSQL; bench/welfare.py measures the whole run.
BATCH_SIZE = 2000


@dataclass
class EvaluationResult:
    clients: int = 0
    opened: int = 0
    cleared: int = 0
    emails: int = 0


def alerts_evaluate(
    *, client_ids: list[int] | None = None, now: datetime.datetime | None = None, notify: bool = True
) -> EvaluationResult:
    """Evaluate every rule for the given clients (all clients in force when None)."""
    now = now or timezone.now()
    consents = consents_in_force().select_related("organisation", "client").order_by("pk")
    if client_ids is not None:
        consents = consents.filter(client_id__in=client_ids)
    result = EvaluationResult()
    batch: list[Consent] = []
    for consent in consents.iterator(chunk_size=BATCH_SIZE):
        batch.append(consent)
        if len(batch) >= BATCH_SIZE:
            _evaluate_batch(batch, now, result)
            batch = []
    if batch:
        _evaluate_batch(batch, now, result)
    if notify:
        result.emails = alerts_notify(now=now)
    return result


def _evaluate_batch(consents: list[Consent], now: datetime.datetime, result: EvaluationResult) -> None:
    result.clients += len(consents)
    by_zone: dict[str, list[Consent]] = {}
    for consent in consents:
        by_zone.setdefault(consent.client.time_zone, []).append(consent)
    running = {
        (consent_id, kind): pk
        for pk, consent_id, kind in Alert.objects.filter(
            consent__in=[c.pk for c in consents], cleared_at__isnull=True
        ).values_list("pk", "consent_id", "kind")
    }
    holds: dict[tuple[int, str], dict] = {}
    for group in by_zone.values():
        zone = group[0].client.zone
        today = timezone.localtime(now, zone).date()
        stats = mood_stats(owners=sorted({c.client_id for c in group}), today=today,
                           hidden=consent_gaps(consents=group, scope=MOOD))
        sharing = [c for c in group if c.share_checks]
        checks = latest_for_owners(owner_ids=[c.client_id for c in sharing], today=today,
                                   hidden=hidden_q(consent_gaps(consents=sharing, scope=CHECKS)))
        for consent in group:
            since = timezone.localtime(consent.granted_at, zone).date()
            open_kinds = frozenset(kind for kind in Alert.Kind if (consent.pk, kind) in running)
            found = rules.evaluate(
                stats[consent.client_id], consent.organisation, since=since, today=today, running=open_kinds
            )
            if consent.share_checks:
                found[Alert.Kind.SELF_CHECK] = rules.self_check(checks.get(consent.client_id))
            for kind, evidence in found.items():
                if evidence is not None:
                    holds[(consent.pk, kind)] = evidence
    new = [
        Alert(consent_id=consent_id, kind=kind, evidence=evidence, opened_at=now)
        for (consent_id, kind), evidence in holds.items()
        if (consent_id, kind) not in running
    ]
    # Crisis alerts are opened by the event (welfare.urgent) and end when resolved, or when the
    # client stops sharing their wellbeing checks.
    shares_checks = {c.pk for c in consents if c.share_checks}
    ended = [
        pk for (consent_id, kind), pk in running.items()
        if (consent_id, kind) not in holds and (kind not in rules.EVENT_KINDS or consent_id not in shares_checks)
    ]
    with transaction.atomic():
        if new:
            # ignore_conflicts: a concurrent run that opened the same episode first wins.
            Alert.objects.bulk_create(new, ignore_conflicts=True)
        if ended:
            Alert.objects.filter(pk__in=ended, cleared_at__isnull=True).exclude(status=Alert.Status.RESOLVED).update(
                status=Alert.Status.RESOLVED, resolved_at=now, resolved_automatically=True
            )
            Alert.objects.filter(pk__in=ended, cleared_at__isnull=True).update(cleared_at=now)
    result.opened += len(new)
    result.cleared += len(ended)


def alerts_notify(*, now: datetime.datetime | None = None) -> int:
    """E-mail each caseworker once about their clients' new alerts; returns the e-mails sent.

    The e-mail says only that there are new alerts: no names, no moods. Mail is not protected by
    two-factor sign-in, so the details stay behind it.
    """
    now = now or timezone.now()
    pending = Alert.objects.filter(
        notified_at__isnull=True,
        status=Alert.Status.OPEN,
        consent__in=consents_in_force(),
        consent__caseworker__isnull=False,
    ).values_list("pk", "consent__caseworker")
    by_caseworker: dict[int, list[int]] = {}
    for pk, caseworker_id in pending:
        by_caseworker.setdefault(caseworker_id, []).append(pk)
    sent = 0
    caseworkers = User.objects.in_bulk(list(by_caseworker))
    for caseworker_id, alert_ids in by_caseworker.items():
        # Claim first, so that two runs never send the same news twice.
        claimed = Alert.objects.filter(pk__in=alert_ids, notified_at__isnull=True).update(notified_at=now)
        caseworker = caseworkers.get(caseworker_id)
        if not claimed or caseworker is None or not caseworker.email:
            continue
        _send_alert_mail(caseworker, claimed)
        sent += 1
    return sent


def _send_alert_mail(caseworker: User, count: int) -> None:
    with translation.override(caseworker.language or settings.LANGUAGE_CODE):
        context = {
            "caseworker": caseworker,
            "count": count,
            "url": settings.WELFARE_SITE_URL.rstrip("/") + reverse("welfare:dashboard"),
        }
        subject = render_to_string("welfare/email/alerts_subject.txt", context).strip()
        body = render_to_string("welfare/email/alerts_message.txt", context)
    try:
        send_mail(subject, body, None, [caseworker.email])
    except OSError:
        # The alert stays on the dashboard; a mail server that is down must not stop evaluation.
        logger.exception("Could not e-mail caseworker %s about %s new alerts", caseworker.pk, count)
