"""Catalogue export as CSV or JSON, in the layout `music.importing` reads back.

Spreadsheet programs execute cells that start with = + - @ (and tab or carriage return, which
some of them skip first): "formula injection" (OWASP, CSV Injection). Every text cell that starts
with one of those characters is written with a leading apostrophe, which spreadsheets show as
text; the importer removes that apostrophe again, so export → import is lossless. Numbers are
written as numbers (a negative valence is not a formula).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from moodsite.emotions import EMOTIONS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMAT_NAME = "moodsite-music-catalogue"
FORMAT_VERSION = 1

COLUMNS = (
    "title", "artist", "album", "year", "duration", "youtube_url", "lastfm_url", "link_url", "language",
    "genre", "licence", "attribution", "mood_tags", "valence", "arousal", "coordinates_source", "tempo_bpm",
    "key", "mode", "energy", "active", "sensitive_theme", *(f"affinity_{e}" for e in EMOTIONS),
)


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet cannot mistake for a formula."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def _number(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def track_record(track, tag_names: list[str]) -> dict:
    """One track in our export layout (plain Python values; text neutralised)."""
    affinity = track.emotion_affinity if isinstance(track.emotion_affinity, dict) else {}
    return {
        "title": neutralise(track.title),
        "artist": neutralise(track.artist),
        "album": neutralise(track.album),
        "year": track.year,
        "duration": track.duration_seconds,
        "youtube_url": neutralise(track.youtube_url),
        "lastfm_url": neutralise(track.lastfm_url),
        "link_url": neutralise(track.link_url),
        "language": neutralise(track.language),
        "genre": neutralise(track.genre),
        "licence": neutralise(track.licence),
        "attribution": neutralise(track.attribution),
        "mood_tags": [neutralise(name) for name in tag_names],
        "valence": track.valence,
        "arousal": track.arousal,
        "coordinates_source": track.coordinates_source,
        "tempo_bpm": track.tempo_bpm,
        "key": neutralise(track.key),
        "mode": track.mode,
        "energy": track.energy,
        "active": track.is_active,
        "sensitive_theme": track.sensitive_theme,
        **{f"affinity_{e}": affinity.get(e) for e in EMOTIONS},
    }


def _records(tracks) -> Iterable[dict]:
    from music.models import Track

    through = Track.mood_tags.through
    tracks = list(tracks)
    names: dict[int, list[str]] = {}
    ids = [t.pk for t in tracks]
    for i in range(0, len(ids), 900):
        rows = through.objects.filter(track_id__in=ids[i:i + 900]).order_by("moodtag__name_en")
        for track_id, name in rows.values_list("track_id", "moodtag__name_en"):
            names.setdefault(track_id, []).append(name)
    for track in tracks:
        yield track_record(track, names.get(track.pk, []))


def export_csv(tracks) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Korean correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in _records(tracks):
        row = []
        for column in COLUMNS:
            value = record[column]
            if column == "mood_tags":
                value = "|".join(value)
            elif column in ("active", "sensitive_theme"):
                value = "yes" if value else "no"
            elif not isinstance(value, str):
                value = _number(value)
            row.append(value)
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_json(tracks) -> bytes:
    data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "tracks": list(_records(tracks))}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
