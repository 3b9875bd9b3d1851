"""The dashboard's per-client figures, cached per client and keyed by that client's last change.

A caseload's figures are one grouped query over 67 days of day figures per client: for 1,000
clients that query alone is most of a dashboard view. Each client's MoodStats are therefore kept
in the cache (Redis when REDIS_URL is set, local memory otherwise) under the client's
mood_version and the day they are taken on. mood_version is bumped in the same transaction as
every change to the client's entries, readings or day figures (diary.tracker.cache), and it is
read before the figures are, so a key can hold figures newer than its version but never older:
no view shows figures from before a change, and a view after a change recomputes only the
clients who changed. Clients with a consent gap are worked out from their entries each time
(welfare.stats), uncached: a gap hides entries by when they were written, which no key here names.

The daily series (sparklines) are not cached: only the page's 50 clients need them.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat

from accounts.models import User
from diary.models import Entry
from diary.tracker.moods import mood_emotion, mood_source
from welfare.periods import Gap, hidden_q
from welfare.stats import MoodStats, mood_stats

# The key names the day, so keys roll over at midnight anyway; a day and a bit keeps yesterday's
# from outliving it for long.
TIMEOUT_SECONDS = 26 * 60 * 60


@dataclass
class ClientFigures:
    stats: MoodStats  # with the mood counts, without the daily series
    latest_day: datetime.date | None  # of the latest visible entry dated up to the horizon
    latest_mood: str  # its mood by the one mood rule as "source:emotion", e.g. "self:sad"; ":" if not read


def _key(client: User, today: datetime.date, horizon: datetime.date) -> str:
    return f"welfare:figures:{client.pk}:{client.mood_version}:{today.isoformat()}:{horizon.isoformat()}"


def client_figures(
    *, clients: Sequence[User], today: datetime.date, horizon: datetime.date, hidden: Sequence[Gap],
) -> dict[int, ClientFigures]:
    """Each client's figures on `today` and latest entry up to `horizon`, from the cache where
    they have not changed since (`clients` must have mood_version loaded)."""
    gapped = {gap.client_id for gap in hidden}
    keys = {client.pk: _key(client, today, horizon) for client in clients if client.pk not in gapped}
    found = cache.get_many(list(keys.values())) if keys else {}
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [client.pk for client in clients if client.pk not in result]
    if missing:
        stats = mood_stats(owners=missing, today=today, hidden=hidden)
        latest = _latest_entries(missing, horizon, hidden)
        fresh = {pk: ClientFigures(stats[pk], *latest.get(pk, (None, ""))) for pk in missing}
        cache.set_many({keys[pk]: fresh[pk] for pk in missing if pk in keys}, TIMEOUT_SECONDS)
        result.update(fresh)
    return result


def _latest_entries(client_ids: list[int], horizon: datetime.date, hidden: Sequence[Gap]) -> dict[int, tuple]:
    """(day, "source:emotion") of each client's latest visible entry (welfare.periods)."""
    latest = (
        Entry.objects.filter(owner=OuterRef("pk"), day__lte=horizon)
        .exclude(hidden_q(list(hidden)))
        .order_by("-day", "-created_at")
        .annotate(mood=Concat(mood_source(), Value(":"), mood_emotion(), output_field=CharField()))
    )
    rows = User.objects.filter(pk__in=client_ids).annotate(
        latest_day=Subquery(latest.values("day")[:1]), latest_mood=Subquery(latest.values("mood")[:1]),
    ).values_list("pk", "latest_day", "latest_mood")
    return {pk: (day, mood or "") for pk, day, mood in rows}
