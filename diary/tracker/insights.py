"""Plain-language insights, each with the numbers behind it, in the reader's language.

Every sentence is a translatable string with its numbers filled in, so a Korean reader gets a
Korean sentence; each insight also carries its numbers for the API and the printable report.
Thresholds are deliberately modest: a difference under 0.1 on the −1…+1 valence scale is
reported as "about the same", and no comparison is made on fewer than three readings.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from diary.tracker.moods import emotion_label
from moodsite.emotions import NEGATIVE_EMOTIONS

MIN_READINGS = 3
MIN_BASELINE_READINGS = 10
SAME_BAND = 0.1


def signed(value: float | None) -> str:
    """+0.05 / −0.32 (a real minus sign), as the tracker writes every valence."""
    if value is None:
        return "–"
    text = f"{abs(value):.2f}"
    return ("−" if value < 0 and text != "0.00" else "+") + text


def _weekday_plural(iso_weekday: int) -> str:
    return [_("Mondays"), _("Tuesdays"), _("Wednesdays"), _("Thursdays"), _("Fridays"),
            _("Saturdays"), _("Sundays")][iso_weekday - 1]


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT")


def _insight(key: str, text: str, **numbers) -> dict:
    return {"key": key, "text": text, "numbers": numbers}


def insights_for(summary: dict) -> list[dict]:
    totals = summary["totals"]
    found: list[dict] = []
    if not totals["entries"]:
        found.append(_insight("empty", _(
            "There are no entries between %(start)s and %(end)s yet. "
            "Write a few words on any day and it will show here."
        ) % {"start": _day(summary["from"]), "end": _day(summary["to"])}))
    found += _recent_vs_baseline(totals)
    found += _previous_period(summary, totals)
    found += _weekdays(summary["weekdays"])
    found += _most_frequent(summary["counts"], totals)
    found += _unpleasant_share(totals)
    found += _agreement(summary["agreement"])
    found += _streak(summary["streak"])
    return found


def _recent_vs_baseline(totals: dict) -> list[dict]:
    recent, baseline = totals["recent_mean"], totals["baseline_mean"]
    if recent is None or baseline is None or totals["recent_n"] < MIN_READINGS \
            or totals["baseline_n"] < MIN_BASELINE_READINGS:
        return []
    numbers = {"recent": recent, "baseline": baseline, "recent_readings": totals["recent_n"],
               "baseline_readings": totals["baseline_n"]}
    words = {"recent": signed(recent), "baseline": signed(baseline)}
    if recent < baseline - SAME_BAND:
        text = _("Over the last 7 days your mood was lower than your 60-day average (%(recent)s vs %(baseline)s).")
    elif recent > baseline + SAME_BAND:
        text = _("Over the last 7 days your mood was higher than your 60-day average (%(recent)s vs %(baseline)s).")
    else:
        text = _("Over the last 7 days your mood was close to your 60-day average (%(recent)s vs %(baseline)s).")
    return [_insight("recent_vs_baseline", text % words, **numbers)]


def _previous_period(summary: dict, totals: dict) -> list[dict]:
    now, before = totals["mean"], totals["previous_mean"]
    if now is None or before is None or totals["with_mood"] < MIN_READINGS or totals["previous_n"] < MIN_READINGS:
        return []
    days = (summary["to"] - summary["from"]).days + 1
    words = {"now": signed(now), "before": signed(before), "days": days}
    if now < before - SAME_BAND:
        text = ngettext(
            "Your average mood in this range (%(now)s) was lower than in the %(days)d day before it (%(before)s).",
            "Your average mood in this range (%(now)s) was lower than in the %(days)d days before it (%(before)s).",
            days)
    elif now > before + SAME_BAND:
        text = ngettext(
            "Your average mood in this range (%(now)s) was higher than in the %(days)d day before it (%(before)s).",
            "Your average mood in this range (%(now)s) was higher than in the %(days)d days before it (%(before)s).",
            days)
    else:
        text = ngettext(
            "Your average mood in this range (%(now)s) was about the same as in the %(days)d day before it "
            "(%(before)s).",
            "Your average mood in this range (%(now)s) was about the same as in the %(days)d days before it "
            "(%(before)s).",
            days)
    return [_insight("previous_period", text % words, mean=now, previous_mean=before, days=days)]


def _weekdays(weekdays: list[dict]) -> list[dict]:
    known = [w for w in weekdays if w["mean"] is not None and w["entries"] >= 2]
    if len(known) < 3:
        return []
    best = max(known, key=lambda w: w["mean"])
    worst = min(known, key=lambda w: w["mean"])
    if best["mean"] - worst["mean"] < SAME_BAND:
        return [_insight("weekdays_even", _("Your mood is much the same on every day of the week."))]
    found = [_insight("best_weekday", ngettext(
        "%(days)s are your best days (average %(mean)s over %(n)d entry).",
        "%(days)s are your best days (average %(mean)s over %(n)d entries).", best["entries"],
    ) % {"days": _weekday_plural(best["weekday"]), "mean": signed(best["mean"]), "n": best["entries"]},
        weekday=best["weekday"], mean=best["mean"], entries=best["entries"])]
    found.append(_insight("hardest_weekday", ngettext(
        "%(days)s are your hardest days (average %(mean)s over %(n)d entry).",
        "%(days)s are your hardest days (average %(mean)s over %(n)d entries).", worst["entries"],
    ) % {"days": _weekday_plural(worst["weekday"]), "mean": signed(worst["mean"]), "n": worst["entries"]},
        weekday=worst["weekday"], mean=worst["mean"], entries=worst["entries"]))
    return found


def _most_frequent(counts: dict, totals: dict) -> list[dict]:
    total = sum(counts.values())
    if total < MIN_READINGS:
        return []
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (emotion, n), runner_up = ranked[0], ranked[1][1]
    if n == runner_up:
        return []  # a tie names no mood in particular
    percent = round(100 * n / total)
    text = ngettext(
        "Your most frequent mood was %(mood)s: %(n)d of %(total)d entry (%(percent)d%%).",
        "Your most frequent mood was %(mood)s: %(n)d of %(total)d entries (%(percent)d%%).", total,
    ) % {"mood": emotion_label(emotion), "n": n, "total": total, "percent": percent}
    return [_insight("most_frequent", text, emotion=emotion, entries=n, total=total, percent=percent)]


def _unpleasant_share(totals: dict) -> list[dict]:
    total, negative = totals["with_mood"], totals["negative"]
    if total < 5 or negative * 2 < total:
        return []
    percent = round(100 * negative / total)
    names = ", ".join(emotion_label(name) for name in sorted(NEGATIVE_EMOTIONS))
    text = _(
        "Unpleasant moods (%(names)s) made up %(percent)d%% of your entries in this range (%(n)d of %(total)d). "
        "If this goes on, it may help to talk to someone you trust."
    ) % {"names": names, "percent": percent, "n": negative, "total": total}
    return [_insight("unpleasant_share", text, entries=negative, total=total, percent=percent)]


def _agreement(agreement: dict) -> list[dict]:
    if not agreement["both"]:
        return []
    text = ngettext(
        "The automatic reading matched your own choice on %(agree)d of %(both)d entry (%(percent)s%%).",
        "The automatic reading matched your own choice on %(agree)d of %(both)d entries (%(percent)s%%).",
        agreement["both"],
    ) % {"agree": agreement["agree"], "both": agreement["both"], "percent": f"{agreement['percent']:.0f}"}
    return [_insight("agreement", text, **agreement)]


def _streak(streak: dict) -> list[dict]:
    if not streak["longest"]:
        return []
    longest = ngettext("%(n)d day", "%(n)d days", streak["longest"]) % {"n": streak["longest"]}
    if streak["current"]:
        current = ngettext("%(n)d day", "%(n)d days", streak["current"]) % {"n": streak["current"]}
        text = _("You have written on %(current)s in a row. Your longest run is %(longest)s "
                 "(%(start)s – %(end)s).")
    else:
        current = ""
        text = _("Your longest run of days with an entry is %(longest)s (%(start)s – %(end)s).")
    text = text % {"current": current, "longest": longest, "start": _day(streak["longest_from"]),
                   "end": _day(streak["longest_to"])}
    return [_insight("streak", text, current=streak["current"], longest=streak["longest"])]
