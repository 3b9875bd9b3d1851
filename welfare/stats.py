"""Mood aggregates over diary entries, computed in the database for many clients at once.

An entry's mood is the one rule of diary.tracker.moods (written there once, as ORM expressions and
as SQL): the member's own choice when they made one, else a confident automatic reading, else
not read. A member's tracker setting never changes what their caseworker sees. Only aggregates
leave this module: never an entry's text or photo.

The figures are added up from the per-day mood figures (diary DayMood, one row per member and day
with an entry, person first) — a few hundred rows for a caseload instead of every entry. A consent
gap (welfare.periods) hides entries by when they were written as well as by day, which a day's
figures cannot tell apart: the members with a gap are worked out from their entries, as before.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum

from diary.models import DayMood, Entry
from diary.tracker.moods import (
    mood_emotion,
    mood_emotion_sql,
    mood_source,
    mood_source_sql,
    mood_valence,
    mood_valence_sql,
)
from moodsite.emotions import EMOTIONS, NEGATIVE_EMOTIONS
from welfare.periods import Gap, hidden_q, hidden_sql

RECENT_DAYS = 7
BASELINE_DAYS = 60


def windows(today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(first day of the last 7 days, first and last day of the 60-day baseline before them)."""
    recent_start = today - datetime.timedelta(days=RECENT_DAYS - 1)
    baseline_end = recent_start - datetime.timedelta(days=1)
    baseline_start = baseline_end - datetime.timedelta(days=BASELINE_DAYS - 1)
    return recent_start, baseline_start, baseline_end


@dataclass
class MoodStats:
    recent_valence_entries: int = 0
    recent_mean: float | None = None
    baseline_entries: int = 0
    baseline_mean: float | None = None
    baseline_sd: float | None = None
    recent_mood_entries: int = 0
    # Of recent_mood_entries, how many moods were the member's own choice (the rest were read automatically).
    recent_own: int = 0
    recent_negative: int = 0
    negative_by_emotion: dict[str, int] = field(default_factory=dict)
    last_day: datetime.date | None = None
    daily: list[float | None] = field(default_factory=list)


def _sample_sd(n: int, mean: float | None, sum_of_squares: float | None) -> float | None:
    if n < 2 or mean is None or sum_of_squares is None:
        return None
    return math.sqrt(max(sum_of_squares - n * mean * mean, 0.0) / (n - 1))


NEGATIVES = tuple(sorted(NEGATIVE_EMOTIONS))


def _mood_stats_sql(owner_count: int, series_days: int, moods: bool, hidden: str = "") -> str:
    """One pass over the 67 days of entries: each entry's valence and mood are worked out once in
    the inner select, then every figure is a filtered aggregate of them.

    Written as SQL rather than ORM expressions because the ORM repeated the valence CASE inside
    each of the ~45 aggregates and compiling that query took longer than running it.
    """
    columns = [
        "COUNT(v) FILTER (WHERE day >= %(recent)s)",
        "AVG(v) FILTER (WHERE day >= %(recent)s)",
        "COUNT(v) FILTER (WHERE day <= %(base_end)s)",
        "AVG(v) FILTER (WHERE day <= %(base_end)s)",
        # Sum of squares rather than STDDEV_SAMP, which SQLite lacks.
        "SUM(v * v) FILTER (WHERE day <= %(base_end)s)",
        "MAX(day)",
    ]
    if moods:
        columns += [
            "COUNT(*) FILTER (WHERE day >= %(recent)s AND mood <> '')",
            "COUNT(*) FILTER (WHERE day >= %(recent)s AND src = 'self')",
            "COUNT(*) FILTER (WHERE day >= %(recent)s AND mood IN ({}))".format(", ".join(f"'{n}'" for n in NEGATIVES)),
            *(f"COUNT(*) FILTER (WHERE day >= %(recent)s AND mood = '{name}')" for name in NEGATIVES),
        ]
    columns += [f"AVG(v) FILTER (WHERE day = %(d{i})s)" for i in range(series_days)]
    owners = ", ".join(f"%(o{i})s" for i in range(owner_count))
    return (
        f"SELECT owner_id, {', '.join(columns)} FROM ("  # noqa: S608 - names and placeholders only
        f"SELECT owner_id, day, {mood_valence_sql()} AS v, {mood_emotion_sql()} AS mood, {mood_source_sql()} AS src "
        f"FROM {Entry._meta.db_table} WHERE owner_id IN ({owners}) AND day >= %(start)s AND day <= %(today)s"
        f"{hidden}{_fence()}) AS e GROUP BY owner_id"
    )


def _fence() -> str:
    """Keep PostgreSQL from inlining the inner select: inlined, the valence CASE was evaluated again
    inside every aggregate (a quarter of the query's time on the benchmark)."""
    return " OFFSET 0" if connection.vendor == "postgresql" else ""


