"""Turns a summary into rows of text for the HTML tables (the text alternative of each chart)."""

from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format

from diary.tracker.insights import signed
from diary.tracker.moods import SOURCE_LABELS, emotion_label
from moodsite.emotions import EMOTION_SYMBOLS, EMOTIONS


def weekday_name(iso_weekday: int) -> str:
    return str(WEEKDAYS[iso_weekday - 1])


def period_label(period: dict, granularity: str) -> str:
    if granularity == "month":
        return date_format(period["start"], "YEAR_MONTH_FORMAT")
    if granularity == "week":
        return f"{date_format(period['start'], 'MONTH_DAY_FORMAT')} – {date_format(period['end'], 'MONTH_DAY_FORMAT')}"
    return date_format(period["start"], "DATE_FORMAT")


def daily_rows(summary: dict, months: set[tuple[int, int]] | None = None) -> list[dict]:
    """Days with an entry or a rolling mean (the empty stretches of a long range are left out),
    in these (year, month)s only when given."""
    return [
        {
            "date": day["date"], "entry_id": day["entry_id"], "entries": day["entries"],
            "mood": f"{EMOTION_SYMBOLS[day['emotion']]} {emotion_label(day['emotion'])} "
                    f"({SOURCE_LABELS[day['source']]})" if day["emotion"] else "–",
            "several": len(day["counts"]) > 1,
            "valence": signed(day["valence"]), "rolling": signed(day["rolling_mean"]),
        }
        for day in summary["days"]
        if (day["entries"] or day["rolling_mean"] is not None)
        and (months is None or (day["date"].year, day["date"].month) in months)
    ]


def period_rows(summary: dict) -> list[dict]:
    return [
        {"label": period_label(p, summary["granularity"]), "entries": p["entries"], "valence": signed(p["valence"]),
         "counts": [p["counts"].get(name, 0) for name in EMOTIONS]}
        for p in summary["periods"]
    ]


def weekday_rows(summary: dict) -> list[dict]:
    return [
        {"name": weekday_name(w["weekday"]), "mean": signed(w["mean"]), "entries": w["entries"]}
        for w in summary["weekdays"]
    ]


def tables(summary: dict, daily_months: set[tuple[int, int]] | None = None) -> dict:
    return {
        "daily": daily_rows(summary, daily_months), "periods": period_rows(summary), "weekdays": weekday_rows(summary),
        "emotion_headers": [f"{EMOTION_SYMBOLS[name]} {emotion_label(name)}" for name in EMOTIONS],
        "mean": signed(summary["totals"]["mean"]),
    }
