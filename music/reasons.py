"""Why a track is offered: stored as a code and a few parameters, put into words when shown.

A reason reads "calm, major key, 68 BPM — close to how you feel; you liked it before": what the
track is like (its mood tag, mode and tempo), why it is offered (the code), and what the person
did with it before (the note). Nothing is stored in a language; the sentence is rendered with
gettext in the language that is active when it is shown. The mood tag's name is curated content
that people write in both languages (MoodTag.name_en / name_ko), so only its slug is stored.

Parameters (all optional): tag (a MoodTag slug), mode ("major"/"minor"), tempo (whole BPM),
target (a lift session's target: calm, joyful, energised) and note (liked, liked_artist).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop

# Why a track is offered. The care_* codes are music.care's words for hard moments.
WHY = {
    "match": gettext_noop("close to how you feel"),
    "match_far": gettext_noop("in tune with how you feel"),
    "lift_start": gettext_noop("starts where you are"),
    "lift_step": gettext_noop("a step towards %(target)s"),
    "lift_end": gettext_noop("arrives at %(target)s"),
    "calm": gettext_noop("to help you settle"),
    "care_sad": gettext_noop("gentle and consoling, to keep you company (not music about loss)"),
    "care_fear": gettext_noop("gentle and steady, to help you feel safe"),
    "care_angry": gettext_noop("warm and steady, to help you settle"),
    "care_lift_start": gettext_noop("starts gently, to comfort you"),
    "care_matched": gettext_noop("as sad as you feel, because you asked for that in your music settings"),
}
NOTES = {
    "liked": gettext_noop("you liked it before"),
    "liked_artist": gettext_noop("by an artist you like"),
}
MODES = {"major": gettext_noop("major key"), "minor": gettext_noop("minor key")}
# Where a lift session leads, as the person reads it ("Towards calm", "a step towards joy").
TARGET_LABELS = {"calm": gettext_lazy("calm"), "joyful": gettext_lazy("joy"), "energised": gettext_lazy("energy")}
# Rows stored before reasons had codes, whose sentences could not be read back into a code
# (music migration 0006): their two sentences are kept as they were, {"en": ..., "ko": ...}.
STORED_TEXT = "text"


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


def tag_label(names: tuple[str, str] | None) -> str:
    """A mood tag's name in the active language ((English, Korean) names; English in lower case,
    as it sits inside a sentence)."""
    if not names:
        return ""
    name_en, name_ko = names
    return name_ko if (translation.get_language() or "").startswith("ko") else name_en.lower()


def render(code: str, params: Mapping[str, object], *, tag: tuple[str, str] | None = None) -> str:
    """The reason in the active language; `tag` gives the names of the tag in params["tag"]."""
    if code == STORED_TEXT:
        korean = (translation.get_language() or "").startswith("ko")
        return str(params.get("ko" if korean else "en") or params.get("en") or "")
    parts: list[str] = []
    label = tag_label(tag)
    if label:
        parts.append(label)
    mode = params.get("mode")
    if mode in MODES:
        parts.append(gettext(MODES[mode]))
    if params.get("tempo"):
        parts.append(gettext("%(bpm)s BPM") % {"bpm": params["tempo"]})
    target = str(params.get("target") or "calm")
    why = gettext(WHY.get(code, WHY["match"])) % {"target": TARGET_LABELS.get(target, target)}
    note = params.get("note")
    if note in NOTES:
        why = gettext("%(why)s; %(note)s") % {"why": why, "note": gettext(NOTES[note])}
    if not parts:
        return why
    return gettext("%(track)s — %(why)s") % {"track": ", ".join(parts), "why": why}


def render_each_language(code: str, params: Mapping[str, object], *,
                         tag: tuple[str, str] | None = None) -> dict[str, str]:
    """{language code: the reason in that language} for every language the site speaks."""
    rendered = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            rendered[language] = render(code, params, tag=tag)
    return rendered