def _as_date(value) -> datetime.date | None:
    # SQLite returns MAX(day) as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _with_gaps(hidden: Sequence[Gap]) -> set[int]:
    return {gap.client_id for gap in hidden}


def mood_stats(
    *, owners: list[int], today: datetime.date, series_days: int = 0, moods: bool = True,
    hidden: Sequence[Gap] = (),
) -> dict[int, MoodStats]:
    """Per owner: the last-7-days and 60-day-baseline figures the dashboard and the alerts use;
    with `moods` the counts of negative readings (the alerts need them, the dashboard does not);
    with `series_days` the mean valence of each of the last that many days (for sparklines).

    One grouped query over the (owner, day) index, plus one more only for owners with no entry in
    the 67 days (to find their last entry day). Entries in the `hidden` consent gaps
    (welfare.periods) count for nothing.
    """
    if series_days > RECENT_DAYS + BASELINE_DAYS:
        raise ValueError(f"series_days can be at most {RECENT_DAYS + BASELINE_DAYS}.")
    gapped = _with_gaps(hidden)
    result = _mood_stats_stored([pk for pk in owners if pk not in gapped], today, series_days, moods)
    result.update(_mood_stats_entries([pk for pk in owners if pk in gapped], today, series_days, moods, hidden))
    return {pk: result[pk] for pk in owners}


def daily_means(*, owners: list[int], today: datetime.date, days: int, hidden: Sequence[Gap] = ()) -> dict[int, list]:
    """Per owner, the mean valence of each of the last `days` days (None where there is none):
    mood_stats' daily series alone, for the few clients a page shows."""
    gapped = _with_gaps(hidden)
    stored = [pk for pk in owners if pk not in gapped]
    series = _daily_stored(stored, today, days) if stored else {}
    entries = _mood_stats_entries([pk for pk in owners if pk in gapped], today, days, False, hidden)
    series.update({pk: figures.daily for pk, figures in entries.items()})
    return {pk: series.get(pk, [None] * days) for pk in owners}


def _mood_stats_stored(owners: list[int], today: datetime.date, series_days: int, moods: bool) -> dict[int, MoodStats]:
    """mood_stats from the day figures: the sums are added up in the database (one row per member
    comes back, not 67), and the daily series, when asked for, is one more query over its days."""
    if not owners:
        return {}
    recent_start, baseline_start, baseline_end = windows(today)
    recent, base = Q(day__gte=recent_start), Q(day__lte=baseline_end)
    sums = {
        "last_day": Max("day"),
        "recent_n": Sum("valence_n", filter=recent), "recent_sum": Sum("valence_sum", filter=recent),
        "base_n": Sum("valence_n", filter=base), "base_sum": Sum("valence_sum", filter=base),
        "base_sq": Sum("valence_sq", filter=base),
    }
    if moods:
        sums.update(with_mood=Sum("with_mood", filter=recent), own=Sum("own", filter=recent),
                    **{name: Sum(name, filter=recent) for name in NEGATIVES})
    rows = (DayMood.objects.filter(owner_id__in=owners, day__gte=baseline_start, day__lte=today)
            .order_by().values("owner_id").annotate(**sums))
    daily = _daily_stored(owners, today, series_days) if series_days else {}
    result: dict[int, MoodStats] = {}
    for figures in rows:
        owner = figures["owner_id"]
        n_recent, n_base = figures["recent_n"] or 0, figures["base_n"] or 0
        mean_base = figures["base_sum"] / n_base if n_base else None
        stats = MoodStats(
            recent_valence_entries=n_recent,
            recent_mean=figures["recent_sum"] / n_recent if n_recent else None,
            baseline_entries=n_base,
            baseline_mean=mean_base,
            baseline_sd=_sample_sd(n_base, mean_base, figures["base_sq"]),
            last_day=_as_date(figures["last_day"]),
            daily=daily.get(owner, [None] * series_days),
        )
        if moods:
            stats.recent_mood_entries, stats.recent_own = figures["with_mood"] or 0, figures["own"] or 0
            stats.negative_by_emotion = {name: figures[name] for name in NEGATIVES if figures[name]}
            stats.recent_negative = sum(stats.negative_by_emotion.values())
        result[owner] = stats
    missing = [pk for pk in owners if pk not in result]
    if missing:
        older = (DayMood.objects.filter(owner_id__in=missing, day__lte=today).order_by()
                 .values_list("owner_id").annotate(last_day=Max("day")))
        for owner, last_day in older:
            result[owner] = MoodStats(last_day=last_day, daily=[None] * series_days)
        for pk in missing:
            result.setdefault(pk, MoodStats(daily=[None] * series_days))
    return result


def _daily_stored(owners: list[int], today: datetime.date, days: int) -> dict[int, list[float | None]]:
    """Each member's mean valence on each of the last `days` days (None on a day without one)."""
    start = today - datetime.timedelta(days=days - 1)
    rows = _fetch(DayMood.objects.filter(owner_id__in=owners, day__gte=start, day__lte=today, valence_n__gt=0)
                  .order_by().values_list("owner_id", "day", "valence_n", "valence_sum"))
    daily: dict[int, list[float | None]] = {}
    for owner, day, v_n, v_sum in rows:
        daily.setdefault(owner, [None] * days)[(_as_date(day) - start).days] = v_sum / v_n
    return daily


