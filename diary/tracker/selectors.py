"""The tracker's reads. Each series is one aggregate query over the person's entries.

Every query starts from diary.selectors.entry_list_visible_to, so the tracker can only ever
summarise what the asking person may see (their own entries). The database groups and counts;
Python only reshapes the grouped rows (at most one row per day and emotion) into the series.
"""

import datetime
from collections import deque

from django.db import connection
from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.db.models.functions import DenseRank

from accounts.models import User
from diary.models import Entry
from diary.selectors import entry_list_visible_to
from diary.tracker.models import TrackerPreference
from diary.tracker.moods import (
    DEFAULT_PREFER,
    DayNumber,
    IsoWeekday,
    MonthStart,
    WeekStart,
    day_mood,
    mood_emotion,
    mood_source,
    mood_valence,
)
from diary.tracker.ranges import DateRange
from moodsite.emotions import EMOTIONS, NEGATIVE_EMOTIONS

ROLLING_DAYS = 7
BASELINE_DAYS = 60


def tracker_preference_get(*, user: User) -> str:
    """"self" or "ai": which comes first on the person's own tracker (one query).

    Person first unless they explicitly chose the automatic reading (only their own tracker
    pages, report and exports follow this; nothing else does).
    """
    if not user.is_authenticated:
        return DEFAULT_PREFER
    prefer = TrackerPreference.objects.filter(user=user).values_list("prefer", flat=True).first()
    return prefer or DEFAULT_PREFER


def day_entries(*, user: User, day: datetime.date) -> QuerySet[Entry]:
    """The person's entries of one day, oldest first, each with its mood and that mood's source."""
    prefer = tracker_preference_get(user=user)
    return (
        entry_list_visible_to(user=user).filter(day=day).order_by("created_at", "pk")
        .annotate(mood=mood_emotion(prefer), mood_source=mood_source(prefer))
    )


def _entries(user: User, start: datetime.date, end: datetime.date) -> QuerySet[Entry]:
    # order_by() drops Entry's default ordering, which would otherwise join the GROUP BY.
    return entry_list_visible_to(user=user).filter(day__gte=start, day__lte=end).order_by()


def _grouped(qs: QuerySet[Entry], bucket, prefer: str) -> list[tuple]:
    """Rows of (bucket date, emotion, source, entries, valence sum, valence count, newest id)."""
    grouped = (
        qs.annotate(bucket=bucket, mood=mood_emotion(prefer), source=mood_source(prefer),
                    valence=mood_valence(prefer))
        .values("bucket", "mood", "source")
        .annotate(n=Count("id"), v_sum=Sum("valence"), v_n=Count("valence"), last_id=Max("id"))
        .values_list("bucket", "mood", "source", "n", "v_sum", "v_n", "last_id")
        .order_by()
    )
    # Read through the cursor: Django's per-row converters cost more than the query itself here
    # (~10 ms for five years on SQLite); only the date needs converting, and that is cheap.
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_as_date(row[0]), *row[1:]) for row in cursor.fetchall()]


def _fold(rows: list[tuple], prefer: str) -> dict:
    """Grouped rows -> per bucket: entries, mean valence, counts per emotion (and of them, how many
    are the person's own choice), the mood that colours it (day_mood) with its source, newest entry."""
    buckets: dict = {}
    for bucket, mood, source, n, v_sum, v_n, last_id in rows:
        b = buckets.get(bucket)
        if b is None:
            b = buckets[bucket] = {"entries": 0, "v_sum": 0.0, "v_n": 0, "counts": {}, "own": 0,
                                   "last_id": last_id, "moods": []}
        b["entries"] += n
        b["v_sum"] += v_sum or 0.0
        b["v_n"] += v_n
        if last_id > b["last_id"]:
            b["last_id"] = last_id
        if mood:
            b["counts"][mood] = b["counts"].get(mood, 0) + n
            b["moods"].append((mood, source, last_id))
            if source == "self":
                b["own"] += n
    for b in buckets.values():
        b["valence"] = round(b["v_sum"] / b["v_n"], 4) if b["v_n"] else None
        b["emotion"], b["source"] = day_mood(b["moods"], prefer) or (None, None)
    return buckets


