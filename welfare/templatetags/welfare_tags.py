from django import template

from moodsite.emotions import EMOTION_LABELS

register = template.Library()


@register.filter
def emotion_label(name: str) -> str:
    return str(EMOTION_LABELS.get(name, name or "—"))


@register.filter
def signed(value: float | None, digits: int = 2) -> str:
    """+0.25 / -0.40, or a dash when there is no figure."""
    return "—" if value is None else f"{value:+.{digits}f}"