def _fetch(rows: QuerySet) -> list[tuple]:
    # Through the cursor: Django's per-row converters would cost more than the query.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _mood_stats_entries(
    owners: list[int], today: datetime.date, series_days: int, moods: bool, hidden: Sequence[Gap],
) -> dict[int, MoodStats]:
    """mood_stats from the entries themselves (members with a consent gap)."""
    if not owners:
        return {}
    recent_start, baseline_start, baseline_end = windows(today)
    series_start = today - datetime.timedelta(days=series_days - 1)
    params: dict[str, object] = {
        "recent": recent_start.isoformat(),
        "base_end": baseline_end.isoformat(),
        "start": baseline_start.isoformat(),
        "today": today.isoformat(),
        **{f"o{i}": owner for i, owner in enumerate(owners)},
        **{f"d{i}": (series_start + datetime.timedelta(days=i)).isoformat() for i in range(series_days)},
    }
    hidden_clause, hidden_params = hidden_sql(list(hidden))
    params.update(hidden_params)
    series_at = 7 + (3 + len(NEGATIVES) if moods else 0)
    result: dict[int, MoodStats] = {}
    with connection.cursor() as cursor:
        cursor.execute(_mood_stats_sql(len(owners), series_days, moods, hidden_clause), params)
        for row in cursor.fetchall():
            owner, n_recent, mean_recent, n_base, mean_base, sq_base, last_day = row[:7]
            figures = MoodStats(
                recent_valence_entries=n_recent,
                recent_mean=mean_recent,
                baseline_entries=n_base,
                baseline_mean=mean_base,
                baseline_sd=_sample_sd(n_base, mean_base, sq_base),
                last_day=_as_date(last_day),
                daily=list(row[series_at:]),
            )
            if moods:
                figures.recent_mood_entries, figures.recent_own, figures.recent_negative = row[7], row[8], row[9]
                counts = zip(NEGATIVES, row[10:series_at], strict=True)
                figures.negative_by_emotion = {name: n for name, n in counts if n}
            result[owner] = figures
    missing = [pk for pk in owners if pk not in result]
    if missing:
        older = (
            Entry.objects.filter(owner__in=missing, day__lte=today)
            .exclude(hidden_q(hidden))
            .order_by()
            .values_list("owner")
            .annotate(last_day=Max("day"))
        )
        for owner, last_day in older:
            result[owner] = MoodStats(last_day=last_day, daily=[None] * series_days)
        for pk in missing:
            result.setdefault(pk, MoodStats(daily=[None] * series_days))
    return result


@dataclass
class TrendDay:
    day: datetime.date
    entries: int
    mean_valence: float | None
    emotions: dict[str, int]
    own: int = 0  # entries whose mood was the member's own choice (the others with a mood were read automatically)


def trend(
    *, owner_id: int, start: datetime.date, end: datetime.date, hidden: Sequence[Gap] = ()
) -> list[TrendDay]:
    """One client's daily aggregates, every day from start to end (days without entries too),
    leaving out the entries of the `hidden` consent gaps."""
    if owner_id in _with_gaps(hidden):
        counts = {name: Count("pk", filter=Q(m=name)) for name in EMOTIONS}
        rows = (
            Entry.objects.filter(owner_id=owner_id, day__gte=start, day__lte=end)
            .exclude(hidden_q(hidden))
            .alias(v=mood_valence(), m=mood_emotion(), s=mood_source())
            .order_by()
            .values("day")
            .annotate(n=Count("pk"), mean=Avg("v"), own=Count("pk", filter=Q(s="self")), **counts)
        )
        by_day = {row["day"]: row for row in rows}
    else:
        # One stored row per day: the same figures without grouping the entries.
        stored = DayMood.objects.filter(owner_id=owner_id, day__gte=start, day__lte=end).order_by()
        by_day = {
            _as_date(day): {"n": n, "mean": v_sum / v_n if v_n else None, "own": own,
                            **dict(zip(EMOTIONS, counts, strict=True))}
            for day, n, v_sum, v_n, own, *counts in _fetch(
                stored.values_list("day", "entries", "valence_sum", "valence_n", "own", *EMOTIONS))
        }
    days = []
    day = start
    while day <= end:
        row = by_day.get(day)
        days.append(
            TrendDay(
                day=day,
                entries=row["n"] if row else 0,
                mean_valence=round(row["mean"], 3) if row and row["mean"] is not None else None,
                emotions={name: row[name] for name in EMOTIONS if row and row[name]},
                own=row["own"] if row else 0,
            )
        )
        day += datetime.timedelta(days=1)
    return days
