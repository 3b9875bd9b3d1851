"""The dashboard's order: which clients a page shows, without building every client's row.

Sorting and filtering need every client's risk, change and last entry; drawing needs only the
page's 50. The order (for each sort, each client's consent id and risk) is therefore cached under
a digest of everything it is computed from — each client's mood_version, name, time zone and
consent, the centres' rules, the unresolved and running alerts, the consent gaps, each zone's
today — read with a few narrow queries (tuples, not model objects). Any change to any of them is
a new digest, so a page is never ordered by figures from before it; when nothing changed, a view
builds only its own rows (selectors.dashboard_rows for those ids, their figures from
welfare.figures' cache).
"""

import datetime
import hashlib
import zoneinfo

from django.core.cache import cache
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from welfare import selectors
from welfare.models import Alert, Organisation
from welfare.periods import MOOD, Gap, consent_gaps

TIMEOUT_SECONDS = 60 * 60
# Part of the digest: bump it when the rules, the sorts or the cached value change shape.
SHAPE = 1


def _digest(user: User, now: datetime.datetime, gaps: list[Gap]) -> str:
    visible = selectors.consent_list_visible_to(user=user)
    consents = list(visible.order_by("pk").values_list(
        "pk", "client_id", "client__mood_version", "client__display_name", "client__email", "client__time_zone",
        "share_checks", "granted_at", "organisation_id"))
    alerts = list(Alert.objects.filter(
        Q(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]) | Q(cleared_at__isnull=True),
        consent__in=visible.values("pk"),
    ).order_by("pk").values_list("pk", "consent_id", "kind", "status", "cleared_at"))
    centres = list(Organisation.objects.filter(pk__in={row[8] for row in consents}).order_by("pk").values_list())
    zones = sorted({row[5] for row in consents})
    todays = [(zone, timezone.localtime(now, zoneinfo.ZoneInfo(zone)).date()) for zone in zones]
    horizon = timezone.localtime(now, user.zone).date()
    text = repr((SHAPE, user.pk, consents, alerts, centres, gaps, todays, horizon))
    return hashlib.sha256(text.encode()).hexdigest()


def _orders(user: User, now: datetime.datetime, gaps: list[Gap]) -> dict[str, list[tuple[int, str]]]:
    """For each sort, every client's (consent id, risk label) in that order."""
    key = f"welfare:order:{user.pk}:{_digest(user, now, gaps)}"
    orders = cache.get(key)
    if orders is None:
        rows = selectors.dashboard_rows(user=user, now=now, gaps=gaps)
        orders = {name: [(row.consent.pk, row.risk_label) for row in sorted(rows, key=sort)]
                  for name, sort in selectors.SORTS.items()}
        cache.set(key, orders, TIMEOUT_SECONDS)
    return orders


def dashboard_page(
    *, user: User, risk: str, sort: str, number: str | None, per_page: int, now: datetime.datetime | None = None,
) -> DjangoPage:
    """Page `number` (Paginator.get_page's reading of it) of the caseload sorted by `sort` and
    filtered by `risk` over all the clients; its object_list is the page's rows, with sparklines."""
    now = now or timezone.now()
    # The consent gaps (welfare.periods) of the whole caseload, read once for the order and the page.
    gaps = consent_gaps(consents=selectors.consent_list_visible_to(user=user), scope=MOOD)
    order = [pk for pk, label in _orders(user, now, gaps)[sort] if not risk or label == risk]
    page = Paginator(order, per_page).get_page(number)
    ids = list(page.object_list)
    built = {row.consent.pk: row for row in selectors.dashboard_rows(user=user, now=now, consent_ids=ids, gaps=gaps)}
    page.object_list = selectors.with_sparklines([built[pk] for pk in ids if pk in built], gaps)
    return page
