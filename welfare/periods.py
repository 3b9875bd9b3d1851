"""The periods in which a client's consent did not cover a scope, which caseworkers never see.

A consent covers "mood" (scores, activity, trends, alerts) while it is given, "text" while it
is given with the text box ticked, and "checks" (wellbeing check results) while it is given with
that box ticked. When a member withdraws (or unticks the text box) and later
consents again, what they wrote in between stays theirs alone, for good: every caseworker read
(dashboard, client page, charts, sparklines, statistics, alerts, entry text, the API) leaves out
the entries of those gaps. The gaps are worked out from the permanent ConsentEvent record.

An entry belongs to a gap when it was written during it (created_at), or when it is about a day
that lies wholly inside it (a day written about later, once sharing had started again). History
from before the first consent is covered by that consent (the consent text shows trends against
the member's usual mood), so it is not a gap.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from welfare.models import Consent, ConsentEvent

MOOD = "mood"
TEXT = "text"
CHECKS = "checks"
_OPEN_END = datetime.datetime.max.replace(tzinfo=datetime.UTC) - datetime.timedelta(days=2)


@dataclass(frozen=True)
class Gap:
    client_id: int
    start: datetime.datetime
    end: datetime.datetime | None  # None: not covered again yet
    zone: ZoneInfo

    @property
    def until(self) -> datetime.datetime:
        return self.end or _OPEN_END

    @property
    def inner_days(self) -> tuple[datetime.date, datetime.date]:
        """(first, last) day wholly inside the gap, in the client's zone (first > last: none)."""
        first = timezone.localtime(self.start, self.zone).date() + datetime.timedelta(days=1)
        last = (
            datetime.date.max
            if self.end is None
            else timezone.localtime(self.end, self.zone).date() - datetime.timedelta(days=1)
        )
        return first, last


def _covers(action: str, shares: dict[str, bool], scope: str) -> bool:
    if action == ConsentEvent.Action.WITHDRAWN or not shares[MOOD]:
        return False
    return shares[scope]


def consent_gaps(*, consents: Iterable[Consent] | QuerySet[Consent], scope: str) -> list[Gap]:
    """The gaps of these consents (a list, or a queryset used as a subquery), in one query."""
    if isinstance(consents, QuerySet):
        ids = consents.values("pk")
    else:
        ids = [consent.pk for consent in consents]
        if not ids:
            return []
    events = (
        ConsentEvent.objects.filter(consent__in=ids)
        .order_by("consent_id", "at", "pk")
        .values_list("consent_id", "consent__client_id", "consent__client__time_zone", "action", "share_mood",
                     "share_text", "share_checks", "at")
    )
    gaps: list[Gap] = []
    # consent id -> (covered now?, start of the current gap, client id, zone)
    state: dict[int, tuple[bool, datetime.datetime | None, int, str]] = {}
    for consent_id, client_id, zone, action, share_mood, share_text, share_checks, at in events:
        covered, start, _client, _zone = state.get(consent_id, (False, None, client_id, zone))
        shares = {MOOD: share_mood, TEXT: share_text, CHECKS: share_checks}
        now_covered = _covers(action, shares, scope)
        if covered and not now_covered:
            start = at
        elif not covered and now_covered and start is not None:
            gaps.append(Gap(client_id, start, at, ZoneInfo(zone)))
            start = None
        state[consent_id] = (now_covered, start, client_id, zone)
    for covered, start, client_id, zone in state.values():
        if not covered and start is not None:
            gaps.append(Gap(client_id, start, None, ZoneInfo(zone)))
    return gaps


def hidden_q(gaps: Iterable[Gap], *, prefix: str = "") -> Q:
    """Entries (at `prefix`, e.g. "entries__") that fall in any of the gaps. Q(pk__in=[]) when none."""
    hidden = Q(**{f"{prefix}pk__in": []})
    for gap in gaps:
        first, last = gap.inner_days
        during = Q(**{f"{prefix}created_at__gte": gap.start, f"{prefix}created_at__lt": gap.until})
        if first <= last:
            during |= Q(**{f"{prefix}day__gte": first, f"{prefix}day__lte": last})
        hidden |= Q(**{f"{prefix}owner_id": gap.client_id}) & during
    return hidden


def hidden_sql(gaps: list[Gap]) -> tuple[str, dict[str, object]]:
    """The same condition for welfare.stats' hand-written query: (" AND NOT (...)", params)."""
    if not gaps:
        return "", {}
    ops = connection.ops
    parts, params = [], {}
    for i, gap in enumerate(gaps):
        first, last = gap.inner_days
        params.update({
            f"g{i}o": gap.client_id,
            f"g{i}s": ops.adapt_datetimefield_value(gap.start),
            f"g{i}e": ops.adapt_datetimefield_value(gap.until),
            f"g{i}f": first.isoformat(),
            f"g{i}l": min(last, datetime.date(9999, 12, 30)).isoformat(),
        })
        parts.append(
            f"(owner_id = %(g{i}o)s AND ((created_at >= %(g{i}s)s AND created_at < %(g{i}e)s)"
            f" OR (day >= %(g{i}f)s AND day <= %(g{i}l)s)))"
        )
    return " AND NOT (" + " OR ".join(parts) + ")", params
