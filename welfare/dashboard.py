"""The dashboard's order: which clients a page (or the API's client list) shows, without building
every client's row.

Sorting and filtering need every client's risk, change and last entry; drawing needs only the
page's 50. The order (for each sort, each client's consent id and risk) is therefore cached under
a digest of everything it is computed from — each client's mood_version, name, time zone and
consent, the centres' rules, the unresolved and running alerts, the consent gaps, each zone's
today — read with a few narrow queries (tuples, not model objects). Any change to any of them is
a new digest, so a page is never ordered or drawn from figures from before it. After a change a
view builds only its own rows (selectors.dashboard_rows for those ids, their figures from
welfare.figures' cache); when nothing changed it draws nothing (the drawn page is cached too).
"""

import datetime
import functools
import hashlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import User
from welfare import selectors
from welfare.models import Alert, Consent, ConsentEvent, Organisation
from welfare.periods import MOOD, Gap, consent_gaps

TIMEOUT_SECONDS = 60 * 60
# Part of the digest: bump it when the rules, the sorts or the cached value change shape.
SHAPE = 3


def _digest(user: User, now: datetime.datetime) -> str:
    """A digest of every input of the caseload's order and rows. Times are read as text (parsing
    a thousand datetimes was a third of a repeated view); consent events are only ever added, so
    their count and newest id stand for the gaps they make."""
    visible = selectors.consent_list_visible_to(user=user)
    consents = list(visible.order_by("pk").values_list(
        "pk", "client_id", "client__mood_version", "client__display_name", "client__email", "client__time_zone",
        "share_checks", Cast("granted_at", CharField()), "organisation_id"))
    alerts = list(Alert.objects.filter(
        Q(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]) | Q(cleared_at__isnull=True),
        consent__in=visible.values("pk"),
    ).order_by("pk").values_list("pk", "consent_id", "kind", "status", Cast("cleared_at", CharField())))
    centres = list(Organisation.objects.filter(pk__in={row[8] for row in consents}).order_by("pk").values_list())
    events = ConsentEvent.objects.filter(consent__in=visible.values("pk")).aggregate(n=Count("pk"), last=Max("pk"))
    zones = sorted({row[5] for row in consents})
    todays = [(zone, timezone.localtime(now, zoneinfo.ZoneInfo(zone)).date()) for zone in zones]
    horizon = timezone.localtime(now, user.zone).date()
    text = repr((SHAPE, user.pk, consents, alerts, centres, events, todays, horizon))
    return hashlib.sha256(text.encode()).hexdigest()


def _orders(user: User, digest: str, now: datetime.datetime, gaps: Callable[[], list[Gap]],
            ) -> tuple[dict[str, list[tuple[int, str]]], dict[int, selectors.ClientSummary]]:
    """For each sort, every client's (consent id, risk label) in that order; and, when they had to
    be built for it, every client's row by consent id (empty when the order came from the cache)."""
    key = f"welfare:order:{user.pk}:{digest}"
    orders = cache.get(key)
    if orders is not None:
        return orders, {}
    rows = selectors.dashboard_rows(user=user, now=now, gaps=gaps())
    orders = {name: [(row.consent.pk, row.risk_label) for row in sorted(rows, key=sort)]
              for name, sort in selectors.SORTS.items()}
    cache.set(key, orders, TIMEOUT_SECONDS)
    return orders, {row.consent.pk: row for row in rows}


@dataclass
class Caseload:
    digest: str  # of every input of the order and the rows (the drawn page's cache key has it)
    order: list[int]  # consent ids in the sort's order, filtered by risk
    rows: Callable[[list[int]], list[selectors.ClientSummary]]  # those consents' rows, with sparklines


def caseload(*, user: User, risk: str, sort: str, now: datetime.datetime | None = None) -> Caseload:
    """The caseload sorted by `sort` (by risk when it is not one of selectors.SORTS) and filtered
    by `risk`, from the cached order; `rows` builds only the rows asked for (or takes them from
    the rows the order was just built from). The dashboard page and the API's client list share it."""
    now = now or timezone.now()
    digest = _digest(user, now)

    @functools.cache
    def gaps() -> list[Gap]:
        # The caseload's consent gaps (welfare.periods): read once, and only to build what is not cached.
        return consent_gaps(consents=selectors.consent_list_visible_to(user=user), scope=MOOD)

    orders, built = _orders(user, digest, now, gaps)
    order = [pk for pk, label in orders.get(sort, orders["risk"]) if not risk or label == risk]

    def rows(ids: list[int]) -> list[selectors.ClientSummary]:
        have = built or {row.consent.pk: row
                         for row in selectors.dashboard_rows(user=user, now=now, consent_ids=ids, gaps=gaps())}
        return selectors.with_sparklines([have[pk] for pk in ids if pk in have], gaps())

    return Caseload(digest=digest, order=order, rows=rows)


@dataclass
class DashboardPage:
    page: DjangoPage  # of consent ids
    lines: str  # the page's table rows, as `draw` drew them
    shown: list[Consent]  # the page's consents (pk, client_id, organisation_id: for the access log)


def dashboard_page(
    *, user: User, risk: str, sort: str, number: str | None, per_page: int,
    draw: Callable[[list[selectors.ClientSummary]], str], now: datetime.datetime | None = None,
) -> DashboardPage:
    """Page `number` (Paginator.get_page's reading of it) of the caseload sorted by `sort` and
    filtered by `risk` over all the clients, its rows (with sparklines) drawn by `draw`. The drawn
    page is cached under the same digest as the order (and the language), so a repeated look
    draws nothing; any change to what the page shows is a new digest."""
    load = caseload(user=user, risk=risk, sort=sort, now=now)
    page = Paginator(load.order, per_page).get_page(number)
    key = f"welfare:page:{user.pk}:{load.digest}:{sort}:{risk}:{page.number}:{per_page}:{get_language()}"
    drawn = cache.get(key)
    if drawn is None:
        rows = load.rows(list(page.object_list))
        drawn = (draw(rows), [(row.consent.pk, row.consent.client_id, row.consent.organisation_id) for row in rows])
        cache.set(key, drawn, TIMEOUT_SECONDS)
    lines, shown = drawn
    consents = [Consent(pk=pk, client_id=client, organisation_id=centre) for pk, client, centre in shown]
    return DashboardPage(page=page, lines=lines, shown=consents)
