"""Everything the tracker pages and the summary endpoint show, from one call.

Queries: the daily series, the series by period (not for granularity=day, which is the daily
series), the streaks, and the totals — four, whatever the number of entries or the range.
"""

import datetime

from django.urls import reverse

from accounts.models import User
from diary.services import today_for
from diary.tracker import selectors
from diary.tracker.insights import insights_for
from diary.tracker.moods import DEFAULT_PREFER, day_rule_text, emotion_legend
from diary.tracker.present import weekday_name
from diary.tracker.ranges import DateRange


def mood_summary(
    *, user: User, date_range: DateRange, granularity: str, prefer: str = DEFAULT_PREFER,
    today: datetime.date | None = None,
) -> dict:
    today = today or today_for(user)
    days = selectors.mood_days(user=user, date_range=date_range, prefer=prefer, today=today)
    if granularity == "day":
        periods = selectors.periods_from_days(days, date_range)
    else:
        periods = selectors.mood_periods(user=user, date_range=date_range, granularity=granularity, prefer=prefer)
    streak = selectors.mood_streaks(user=user, today=today)
    totals = selectors.mood_totals(user=user, date_range=date_range, prefer=prefer, today=today)
    weekdays = [dict(w, name=weekday_name(w["weekday"])) for w in totals.pop("weekdays")]
    summary = {
        "from": date_range.start,
        "to": date_range.end,
        "granularity": granularity,
        "prefer": prefer,
        "day_rule": day_rule_text(prefer),
        "time_zone": user.time_zone,
        "today": today,
        # Link for a day's newest entry: replace 0 with entry_id.
        "entry_url": reverse("diary:entry_detail", args=[0]),
        "emotions": emotion_legend(),
        "days": days,
        "periods": periods,
        "weekdays": weekdays,
        "counts": totals.pop("counts"),
        "streak": streak,
        "agreement": {"both": totals["both"], "agree": totals["agree"], "percent": totals["agreement_percent"]},
        "totals": totals,
    }
    summary["insights"] = insights_for(summary)
    return summary


def _iso(value):
    return value.isoformat() if value is not None else None


def summary_as_json(summary: dict) -> dict:
    """The summary with dates as ISO strings, ready for the JSON renderer.

    Dates are written out here rather than through the renderer's fallback for unknown types,
    which it would call for each of the thousands of dates in a long range. Per-day emotion
    counts are left out of `days` (`periods` carry them); each day keeps the mood that colours it,
    that mood's source, how many different moods it had, and its newest entry.
    """
    data = dict(summary)
    for key in ("from", "to", "today"):
        data[key] = _iso(summary[key])
    data["days"] = [
        {"date": d["date"].isoformat(), "entries": d["entries"], "valence": d["valence"],
         "rolling_mean": d["rolling_mean"], "emotion": d["emotion"], "source": d["source"],
         "moods": len(d["counts"]), "entry_id": d["entry_id"]}
        for d in summary["days"]
    ]
    data["periods"] = [dict(p, start=p["start"].isoformat(), end=p["end"].isoformat()) for p in summary["periods"]]
    data["streak"] = {key: _iso(value) if hasattr(value, "isoformat") else value
                      for key, value in summary["streak"].items()}
    return data
