"""A client's trend, shaped for the charts on the client page and for the API."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from moodsite.emotions import EMOTION_COLOURS, EMOTION_LABELS, EMOTIONS
from welfare.models import Consent
from welfare.periods import MOOD, consent_gaps
from welfare.stats import TrendDay, trend

TREND_RANGES = (30, 90, 365)
DEFAULT_RANGE = 90


def trend_range(value: str | None) -> int:
    """The number of days asked for, if it is one we offer; else the default."""
    try:
        days = int(value or DEFAULT_RANGE)
    except ValueError:
        return DEFAULT_RANGE
    return days if days in TREND_RANGES else DEFAULT_RANGE


def client_trend(*, consent: Consent, days: int, now: datetime.datetime | None = None) -> list[TrendDay]:
    """Every day of the range, ending today in the client's time zone."""
    today = timezone.localtime(now or timezone.now(), consent.client.zone).date()
    return trend(owner_id=consent.client_id, start=today - datetime.timedelta(days=days - 1), end=today,
                 hidden=consent_gaps(consents=[consent], scope=MOOD))


def rolling_mean(days: list[TrendDay], width: int = 7) -> list[float | None]:
    means: list[float | None] = []
    for index in range(len(days)):
        window = [d.mean_valence for d in days[max(0, index - width + 1) : index + 1] if d.mean_valence is not None]
        means.append(round(sum(window) / len(window), 3) if window else None)
    return means


def weekly_emotions(days: list[TrendDay]) -> list[dict]:
    """Emotion counts per 7-day block, the last block ending today."""
    weeks = []
    for end in range(len(days), 0, -7):
        chunk = days[max(0, end - 7) : end]
        weeks.append(
            {
                "start": chunk[0].day.isoformat(),
                "counts": {name: sum(d.emotions.get(name, 0) for d in chunk) for name in EMOTIONS},
            }
        )
    weeks.reverse()
    return weeks


def chart_payload(days: list[TrendDay]) -> dict:
    """Daily mood with its 7-day mean, and the weekly mix of emotions, for Chart.js."""
    return {
        "labels": [d.day.isoformat() for d in days],
        "valence": [d.mean_valence for d in days],
        "rolling": rolling_mean(days),
        "entries": [d.entries for d in days],
        "weeks": weekly_emotions(days),
        "emotions": [{"name": n, "label": str(EMOTION_LABELS[n]), "colour": EMOTION_COLOURS[n]} for n in EMOTIONS],
        "text": {"daily": _("Daily mood"), "rolling": _("7-day mean"), "week": _("Week from")},
    }
