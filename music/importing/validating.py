"""Validating one row: cleaned track fields, mood tags, and what is wrong with it."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from moodsite.emotions import EMOTIONS
from music.exporting import FORMULA_PREFIXES
from music.models import MoodTag, normalise_text

LASTFM_COLUMNS = ("artist", "music_name", "duration", "lastfm_url", "youtube_url", "mood_en", "mood_kor")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
                 "www.youtube-nocookie.com", "youtube-nocookie.com"}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
TEXT_LIMITS = {"title": 300, "artist": 200, "album": 300, "licence": 200, "attribution": 300, "genre": 60,
               "key": 40}
URL_FIELDS = ("youtube_url", "lastfm_url", "link_url")
TRUE = {"1", "true", "yes", "y", "on", "active"}
FALSE = {"0", "false", "no", "n", "off", "inactive"}


class _TagIndex:
    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}
        self.points: dict[int, tuple[float, float]] = {}
        for tag in MoodTag.objects.all():
            self.points[tag.pk] = (tag.valence, tag.arousal)
            for name in [tag.slug, tag.name_en, tag.name_ko, *(tag.aliases or [])]:
                self.by_name.setdefault(normalise_text(str(name)), tag.pk)

    def resolve(self, name: str) -> int | None:
        return self.by_name.get(normalise_text(name))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _unneutralise(value: str) -> str:
    """Undo our export's formula-injection guard (a leading apostrophe before = + - @ tab CR)."""
    if len(value) >= 2 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _number(raw, label: str, errors: list[str], *, low: float, high: float, integer: bool = False):
    text = _text(raw)
    if not text:
        return None
    try:
        value = float(text) if not integer else int(float(text)) if re.fullmatch(r"-?\d+(\.0+)?", text) else None
    except ValueError:
        value = None
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        errors.append(_("%(field)s “%(value)s” is not a number") % {"field": label, "value": text[:40]})
        return None
    if not low <= value <= high:
        errors.append(_("%(field)s %(value)s is outside %(low)s…%(high)s")
                      % {"field": label, "value": text[:40], "low": low, "high": high})
        return None
    return value


def _duration(raw, errors: list[str]) -> int | None:
    text = _text(raw)
    if not text:
        return None
    match = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", text)
    if match:
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        return hours * 3600 + minutes * 60 + seconds or None
    value = _number(text, "duration", errors, low=0, high=86_400, integer=True)
    return value or None  # 0 means unknown in the Last.fm files


def _url(raw, label: str, errors: list[str], *, youtube: bool = False) -> str:
    text = _text(raw)
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 500 or " " in text:
        errors.append(_("%(field)s “%(value)s” is not a web address") % {"field": label, "value": text[:60]})
        return ""
    if youtube and (parts.hostname or "").lower() not in YOUTUBE_HOSTS:
        errors.append(_("%(field)s “%(value)s” is not a YouTube link") % {"field": label, "value": text[:60]})
        return ""
    return text


def _tag_names(raw) -> list[str]:
    if isinstance(raw, list):
        return [_text(v) for v in raw if _text(v)]
    return [part.strip() for part in re.split(r"[|;]", _text(raw)) if part.strip()]


