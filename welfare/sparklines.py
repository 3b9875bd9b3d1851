"""Small mood trend lines as inline SVG, drawn on the server, each with a sentence saying the same.

Sent compactly: one unit per day across and one per step of valence up, so that a day is a short
relative step ("l1-3") in one <path>; colours and strokes come from welfare.css, and so does the
dashed neutral line (a background, not a path). A 30-day line is about 150 bytes of path instead
of the ~400 of an absolute polyline, and the dashboard draws two per client: 100 a page. The
scale (-1 unpleasant, +1 pleasant) is said once under the table, not in every line's sentence.
"""

import functools

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Valence -1..1 maps to y = STEPS * (1 - valence) / 2: pleasant on top, 0.08 of valence a step.
STEPS = 24


@functools.lru_cache(maxsize=16)
def _readings_phrase(language: str | None) -> str:
    # Translated once per language: the dashboard describes 100 lines per page.
    with translation.override(language):
        return _(
            "Last %(days)s days: readings on %(n)s days, from %(first)+.2f to %(last)+.2f, mean %(mean)+.2f."
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


def _y(value: float) -> int:
    value = -1.0 if value < -1.0 else 1.0 if value > 1.0 else value
    return round(STEPS * (1 - value) / 2)


def path_data(values: list[float | None]) -> str:
    """Runs of consecutive days as moves and relative lines; a lone day is a dot ("h0" with
    round caps). Days without readings leave a gap."""
    parts: list[str] = []
    previous: int | None = None
    for x, value in enumerate(values):
        if value is None:
            if previous is not None and parts[-1][0] == "M":
                parts.append("h0")
            previous = None
            continue
        y = _y(value)
        if previous is None:
            parts.append(f"M{x} {y}")
        else:  # after "l", further pairs are lines too
            parts.append(f"{' ' if parts[-1][0] in 'l ' else 'l'}1 {y - previous}")
        previous = y
    if previous is not None and parts[-1][0] == "M":
        parts.append("h0")
    return "".join(parts).replace(" -", "-")


def sparkline(values: list[float | None]) -> SafeString:
    """An <svg> line of daily valence, named by its <title> (the accessible name of role=img)."""
    label = escape(describe(values))
    last = max(len(values) - 1, 1)
    return mark_safe(  # noqa: S308 - every interpolated value is a number or escaped above
        f'<svg class="sparkline" viewBox="-1 -1 {last + 2} {STEPS + 2}" preserveAspectRatio="none" role="img">'
        f'<title>{label}</title><path d="{path_data(values)}"/></svg>'
    )
