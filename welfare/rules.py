"""The three alert rules, as pure functions of a client's figures, the sentence that says why, and
the risk the data shows.

Each rule returns its evidence (the numbers, stored on the alert) when it holds, else None. The
figures come from welfare.stats, which counts moods by the one rule of diary.tracker.moods (the
member's own choice first, else a confident automatic reading). The dashboard's risk badge, the
client page's summary and the alerts all read the same MoodStats over the same window: the last
RECENT_DAYS days up to today in the client's time zone (and the BASELINE_DAYS before them).
"""

import datetime
import math

from django.utils.translation import gettext as _

from moodsite.emotions import EMOTION_LABELS
from welfare.models import Alert, Organisation
from welfare.stats import BASELINE_DAYS, RECENT_DAYS, MoodStats

# A sharp drop needs enough history to mean anything: two weeks of entries in the baseline and
# three in the last week (the same minimum the negative-mood rule uses by default).
MIN_BASELINE_ENTRIES = 14
MIN_RECENT_ENTRIES = 3
# Someone who always picks the same mood has a standard deviation of zero, which would make any
# dip "infinitely many SDs" below. 0.1 is a tenth of the distance from neutral to the extremes.
SD_FLOOR = 0.1
# An episode that has begun lasts until the figure is clearly back, not merely a hair across the
# line: otherwise a share hovering at 60% or a mean hovering at 1.5 SD would open and close an
# alert every other day. Opened at 60% negative, it lasts while at least 50% are; opened at 1.5
# SD below, while at least 1.0 SD below.
NEGATIVE_CLEAR_MARGIN = 0.1
DROP_CLEAR_MARGIN = 0.5


def days_without_entry(stats: MoodStats, *, since: datetime.date, today: datetime.date) -> int:
    """Days since the last entry, or since `since` (the day of consent) if that is later."""
    reference = max(stats.last_day, since) if stats.last_day else since
    return (today - reference).days


def no_entry(stats: MoodStats, org: Organisation, *, since: datetime.date, today: datetime.date) -> dict | None:
    days = days_without_entry(stats, since=since, today=today)
    if days < org.no_entry_days:
        return None
    return {
        "days": days,
        "threshold_days": org.no_entry_days,
        "last_entry": stats.last_day.isoformat() if stats.last_day else None,
    }


def recent_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the window every recent figure covers."""
    return today - datetime.timedelta(days=RECENT_DAYS - 1), today


def _window(today: datetime.date | None) -> dict:
    if today is None:
        return {}
    start, end = recent_window(today)
    return {"window_from": start.isoformat(), "window_to": end.isoformat()}


def negative_mood(stats: MoodStats, org: Organisation, *, running: bool = False,
                  today: datetime.date | None = None) -> dict | None:
    entries = stats.recent_mood_entries
    if entries == 0 or (entries < org.negative_min_entries and not running):
        return None
    share = stats.recent_negative / entries
    threshold = org.negative_share - (NEGATIVE_CLEAR_MARGIN if running else 0.0)
    # Compared with a small tolerance so that 3 of 5 (0.6 in decimal) counts as 60%.
    if share + 1e-9 < threshold:
        return None
    return {
        "negative": stats.recent_negative,
        "entries": entries,
        "share": round(share, 3),
        "threshold_share": org.negative_share,
        "min_entries": org.negative_min_entries,
        "window_days": RECENT_DAYS,
        **_window(today),
        "emotions": stats.negative_by_emotion,
        "own": stats.recent_own,
    }


def baseline_z(stats: MoodStats) -> float | None:
    """How many baseline SDs the 7-day mean sits from the 60-day baseline; None without enough data."""
    if (
        stats.recent_mean is None
        or stats.baseline_mean is None
        or stats.recent_valence_entries < MIN_RECENT_ENTRIES
        or stats.baseline_entries < MIN_BASELINE_ENTRIES
    ):
        return None
    sd = max(stats.baseline_sd or 0.0, SD_FLOOR)
    return (stats.recent_mean - stats.baseline_mean) / sd


def valence_drop(stats: MoodStats, org: Organisation, *, running: bool = False,
                 today: datetime.date | None = None) -> dict | None:
    z = baseline_z(stats)
    threshold = org.drop_sd - (DROP_CLEAR_MARGIN if running else 0.0)
    if z is None or not math.isfinite(z) or z >= -threshold:
        return None
    return {
        "recent_mean": round(stats.recent_mean, 3),
        "recent_entries": stats.recent_valence_entries,
        "baseline_mean": round(stats.baseline_mean, 3),
        "baseline_sd": round(stats.baseline_sd or 0.0, 3),
        "sd_used": round(max(stats.baseline_sd or 0.0, SD_FLOOR), 3),
        "baseline_entries": stats.baseline_entries,
        "z": round(z, 2),
        "threshold_sd": org.drop_sd,
        "window_days": RECENT_DAYS,
        "baseline_days": BASELINE_DAYS,
        **_window(today),
    }


def evaluate(
    stats: MoodStats,
    org: Organisation,
    *,
    since: datetime.date,
    today: datetime.date,
    running: frozenset[str] = frozenset(),
) -> dict[str, dict | None]:
    """Each rule's evidence or None; `running` names the kinds whose episode is already open."""
    return {
        Alert.Kind.NO_ENTRY: no_entry(stats, org, since=since, today=today),
        Alert.Kind.NEGATIVE_MOOD: negative_mood(stats, org, running=Alert.Kind.NEGATIVE_MOOD in running, today=today),
        Alert.Kind.VALENCE_DROP: valence_drop(stats, org, running=Alert.Kind.VALENCE_DROP in running, today=today),
    }