def _validate(fields: dict, layout: str, tags: _TagIndex) -> tuple[dict, list[int], list[str]]:
    errors: list[str] = []
    values: dict = {}
    if layout == "lastfm":
        get = {
            "artist": fields.get("artist"), "title": fields.get("music_name"),
            "duration": fields.get("duration"), "lastfm_url": fields.get("lastfm_url"),
            "youtube_url": fields.get("youtube_url"),
        }.get
        names = _tag_names(fields.get("mood_en")) or _tag_names(fields.get("mood_kor"))
    else:
        get = fields.get
        names = _tag_names(fields.get("mood_tags"))

    for name in ("title", "artist"):
        value = _unneutralise(_text(get(name)))
        if not value:
            errors.append(_("%(field)s is missing") % {"field": name})
        elif len(value) > TEXT_LIMITS[name]:
            errors.append(_("%(field)s is longer than %(n)s characters") % {"field": name, "n": TEXT_LIMITS[name]})
        values[name] = value
    duration = _duration(get("duration"), errors)
    if duration:
        values["duration_seconds"] = duration
    values["youtube_url"] = _url(get("youtube_url"), "youtube_url", errors, youtube=True)
    values["lastfm_url"] = _url(get("lastfm_url"), "lastfm_url", errors)

    if layout == "moodsite":
        for name in ("album", "licence", "attribution", "genre", "key"):
            value = _unneutralise(_text(fields.get(name)))
            if len(value) > TEXT_LIMITS[name]:
                errors.append(_("%(field)s is longer than %(n)s characters") % {"field": name, "n": TEXT_LIMITS[name]})
            values[name] = value
        values["link_url"] = _url(fields.get("link_url"), "link_url", errors)
        language = _text(fields.get("language")).lower()
        if language and not LANGUAGE_RE.fullmatch(language):
            errors.append(_("language “%(value)s” is not a language code such as ko or en")
                          % {"value": language[:20]})
        values["language"] = language
        year = _number(fields.get("year"), "year", errors, low=800, high=2100, integer=True)
        values["year"] = year
        valence = _number(fields.get("valence"), "valence", errors, low=-1, high=1)
        arousal = _number(fields.get("arousal"), "arousal", errors, low=-1, high=1)
        if (valence is None) != (arousal is None) and not errors:
            errors.append(_("valence and arousal go together: give both or neither"))
        if valence is not None and arousal is not None:
            values["valence"], values["arousal"] = round(valence, 4), round(arousal, 4)
            source = _text(fields.get("coordinates_source")).lower()
            values["coordinates_source"] = source if source in ("tags", "curator", "audio") else "curator"
            if source == "tags":
                values.pop("valence"), values.pop("arousal")
                values["coordinates_source"] = "tags"
        affinity = fields.get("emotion_affinity")
        if not isinstance(affinity, dict):
            affinity = {e: fields.get(f"affinity_{e}") for e in EMOTIONS if _text(fields.get(f"affinity_{e}"))}
        if affinity:
            cleaned = {}
            for emotion in EMOTIONS:
                value = _number(affinity.get(emotion), f"affinity_{emotion}", errors, low=0, high=1)
                cleaned[emotion] = value or 0.0
            values["emotion_affinity"] = cleaned
        values["tempo_bpm"] = _number(fields.get("tempo_bpm"), "tempo_bpm", errors, low=20, high=320)
        values["energy"] = _number(fields.get("energy"), "energy", errors, low=0, high=1)
        mode = _text(fields.get("mode")).lower()
        if mode and mode not in ("major", "minor"):
            errors.append(_("mode “%(value)s” is not major or minor") % {"value": mode[:20]})
        key_lower = values["key"].lower()
        values["mode"] = mode or ("minor" if "minor" in key_lower else "major" if "major" in key_lower else "")
        active = _text(fields.get("active")).lower()
        if active and active not in TRUE | FALSE:
            errors.append(_("active “%(value)s” is not yes or no") % {"value": active[:20]})
        if active:
            values["is_active"] = active in TRUE
        sensitive = _text(fields.get("sensitive_theme")).lower()
        if sensitive and sensitive not in TRUE | FALSE:
            errors.append(_("sensitive_theme “%(value)s” is not yes or no") % {"value": sensitive[:20]})
        if sensitive:
            values["sensitive_theme"] = sensitive in TRUE

    tag_ids: list[int] = []
    for name in names:
        tag_id = tags.resolve(name)
        if tag_id is None:
            errors.append(_("unknown mood tag “%(name)s”") % {"name": name[:40]})
        elif tag_id not in tag_ids:
            tag_ids.append(tag_id)
    # Blank optional values mean "not given": they never clear what the catalogue has.
    values = {k: v for k, v in values.items() if v not in ("", None)}
    return values, tag_ids, errors
