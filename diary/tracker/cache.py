"""The tracker's figures, cached per person and keyed by that person's last change.

A key names the person, their mood_version (bumped by `mood_changed`, which every service that
changes entries or readings calls in its own transaction), the language, the range, the
granularity, whose reading comes first and the person's today and time zone. An edit therefore
moves the person onto new keys at once: no page is ever served from before it, on any worker,
whatever the cache backend (Redis when REDIS_URL is set, local memory otherwise). Old keys
simply expire.
"""

import datetime
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils.translation import get_language

from accounts.models import User

# Long enough to serve a person's repeated looks at a range, short enough that keys left behind
# by edits do not pile up (each page view of a new range is one ~50-200 KB pickled entry).
TIMEOUT_SECONDS = 60 * 60
# Part of every key: bump it when the shape of a cached value changes, so that a deploy never
# reads a value an older release wrote (2: the page's calendar months and other_months; 3: their
# count of days whose mood was the person's own choice).
SHAPE = 3


def mood_changed(*, owner_ids: Iterable[int] | QuerySet) -> None:
    """The person's entries or readings changed: their cached tracker figures are out of date."""
    if not isinstance(owner_ids, QuerySet):
        owner_ids = sorted(set(owner_ids))
        if not owner_ids:
            return
    User.objects.filter(pk__in=owner_ids).update(mood_version=F("mood_version") + 1)


def _key(kind: str, user: User, *parts) -> str:
    version = getattr(user, "mood_version", 0)
    tail = ":".join(str(part) for part in parts)
    return f"tracker:{kind}:{SHAPE}:{user.pk}:{version}:{get_language()}:{user.time_zone}:{tail}"


def cached(kind: str, user: User, parts: tuple, compute):
    """`compute()` once per person, version, language and parts; then from the cache."""
    key = _key(kind, user, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def summary_cached(*, user: User, date_range, granularity: str, prefer: str, today: datetime.date) -> dict:
    from diary.tracker.summary import mood_summary  # summary imports diary.services, which imports us

    return cached(
        "summary", user, (date_range.start, date_range.end, granularity, prefer, today),
        lambda: mood_summary(user=user, date_range=date_range, granularity=granularity, prefer=prefer, today=today),
    )