class Risk:
    HIGH = 3
    MEDIUM = 2
    LOW = 1
    LABELS = {3: "high", 2: "medium", 1: "low"}


def risk_from(holding: dict[str, dict | None], stats: MoodStats, org: Organisation, *,
              since: datetime.date, today: datetime.date) -> int:
    """The risk the data shows now, whatever was done with any alert.

    High: a rule holds on today's figures (with the same hysteresis the alerts use, so the badge
    and a running alert agree). Medium: close to a rule — mood at least 1 SD below the baseline,
    a day short of the no-entry threshold, no entry at all, or a negative share within the
    clearing margin of the threshold. Low: none of these. Resolving an alert changes none of it.
    """
    if any(evidence is not None for evidence in holding.values()):
        return Risk.HIGH
    z = baseline_z(stats)
    entries = stats.recent_mood_entries
    near_negative = (
        entries >= org.negative_min_entries
        and stats.recent_negative / entries + 1e-9 >= org.negative_share - NEGATIVE_CLEAR_MARGIN
    )
    if (
        (z is not None and z <= -1.0)
        or stats.last_day is None
        or days_without_entry(stats, since=since, today=today) >= max(org.no_entry_days - 1, 1)
        or near_negative
    ):
        return Risk.MEDIUM
    return Risk.LOW


def alert_reason(kind: str, evidence: dict) -> str:
    """Why the alert fired, with its numbers, in the reader's language."""
    if kind in (Alert.Kind.SELF_CHECK, Alert.Kind.CRISIS):
        return wellbeing_reason(kind, evidence)
    if kind == Alert.Kind.NO_ENTRY:
        if evidence.get("last_entry"):
            return _(
                "No diary entry for %(days)s days (last entry on %(last)s). The centre alerts after %(threshold)s days."
            ) % {
                "days": evidence["days"],
                "last": evidence["last_entry"],
                "threshold": evidence["threshold_days"],
            }
        return _(
            "No diary entry in the %(days)s days since sharing began. The centre alerts after %(threshold)s days."
        ) % {"days": evidence["days"], "threshold": evidence["threshold_days"]}
    if kind == Alert.Kind.NEGATIVE_MOOD:
        emotions = ", ".join(
            f"{EMOTION_LABELS.get(name, name)} {count}" for name, count in sorted(evidence.get("emotions", {}).items())
        )
        if "window_from" in evidence:
            own = evidence.get("own", 0)
            return _(
                "%(negative)s of %(entries)s moods from %(start)s to %(end)s (the last %(window)s days) were "
                "negative (%(percent)s%%: %(emotions)s); %(own)s of the %(entries)s were the member's choice, "
                "%(auto)s read automatically. The centre alerts at %(threshold)s%% with at least %(min)s entries."
            ) % {
                "negative": evidence["negative"],
                "entries": evidence["entries"],
                "start": evidence["window_from"],
                "end": evidence["window_to"],
                "window": evidence["window_days"],
                "percent": round(evidence["share"] * 100),
                "emotions": emotions,
                "own": own,
                "auto": evidence["entries"] - own,
                "threshold": round(evidence["threshold_share"] * 100),
                "min": evidence["min_entries"],
            }
        return _(
            "%(negative)s of %(entries)s entries in the last %(window)s days read as negative "
            "(%(percent)s%%: %(emotions)s). "
            "The centre alerts at %(threshold)s%% with at least %(min)s entries."
        ) % {
            "negative": evidence["negative"],
            "entries": evidence["entries"],
            "window": evidence["window_days"],
            "percent": round(evidence["share"] * 100),
            "emotions": emotions,
            "threshold": round(evidence["threshold_share"] * 100),
            "min": evidence["min_entries"],
        }
    if kind == Alert.Kind.VALENCE_DROP:
        return _(
            "Mean mood over the last %(window)s days was %(recent)+.2f (%(n)s entries), "
            "against %(baseline)+.2f over the %(baseline_days)s days before "
            "(SD %(sd).2f, %(nb)s entries): %(z).1f standard deviations lower. "
            "The centre alerts at %(threshold)s. Mood runs from -1 (unpleasant) to +1 (pleasant)."
        ) % {
            "window": evidence["window_days"],
            "recent": evidence["recent_mean"],
            "n": evidence["recent_entries"],
            "baseline": evidence["baseline_mean"],
            "baseline_days": evidence["baseline_days"],
            "sd": evidence["sd_used"],
            "nb": evidence["baseline_entries"],
            "z": abs(evidence["z"]),
            "threshold": evidence["threshold_sd"],
        }
    return ""


