"""Small mood trend lines as inline SVG, drawn on the server, each with a sentence saying the same.

Plain string building: the dashboard draws 600 of these per page (two per client), and
format_html per point made them the slowest part of the page.
"""

import functools

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 120
HEIGHT = 32
PAD = 3
_SPAN_Y = HEIGHT - 2 * PAD
_HALF_SPAN_Y = _SPAN_Y / 2  # valence -1..1 maps to y = PAD + (1 - valence) * _HALF_SPAN_Y: pleasant on top
_MID = f"{PAD + _SPAN_Y / 2:.1f}"
_MIDLINE = f'<line x1="0" x2="{WIDTH}" y1="{_MID}" y2="{_MID}" stroke="#767676" stroke-dasharray="2 3"/>'


@functools.cache
def _xs(count: int) -> tuple[str, ...]:
    step = (WIDTH - 2 * PAD) / (count - 1) if count > 1 else 0.0
    return tuple(f"{PAD + index * step:.1f}" for index in range(count))


@functools.lru_cache(maxsize=16)
def _readings_phrase(language: str | None) -> str:
    # Translated once per language: the dashboard describes 600 lines per page.
    with translation.override(language):
        return _(
            "Last %(days)s days: readings on %(n)s days, from %(first)+.2f to %(last)+.2f, mean %(mean)+.2f "
            "(-1 unpleasant, +1 pleasant)."
        )


def describe(values: list[float | None]) -> str:
    """The text alternative: how many days had entries, where the line starts and ends, its mean."""
    days = len(values)
    present = [v for v in values if v is not None]
    if not present:
        return ngettext("Last %(days)s day: no mood readings.", "Last %(days)s days: no mood readings.", days) % {
            "days": days
        }
    return _readings_phrase(translation.get_language()) % {
        "days": days,
        "n": len(present),
        "first": present[0],
        "last": present[-1],
        "mean": sum(present) / len(present),
    }


def _shape(points: list[str]) -> str:
    """A run of consecutive days: a line, or a dot for a single day."""
    if len(points) > 1:
        return f'<polyline points="{" ".join(points)}" fill="none" stroke="currentColor" stroke-width="2"/>'
    if points:
        cx, cy = points[0].split(",")
        return f'<circle cx="{cx}" cy="{cy}" r="2" fill="currentColor"/>'
    return ""


def sparkline(values: list[float | None]) -> SafeString:
    """An <svg> line of daily valence; days without readings leave a gap."""
    shapes: list[str] = []
    run: list[str] = []
    for x, value in zip(_xs(len(values)), values, strict=True):
        if value is None:
            shapes.append(_shape(run))
            run = []
        else:
            value = -1.0 if value < -1.0 else 1.0 if value > 1.0 else value
            run.append(f"{x},{PAD + (1 - value) * _HALF_SPAN_Y:.1f}")
    shapes.append(_shape(run))
    label = escape(describe(values))
    return mark_safe(  # noqa: S308 - every interpolated value is a number or escaped above
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{label}"><title>{label}</title>{_MIDLINE}{"".join(shapes)}</svg>'
    )
