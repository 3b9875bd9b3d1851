from django import template
from django.utils.safestring import SafeString

from inference.emotions import EMOTION_LABELS
from welfare import sparklines

register = template.Library()


@register.filter
def sparkline(values: list[float | None]) -> SafeString:
    return sparklines.sparkline(values)


@register.filter
def trend_text(values: list[float | None]) -> str:
    return sparklines.describe(values)


@register.filter
def emotion_label(name: str) -> str:
    return str(EMOTION_LABELS.get(name, name or "—"))


@register.filter
def signed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"