def mood_days(*, user: User, date_range: DateRange, today: datetime.date,
              prefer: str = DEFAULT_PREFER) -> list[dict]:
    """Every date in the range: entries, mean valence, its 7-day rolling mean, the mood that colours
    it (moods.day_mood) and that mood's source, and the count of each emotion that day.

    One query. The rolling mean at a date is the mean of the daily means over the seven days
    ending there (days without a reading are left out, not counted as zero), so the query also
    reads the six days before the range. There is no rolling mean after today.
    """
    lead = datetime.timedelta(days=ROLLING_DAYS - 1)
    rows = _grouped(_entries(user, date_range.start - lead, date_range.end), F("day"), prefer)
    by_day = _fold(rows, prefer)
    window: deque = deque()  # (date, valence) of the days in the last seven that have a valence
    total = 0.0
    days = []
    one_day = datetime.timedelta(days=1)
    day = date_range.start - lead
    while day <= date_range.end:
        b = by_day.get(day)
        if b is not None and b["valence"] is not None:
            window.append((day, b["valence"]))
            total += b["valence"]
        while window and (day - window[0][0]).days >= ROLLING_DAYS:
            total -= window.popleft()[1]
        if day >= date_range.start:
            rolling = round(total / len(window), 4) if window and day <= today else None
            if b is None:
                days.append({"date": day, "entries": 0, "valence": None, "rolling_mean": rolling,
                             "emotion": None, "source": None, "entry_id": None, "counts": {}, "own": 0})
            else:
                days.append({"date": day, "entries": b["entries"], "valence": b["valence"], "rolling_mean": rolling,
                             "emotion": b["emotion"], "source": b["source"], "entry_id": b["last_id"],
                             "counts": b["counts"], "own": b["own"]})
        day += one_day
    return days


def _period_start(day: datetime.date, granularity: str) -> datetime.date:
    if granularity == "week":
        return day - datetime.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _period_end(start: datetime.date, granularity: str) -> datetime.date:
    if granularity == "week":
        return start + datetime.timedelta(days=6)
    if granularity == "month":
        following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    return start


def _periods_from(buckets: dict, date_range: DateRange, granularity: str) -> list[dict]:
    periods = []
    start = _period_start(date_range.start, granularity)
    while start <= date_range.end:
        end = _period_end(start, granularity)
        b = buckets.get(start)
        periods.append({
            "start": max(start, date_range.start), "end": min(end, date_range.end),
            "entries": b["entries"] if b else 0, "valence": b["valence"] if b else None,
            "counts": b["counts"] if b else {},
        })
        start = end + datetime.timedelta(days=1)
    return periods


def mood_periods(*, user: User, date_range: DateRange, granularity: str,
                 prefer: str = DEFAULT_PREFER) -> list[dict]:
    """Per day, ISO week (Monday first) or month of the range: entries, mean valence, and the
    number of entries of each emotion that occurs (emotions with none are left out).

    One query, grouped by period and emotion: the stacked-bar distribution and the mean by period.
    """
    bucket = {"day": F("day"), "week": WeekStart("day"), "month": MonthStart("day")}[granularity]
    buckets = _fold(_grouped(_entries(user, date_range.start, date_range.end), bucket, prefer), prefer)
    # SQLite hands back truncated dates as dates already; normalise whatever the backend returns.
    buckets = {_as_date(key): value for key, value in buckets.items()}
    return _periods_from(buckets, date_range, granularity)


def periods_from_days(days: list[dict], date_range: DateRange) -> list[dict]:
    """Day granularity needs no second query: each day is its own period."""
    return [
        {"start": d["date"], "end": d["date"], "entries": d["entries"], "valence": d["valence"], "counts": d["counts"]}
        for d in days
    ]


def _as_date(value) -> datetime.date:
    """SQLite hands dates back as text, PostgreSQL as dates (and truncations as datetimes)."""
    if type(value) is str:
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def mood_streaks(*, user: User, today: datetime.date) -> dict:
    """The current and the longest run of consecutive days with at least one entry (all time).

    One query, "gaps and islands": a day's number minus its dense rank among the person's days
    is the same for every day of one unbroken run. The run that ends today or yesterday is the
    current one (today's entry may simply not be written yet).
    """
    days = (
        entry_list_visible_to(user=user).filter(day__lte=today).order_by()
        .annotate(island=DayNumber("day") - Window(DenseRank(), order_by=F("day").asc()))
        .values("day", "island")
    )
    inner, params = days.query.sql_with_params()
    # Grouping by a window's result needs an outer query, which the ORM cannot express.
    # The inner query is the ORM's own SQL; every value in it travels as a parameter.
    runs_sql = "SELECT MIN(d.day) AS first_day, MAX(d.day) AS last_day, COUNT(DISTINCT d.day) AS length FROM ("
    sql = (
        "WITH runs AS (" + runs_sql + inner + ") d GROUP BY d.island) "  # noqa: S608
        "SELECT first_day, last_day, length FROM runs "
        "WHERE length = (SELECT MAX(length) FROM runs) OR last_day = (SELECT MAX(last_day) FROM runs) "
        "ORDER BY last_day"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        runs = [(_as_date(a), _as_date(b), int(n)) for a, b, n in cursor.fetchall()]
    result = {"current": 0, "current_from": None, "longest": 0, "longest_from": None, "longest_to": None,
              "last_entry_day": None}
    if not runs:
        return result
    longest = max(runs, key=lambda run: (run[2], run[1]))
    latest = runs[-1]
    result.update(longest=longest[2], longest_from=longest[0], longest_to=longest[1],
                  last_entry_day=latest[1])
    if (today - latest[1]).days <= 1:
        result.update(current=latest[2], current_from=latest[0])
    return result


def _select_over(inner: QuerySet, select: list[tuple[str, str, list]]) -> dict:
    """One row of aggregates written in SQL over an ORM-built subquery, as {name: value}.

    The ORM would repeat each entry's CASE expressions in every aggregate and takes ~100 ms to
    compile two dozen filtered aggregates; over a subquery they are worked out once per row.
    """
    inner_sql, inner_params = inner.query.sql_with_params()
    columns = ", ".join(f'{sql} AS "{name}"' for name, sql, _ in select)
    params = [param for _, _, fragment_params in select for param in fragment_params]
    # MATERIALIZED: work out each row once; SQLite would otherwise inline the subquery and
    # evaluate its CASE expressions again for every aggregate (SQLite ≥ 3.35, PostgreSQL ≥ 12).
    sql = f"WITH t AS MATERIALIZED ({inner_sql}) SELECT {columns} FROM t"  # noqa: S608 - params carry the values
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *params])  # in the order they appear in the SQL
        row = cursor.fetchone()
    return dict(zip([name for name, _, _ in select], row, strict=True))