# --- The wellbeing questionnaires and crisis signals (diary.wellbeing) --------------------------
# Used only for consents that include the share_checks scope (welfare.evaluation, welfare.urgent).

# Alerts that events open (a crisis signal), not the periodic figures: evaluation never ends them;
# the caseworker resolves them, or withdrawing the scope does.
EVENT_KINDS = frozenset({Alert.Kind.CRISIS})
WELLBEING_KINDS = frozenset({Alert.Kind.SELF_CHECK, Alert.Kind.CRISIS})


def self_check(latest: dict | None) -> dict | None:
    """Holds while a questionnaire's latest result (last four weeks) is at or above the line where
    the published scale says it is worth talking about: PHQ-9 10, GDS-15 5, UCLA-3 6."""
    from diary.wellbeing.instruments import INSTRUMENTS
    from diary.wellbeing.selectors import RECENT_CHECK_DAYS

    flagged = [
        {
            "instrument": code,
            "score": row.score,
            "maximum": row.maximum,
            "threshold": INSTRUMENTS[code].attention_at,
            "day": row.day.isoformat(),
        }
        for code, row in sorted((latest or {}).items())
        if row.attention and row.score is not None
    ]
    if not flagged:
        return None
    return {"checks": flagged, "window_days": RECENT_CHECK_DAYS}


def wellbeing_reason(kind: str, evidence: dict) -> str:
    from diary.wellbeing.instruments import INSTRUMENTS

    if kind == Alert.Kind.SELF_CHECK:
        parts = []
        for check in evidence.get("checks", []):
            form = INSTRUMENTS.get(check["instrument"])
            if form is None:
                continue
            parts.append(
                _("%(name)s %(score)s of %(max)s on %(day)s (%(band)s; worth talking about from %(threshold)s)")
                % {
                    "name": form.short_name, "score": check["score"], "max": check["maximum"], "day": check["day"],
                    "band": form.band_for(check["score"]).label, "threshold": check["threshold"],
                }
            )
        return _("The client's own wellbeing check: %(checks)s. A questionnaire score is not a diagnosis.") % {
            "checks": "; ".join(parts)
        }
    if kind == Alert.Kind.CRISIS:
        what = (
            _("an answer in the questionnaire (thoughts of being better off dead or of self-harm)")
            if evidence.get("source") == "phq_item9"
            else _("the words of a diary entry about dying or self-harm")
        )
        return _(
            "Crisis help was shown to the client on %(at)s because of %(what)s (%(n)s time(s) in this alert). "
            "Please call them today."
        ) % {"at": evidence.get("last_at", "")[:16].replace("T", " "), "what": what, "n": evidence.get("signals", 1)}
    return ""
