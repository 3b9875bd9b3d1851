"""Shapes the daily series into what the calendar and Year in Pixels templates draw."""

import calendar
import datetime

from django.utils.dates import MONTHS

from diary.tracker.moods import SOURCE_LABELS, SOURCE_SELF, emotion_label
from diary.tracker.ranges import DateRange
from moodsite.emotions import EMOTION_COLOURS, EMOTION_INK, EMOTION_SYMBOLS

# More months than this on one page and the calendar points to Year in Pixels instead.
MAX_CALENDAR_MONTHS = 12
# The tracker page draws the latest three months of a longer range that have entries and lists the
# others, each linking to its own month: a year's ~370 drawn days were most of a 170 KB page. The
# printable report still draws up to MAX_CALENDAR_MONTHS; Year in Pixels shows every day of a year.
PAGE_CALENDAR_MONTHS = 3


def _cell(day: datetime.date, data: dict | None, in_range: bool) -> dict:
    """One day: its colour (moods.day_mood), the source of that mood, and whether it had several
    moods. A day with one entry links to it; a day with several lists them (tracker:day)."""
    cell = {"date": day, "in_range": in_range, "entries": 0, "emotion": None, "several": False}
    if data:
        cell.update(entries=data["entries"], emotion=data["emotion"], entry_id=data["entry_id"],
                    valence=data["valence"], several=len(data["counts"]) > 1,
                    labels=", ".join(emotion_label(name) for name in sorted(data["counts"])))
    if cell["emotion"]:
        name = cell["emotion"]
        cell.update(colour=EMOTION_COLOURS[name], ink=EMOTION_INK[name], symbol=EMOTION_SYMBOLS[name],
                    label=emotion_label(name), source=data["source"],
                    source_label=str(SOURCE_LABELS[data["source"]]))
    return cell


def range_months(date_range: DateRange) -> list[tuple[int, int]]:
    """(year, month) of each month the range touches, oldest first."""
    months = []
    year, month = date_range.start.year, date_range.start.month
    while (year, month) <= (date_range.end.year, date_range.end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def months_to_draw(days: list[dict], date_range: DateRange, last: int) -> list[tuple[int, int]]:
    """The range's months to draw, oldest first: all when there are at most `last`, else the latest
    `last` that have an entry (the latest `last` when none has)."""
    months = range_months(date_range)
    if len(months) <= last:
        return months
    written = {(d["date"].year, d["date"].month) for d in days if d["entries"]}
    return [month for month in months if month in written][-last:] or months[-last:]


def month_grids(days: list[dict], date_range: DateRange, months: list[tuple[int, int]]) -> list[dict]:
    """Month calendars (weeks of Monday … Sunday) for these months of the range, in their order."""
    by_date = {d["date"]: d for d in days}
    grids = []
    for year, month in months:
        weeks = [
            [_cell(day, by_date.get(day), day in date_range) if day.month == month else None for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        grids.append({"year": year, "month": month, "first": datetime.date(year, month, 1), "weeks": weeks})
    return grids


def other_months(days: list[dict], date_range: DateRange, drawn: list[tuple[int, int]]) -> list[dict]:
    """The range's months not drawn, newest first: how many days had entries, the mood seen on
    most of them and on how many of the days with a mood it was the person's own choice (the rest
    were read automatically), for a one-line link to each month's own calendar."""
    months = [month for month in range_months(date_range) if month not in drawn]
    listed = {month: {"first": datetime.date(*month, 1), "days": 0, "moods": {}, "own": 0} for month in months}
    for day in days:
        item = listed.get((day["date"].year, day["date"].month))
        if item is not None and day["entries"]:
            item["days"] += 1
            if day["emotion"]:
                item["moods"][day["emotion"]] = item["moods"].get(day["emotion"], 0) + 1
                item["own"] += day["source"] == SOURCE_SELF
    out = []
    for item in reversed(listed.values()):
        top = max(item["moods"], key=item["moods"].get) if item["moods"] else None
        out.append({"first": item["first"], "days": item["days"], "top": emotion_label(top) if top else "",
                    "symbol": EMOTION_SYMBOLS[top] if top else "", "own": item["own"]})
    return out


def year_pixels(days: list[dict], year: int) -> list[dict]:
    """31 rows (day of month) of 12 squares (months); None where a month has no such day."""
    by_date = {d["date"]: d for d in days}
    rows = []
    for day_of_month in range(1, 32):
        squares = []
        for month in range(1, 13):
            if day_of_month > calendar.monthrange(year, month)[1]:
                squares.append(None)
                continue
            day = datetime.date(year, month, day_of_month)
            squares.append(_cell(day, by_date.get(day), True))
        rows.append({"day": day_of_month, "squares": squares})
    return rows


def month_names() -> list[str]:
    return [str(MONTHS[m]) for m in range(1, 13)]
