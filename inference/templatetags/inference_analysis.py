from django import template

from inference.selectors import DISPLAY_CAP, Analysis, analysis_for_entry
from inference.serializers import DISCLAIMER
from moodsite.emotions import EMOTION_CHOICES, EMOTION_COLOURS, EMOTION_ICONS

register = template.Library()


def section_context(*, analysis: Analysis, request) -> dict:
    return {
        "analysis": analysis,
        "entry": analysis.entry,
        "request": request,
        "emotion_choices": EMOTION_CHOICES,
        "mood_buttons": [{"value": v, "label": label, "icon": EMOTION_ICONS[v]} for v, label in EMOTION_CHOICES],
        "colours": EMOTION_COLOURS,
        "disclaimer": DISCLAIMER,
    }


@register.inclusion_tag("inference/_analysis_section.html", takes_context=True)
def entry_analysis_section(context, entry) -> dict:
    """The analysis part of an entry page. The page has already checked that the reader owns it."""
    request = context.get("request")
    ctx = section_context(analysis=analysis_for_entry(entry=entry), request=request)
    ctx["csrf_token"] = context.get("csrf_token")
    return ctx


@register.filter
def percent(value) -> str:
    """0.4237 -> "42" (for widths and the text beside each bar); capped at 99: a reading is never
    shown as certain (0.996 rounds to 100 but is not)."""
    if value is None:
        return ""
    return str(min(int(round(float(value) * 100)), int(DISPLAY_CAP * 100)))


@register.filter
def colour(emotion: str) -> str:
    return EMOTION_COLOURS.get(emotion, "#999999")
