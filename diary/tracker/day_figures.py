"""The tracker's reads of the stored per-day figures (DayMood), person first.

diary.tracker.selectors calls these for DEFAULT_PREFER (what nearly everyone sees) in place of
grouping the entries: one row per day with an entry, however many entries it holds, read through
diary.selectors.day_mood_list_visible_to. Each returns what the entry-grouping path builds, in the
same shape; tests/diary/test_day_moods.py compares the two after random edits.
"""

import datetime

from django.db import connection
from django.db.models import QuerySet, Sum

from accounts.models import User
from diary.selectors import day_mood_list_visible_to
from diary.tracker.models import DayMood
from diary.tracker.ranges import DateRange
from moodsite.emotions import EMOTIONS, NEGATIVE_EMOTIONS


def as_date(value) -> datetime.date:
    """SQLite hands dates back as text, PostgreSQL as dates (and truncations as datetimes)."""
    if type(value) is str:
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _rows(user: User, start: datetime.date, end: datetime.date) -> QuerySet[DayMood]:
    return day_mood_list_visible_to(user=user).filter(day__gte=start, day__lte=end).order_by()


_DAY_COLUMNS = ("day", "entries", "valence_sum", "valence_n", "own", "emotion", "source", "last_entry_id",
                *EMOTIONS)


def by_day(*, user: User, start: datetime.date, end: datetime.date) -> dict:
    """selectors._fold's per-day buckets, person first, from the stored day figures (one row a day)."""
    sql, params = _rows(user, start, end).values_list(*_DAY_COLUMNS).query.sql_with_params()
    # Through the cursor, as selectors._grouped: Django's per-row converters cost more than the query.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_day = {}
    for day, entries, v_sum, v_n, own, emotion, source, last_id, *counts in rows:
        by_day[as_date(day)] = {
            "entries": entries, "valence": round(v_sum / v_n, 4) if v_n else None, "own": own,
            "counts": {name: n for name, n in zip(EMOTIONS, counts, strict=True) if n},
            "emotion": emotion or None, "source": source or None, "last_id": last_id,
        }
    return by_day


def periods(*, user: User, date_range: DateRange, bucket) -> dict:
    """selectors.mood_periods' buckets (entries, mean valence, counts), person first, from the day figures."""
    grouped = (
        _rows(user, date_range.start, date_range.end).annotate(bucket=bucket).values("bucket")
        .annotate(n=Sum("entries"), v_sum=Sum("valence_sum"), v_n=Sum("valence_n"),
                  **{f"c_{name}": Sum(name) for name in EMOTIONS})
        .values_list("bucket", "n", "v_sum", "v_n", *[f"c_{name}" for name in EMOTIONS]).order_by()
    )
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        bucket: {"entries": n, "valence": round(v_sum / v_n, 4) if v_n else None,
                 "counts": {name: c for name, c in zip(EMOTIONS, counts, strict=True) if c}}
        for bucket, n, v_sum, v_n, *counts in rows
    }


def totals_row(*, user: User, windows: dict, earliest: datetime.date, latest: datetime.date) -> dict:
    """selectors.mood_totals' row of aggregates (the names _select_over gives them), person first, added up
    from the day figures: at most one row per day of the windows."""
    columns = ("day", "entries", "valence_sum", "valence_n", "with_mood", "own", "both", "agree", *EMOTIONS)
    sql, params = _rows(user, earliest, latest).values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [(as_date(row[0]), *row[1:]) for row in cursor.fetchall()]
    sums: dict[str, float] = {}

    def add(name: str, value) -> None:
        sums[name] = sums.get(name, 0) + value

    for day, entries, v_sum, v_n, with_mood, own, both, agree, *counts in rows:
        for window, (start, end) in windows.items():
            if not start <= day <= end:
                continue
            add(f"{window}_sum", v_sum)
            add(f"{window}_n", v_n)
            if window != "range":
                continue
            add("entries", entries)
            add("days_with_entries", 1)
            add("with_mood", with_mood)
            add("own_choice", own)
            add("both", both)
            add("agree", agree)
            for name, n in zip(EMOTIONS, counts, strict=True):
                add(f"count_{name}", n)
            weekday = day.isoweekday()
            add(f"wd{weekday}_sum", v_sum)
            add(f"wd{weekday}_n", v_n)

    def mean(prefix: str) -> float | None:
        # AVG over the entries' valences, as the query over the entries has it (NULL over none).
        return sums[f"{prefix}_sum"] / sums[f"{prefix}_n"] if sums.get(f"{prefix}_n") else None

    # In the order _select_over names them, so that the summary's keys come out alike.
    row = {"entries": sums.get("entries", 0), "days_with_entries": sums.get("days_with_entries", 0),
           "mean": mean("range"), "with_mood": sums.get("with_mood", 0), "own_choice": sums.get("own_choice", 0),
           "negative": sum(sums.get(f"count_{name}", 0) for name in sorted(NEGATIVE_EMOTIONS))}
    for window in ("recent", "baseline", "previous"):
        row[f"{window}_mean"], row[f"{window}_n"] = mean(window), sums.get(f"{window}_n", 0)
    row["both"], row["agree"] = sums.get("both", 0), sums.get("agree", 0)
    for name in EMOTIONS:
        row[f"count_{name}"] = sums.get(f"count_{name}", 0)
    for weekday in range(1, 8):
        row[f"wd{weekday}_mean"], row[f"wd{weekday}_n"] = mean(f"wd{weekday}"), sums.get(f"wd{weekday}_n", 0)
    return row
