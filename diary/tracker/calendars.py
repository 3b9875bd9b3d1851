"""Shapes the daily series into what the calendar and Year in Pixels templates draw."""

import calendar
import datetime

from django.utils.dates import MONTHS

from diary.tracker.moods import SOURCE_LABELS, emotion_label
from diary.tracker.ranges import DateRange
from moodsite.emotions import EMOTION_COLOURS, EMOTION_INK, EMOTION_SYMBOLS

# More months than this on one page and the calendar points to Year in Pixels instead.
MAX_CALENDAR_MONTHS = 12


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


def month_grids(days: list[dict], date_range: DateRange) -> list[dict]:
    """Month calendars (weeks of Monday … Sunday) for the months the range touches, newest last."""
    by_date = {d["date"]: d for d in days}
    months = []
    year, month = date_range.start.year, date_range.start.month
    while (year, month) <= (date_range.end.year, date_range.end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    grids = []
    for year, month in months[-MAX_CALENDAR_MONTHS:]:
        weeks = [
            [_cell(day, by_date.get(day), day in date_range) if day.month == month else None for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        grids.append({"year": year, "month": month, "first": datetime.date(year, month, 1), "weeks": weeks})
    return grids


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