def mood_totals(*, user: User, date_range: DateRange, today: datetime.date,
                prefer: str = DEFAULT_PREFER) -> dict:
    """One aggregate query: totals for the range, the weekday means, agreement, and the
    comparison windows the insights speak of (the last 7 and 60 days, the previous period)."""
    anchor = min(date_range.end, today)
    previous = date_range.previous()
    adapt = connection.ops.adapt_datefield_value
    windows = {
        "range": (date_range.start, date_range.end),
        "recent": (anchor - datetime.timedelta(days=ROLLING_DAYS - 1), anchor),
        "baseline": (anchor - datetime.timedelta(days=BASELINE_DAYS - 1), anchor),
        "previous": (previous.start, previous.end),
    }

    def within(window: str, extra: str = "") -> tuple[str, list]:
        start, end = windows[window]
        return f"t.d BETWEEN %s AND %s{extra}", [adapt(start), adapt(end)]

    def agg(name: str, function: str, window: str, value: str, extra: str = "", extra_params=(),
            distinct: bool = False) -> tuple:
        condition, params = within(window, extra)
        inside = f"{'DISTINCT ' if distinct else ''}CASE WHEN {condition} THEN {value} END"
        return name, f"{function}({inside})", [*params, *extra_params]

    negative = sorted(NEGATIVE_EMOTIONS)
    select = [
        agg("entries", "COUNT", "range", "1"),
        agg("days_with_entries", "COUNT", "range", "t.d", distinct=True),
        agg("mean", "AVG", "range", "t.v"),
        agg("with_mood", "COUNT", "range", "t.m"),
        agg("own_choice", "COUNT", "range", "1", " AND t.s = %s", ["self"]),
        agg("negative", "COUNT", "range", "1", f" AND t.m IN ({', '.join(['%s'] * len(negative))})", negative),
        agg("recent_mean", "AVG", "recent", "t.v"),
        agg("recent_n", "COUNT", "recent", "t.v"),
        agg("baseline_mean", "AVG", "baseline", "t.v"),
        agg("baseline_n", "COUNT", "baseline", "t.v"),
        agg("previous_mean", "AVG", "previous", "t.v"),
        agg("previous_n", "COUNT", "previous", "t.v"),
        agg("both", "COUNT", "range", "1", " AND t.ai <> '' AND t.own <> ''"),
        agg("agree", "COUNT", "range", "1", " AND t.ai <> '' AND t.ai = t.own"),
    ]
    for emotion in EMOTIONS:
        select.append(agg(f"count_{emotion}", "COUNT", "range", "1", " AND t.m = %s", [emotion]))
    for weekday in range(1, 8):  # ISO: 1 = Monday … 7 = Sunday
        select.append(agg(f"wd{weekday}_mean", "AVG", "range", "t.v", " AND t.wd = %s", [weekday]))
        select.append(agg(f"wd{weekday}_n", "COUNT", "range", "t.v", " AND t.wd = %s", [weekday]))
    earliest = min(windows[w][0] for w in windows)
    latest = max(windows[w][1] for w in windows)
    inner = (
        _entries(user, earliest, latest)
        .annotate(d=F("day"), v=mood_valence(prefer), m=mood_emotion(prefer), s=mood_source(prefer),
                  wd=IsoWeekday("day"), ai=F("ai_emotion"), own=F("self_mood"))
        .values("d", "v", "m", "s", "wd", "ai", "own")
    )
    row = _select_over(inner, select)
    totals = {key: (round(float(value), 4) if key.endswith("mean") and value is not None else value)
              for key, value in row.items()}
    totals["weekdays"] = [
        {"weekday": weekday, "mean": totals.pop(f"wd{weekday}_mean"), "entries": totals.pop(f"wd{weekday}_n")}
        for weekday in range(1, 8)
    ]
    totals["counts"] = {emotion: totals.pop(f"count_{emotion}") for emotion in EMOTIONS}
    totals["read_automatically"] = totals["with_mood"] - totals["own_choice"]
    totals["not_read"] = totals["entries"] - totals["with_mood"]
    totals["agreement_percent"] = round(100 * row["agree"] / row["both"], 1) if row["both"] else None
    return totals
