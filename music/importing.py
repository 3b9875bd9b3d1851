"""Catalogue import from CSV and JSON, with a validation report.

Two layouts are recognised from the header (CSV) or the keys (JSON):
  * the Last.fm mood-CSV layout: artist, music_name, duration, lastfm_url, youtube_url, mood_EN, mood_KOR
  * our own export layout (music.exporting.COLUMNS): title, artist, album, year, …, mood_tags, valence, …

Every row is validated; rows with the same artist and title (after Unicode and case
normalisation) are merged — within the files and with the catalogue. A file with any rejected
row imports nothing unless the curator asks for the valid rows to be imported. All database work
is bulk (one transaction), so that ~10,000 rows take seconds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moodsite.emotions import EMOTIONS
from music.exporting import FORMULA_PREFIXES
from music.matching import coordinates_from_tags
from music.models import MoodTag, Track, normalise_text, track_match_key

IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_ROWS = 200_000
LASTFM_COLUMNS = ("artist", "music_name", "duration", "lastfm_url", "youtube_url", "mood_en", "mood_kor")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
                 "www.youtube-nocookie.com", "youtube-nocookie.com"}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
TEXT_LIMITS = {"title": 300, "artist": 200, "album": 300, "licence": 200, "attribution": 300, "genre": 60,
               "key": 40}
URL_FIELDS = ("youtube_url", "lastfm_url", "link_url")
TRUE = {"1", "true", "yes", "y", "on", "active"}
FALSE = {"0", "false", "no", "n", "off", "inactive"}
# The fields a row of our own layout may set on a track, besides its tags.
TRACK_FIELDS = ("title", "artist", "album", "year", "duration_seconds", "youtube_url", "lastfm_url", "link_url",
                "language", "genre", "licence", "attribution", "valence", "arousal", "emotion_affinity",
                "coordinates_source", "tempo_bpm", "key", "mode", "energy", "is_active", "sensitive_theme")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not text, unknown layout, too large…)."""


@dataclass
class Rejection:
    source: str
    line: int  # CSV: the physical line the row starts on (the header is line 1); JSON: item number
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        where = _("line %(n)s") % {"n": self.line} if self.unit == "line" else _("item %(n)s") % {"n": self.line}
        return f"{self.source}, {where}: {self.reason}"


@dataclass
class Merge:
    source: str
    line: int
    into_source: str
    into_line: int
    unit: str = "line"


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows merged into an earlier row with the same artist and title
    rejected: list[Rejection] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    imported: bool = False
    valid_rows_only: bool = False
    seconds: float = 0.0

    @property
    def has_errors(self) -> bool:
        return bool(self.rejected or self.file_errors)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates_merged": self.duplicates,
            "rejected": [
                {"file": r.source, r.unit: r.line, "reason": r.reason} for r in self.rejected
            ],
            "file_errors": self.file_errors,
            "warnings": self.warnings,
            "imported": self.imported,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Row:
    source: str
    line: int
    unit: str
    layout: str  # "lastfm" or "moodsite"
    values: dict  # cleaned Track field values present in the row
    tags: list[int]  # MoodTag ids
    key: str = ""


# --- Reading files ------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFileError(_("%(name)s is larger than %(mb)s MB; split it into smaller files.")
                              % {"name": name, "mb": IMPORT_MAX_BYTES // (1024 * 1024)})
    if b"\x00" in data[:65536]:
        raise ImportFileError(_("%(name)s is not a CSV or JSON text file (it contains binary data).") % {"name": name})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("%(name)s is not a CSV or JSON text file: it is not UTF-8 text (byte %(pos)s). "
              "Save it as “CSV UTF-8” and try again.") % {"name": name, "pos": error.start}
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("%(name)s is not a CSV or JSON text file (it contains binary data).") % {"name": name})
    if not text.strip():
        raise ImportFileError(_("%(name)s is empty.") % {"name": name})
    return text


def _csv_rows(text: str, name: str) -> tuple[str, Iterator[tuple[int, dict | str]]]:
    """(layout, iterator of (line, {column: value} or an error message))."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(
            _("%(name)s, line 1: not a CSV header (%(error)s).") % {"name": name, "error": error}
        ) from None
    columns = [column.strip().lstrip("\ufeff").lower() for column in header]
    if {"artist", "music_name"} <= set(columns):
        layout = "lastfm"
    elif {"artist", "title"} <= set(columns):
        layout = "moodsite"
    else:
        shown = ", ".join(c[:30] for c in columns[:8]) or "—"
        raise ImportFileError(
            _("%(name)s, line 1: the header (%(shown)s) is not one we know. Expected the Last.fm mood-CSV "
              "columns (artist, music_name, duration, lastfm_url, youtube_url, mood_EN, mood_KOR) or our "
              "export columns (title, artist, …).") % {"name": name, "shown": shown}
        )
    if len(set(columns)) != len(columns):
        raise ImportFileError(_("%(name)s, line 1: a column name appears twice.") % {"name": name})

    def rows() -> Iterator[tuple[int, dict | str]]:
        previous = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportFileError(
                    _("%(name)s, line %(line)s: cannot be read as CSV (%(error)s).")
                    % {"name": name, "line": previous + 1, "error": error}
                ) from None
            line, previous = previous + 1, reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue  # blank lines are not rows
            if len(row) != len(columns):
                yield line, _("has %(found)s fields; the header has %(expected)s.") % {
                    "found": len(row), "expected": len(columns)}
                continue
            yield line, dict(zip(columns, row, strict=True))

    return layout, rows()


def _json_rows(text: str, name: str) -> tuple[str, Iterator[tuple[int, dict | str]]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        line = getattr(error, "lineno", "?")
        raise ImportFileError(
            _("%(name)s, line %(line)s: not valid JSON (%(error)s).")
            % {"name": name, "line": line, "error": getattr(error, "msg", "too deeply nested")}
        ) from None
    items = data.get("tracks") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportFileError(_("%(name)s: expected a list of tracks, or an object with a “tracks” list.")
                              % {"name": name})
    keys = set()
    for item in items[:50]:
        if isinstance(item, dict):
            keys |= {str(k).lower() for k in item}
    layout = "lastfm" if "music_name" in keys and "title" not in keys else "moodsite"

    def rows() -> Iterator[tuple[int, dict | str]]:
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield number, _("is not an object.")
                continue
            yield number, {str(k).lower(): v for k, v in item.items()}

    return layout, rows()


# --- Validating rows ----------------------------------------------------------------------------


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


# --- Importing ----------------------------------------------------------------------------------


def _merge_into(base: _Row, other: _Row) -> None:
    for name, value in other.values.items():
        base.values.setdefault(name, value)
    for tag in other.tags:
        if tag not in base.tags:
            base.tags.append(tag)


def catalogue_import(
    files: Iterable[tuple[str, bytes]], *, valid_rows_only: bool = False, update_existing: bool = True,
    dry_run: bool = False, file_errors: Iterable[str] = (),
) -> ImportReport:
    """Validate and import catalogue files; returns the report (nothing imported when there are
    errors, unless `valid_rows_only`). `update_existing=False` leaves tracks already in the
    catalogue as they are (the starter-catalogue loader). `file_errors` are files refused before
    reading (too large): they count as errors too."""
    started = time.perf_counter()
    report = ImportReport(valid_rows_only=valid_rows_only, file_errors=list(file_errors))
    tags = _TagIndex()
    merged: dict[str, _Row] = {}
    for name, data in files:
        report.files.append(name)
        try:
            text = _decode(data, name)
            stripped = text.lstrip()
            if stripped[:1] in ("[", "{") or name.lower().endswith(".json"):
                layout, rows = _json_rows(text, name)
                unit = "item"
            else:
                layout, rows = _csv_rows(text, name)
                unit = "line"
            file_rows: list[_Row] = []
            rejected: list[Rejection] = []
            for line, fields in rows:
                if len(file_rows) + len(rejected) >= IMPORT_MAX_ROWS:
                    raise ImportFileError(_("%(name)s has more than %(n)s rows; split it into smaller files.")
                                          % {"name": name, "n": IMPORT_MAX_ROWS})
                if isinstance(fields, str):
                    rejected.append(Rejection(name, line, fields, unit))
                    continue
                values, tag_ids, errors = _validate(fields, layout, tags)
                if errors:
                    rejected.append(Rejection(name, line, "; ".join(errors), unit))
                    continue
                file_rows.append(_Row(name, line, unit, layout, values, tag_ids))
        except ImportFileError as error:
            report.file_errors.append(str(error))
            continue
        report.rows += len(file_rows) + len(rejected)
        report.rejected.extend(rejected)
        for row in file_rows:
            row.key = track_match_key(row.values["artist"], row.values["title"])
            first = merged.get(row.key)
            if first is None:
                merged[row.key] = row
            else:
                _merge_into(first, row)
                report.duplicates += 1
                report.merges.append(Merge(row.source, row.line, first.source, first.line, row.unit))

    if report.has_errors and not valid_rows_only:
        report.seconds = time.perf_counter() - started
        return report
    from music.services import catalogue_changed

    with transaction.atomic():
        _write(list(merged.values()), report, tags, update_existing=update_existing)
        if dry_run:
            transaction.set_rollback(True)
        elif report.added or report.updated:
            catalogue_changed()
    report.imported = not dry_run
    report.seconds = time.perf_counter() - started
    return report


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _write(rows: list[_Row], report: ImportReport, tags: _TagIndex, *, update_existing: bool) -> None:
    through = Track.mood_tags.through
    existing: dict[str, Track] = {}
    for chunk in _chunks([r.key for r in rows]):
        for track in Track.objects.filter(match_key__in=chunk):
            existing[track.match_key] = track
    existing_tags: dict[int, set[int]] = {}
    ids = [t.pk for t in existing.values()]
    for chunk in _chunks(ids):
        for track_id, tag_id in through.objects.filter(track_id__in=chunk).values_list("track_id", "moodtag_id"):
            existing_tags.setdefault(track_id, set()).add(tag_id)

    now = timezone.now()
    to_create: list[tuple[Track, list[int]]] = []
    to_update: list[Track] = []
    tag_rows_add: list[tuple[int, int]] = []
    tag_rows_remove: list[tuple[int, int]] = []
    update_fields: set[str] = set()

    for row in rows:
        values = dict(row.values)
        track = existing.get(row.key)
        if track is None:
            track = Track(**values, match_key=row.key)
            _place(track, row.tags, tags, explicit="valence" in values)
            track.created_at = track.updated_at = now
            to_create.append((track, row.tags))
            report.added += 1
            continue
        if not update_existing:
            report.unchanged += 1
            continue
        before = {name: getattr(track, name) for name in TRACK_FIELDS}
        current_tags = existing_tags.get(track.pk, set())
        if row.layout == "lastfm":
            # The Last.fm files only fill in what the catalogue lacks, and add tags.
            for name, value in values.items():
                if name not in ("title", "artist") and not getattr(track, name):
                    setattr(track, name, value)
            new_tags = current_tags | set(row.tags)
        else:
            for name, value in values.items():
                if name not in ("title", "artist"):
                    setattr(track, name, value)
            new_tags = set(row.tags) if row.tags else current_tags
        explicit = "valence" in values
        if not explicit and track.coordinates_source in ("curator", "audio"):
            explicit = True  # keep what a curator decided
        _place(track, list(new_tags), tags, explicit=explicit)
        changed = [name for name in TRACK_FIELDS if getattr(track, name) != before[name]]
        tag_rows_add += [(track.pk, t) for t in new_tags - current_tags]
        tag_rows_remove += [(track.pk, t) for t in current_tags - new_tags]
        if changed or new_tags != current_tags:
            track.updated_at = now
            update_fields.update(changed)
            to_update.append(track)
            report.updated += 1
        else:
            report.unchanged += 1

    if to_create:
        _insert_tracks([t for t, _tags in to_create], now)
        keys = {t.match_key: t for t, _tags in to_create}
        for chunk in _chunks(list(keys)):
            for pk, key in Track.objects.filter(match_key__in=chunk).values_list("pk", "match_key"):
                keys[key].pk = pk
        for track, tag_ids in to_create:
            tag_rows_add += [(track.pk, t) for t in tag_ids]
    if to_update:
        Track.objects.bulk_update(to_update, sorted(update_fields | {"updated_at"}), batch_size=500)
    if tag_rows_remove:
        by_track: dict[int, list[int]] = {}
        for track_id, tag_id in tag_rows_remove:
            by_track.setdefault(track_id, []).append(tag_id)
        for track_id, tag_ids in by_track.items():
            through.objects.filter(track_id=track_id, moodtag_id__in=tag_ids).delete()
    if tag_rows_add:
        _insert_rows(through._meta.db_table, ["track_id", "moodtag_id"], tag_rows_add)


def _insert_tracks(tracks: list[Track], now) -> None:
    """Plain INSERTs: the ORM's bulk_create spends most of an import preparing values
    field by field; here each column is prepared once per kind."""
    fields = [f for f in Track._meta.concrete_fields if not f.primary_key]
    timestamp = Track._meta.get_field("created_at").get_db_prep_save(now, connection)
    getters = []
    for f in fields:
        if f.attname in ("created_at", "updated_at"):
            getters.append(lambda t, _v=timestamp: _v)
        elif f.get_internal_type() == "FileField":
            getters.append(lambda t, _a=f.attname: getattr(t, _a).name or "")
        elif f.get_internal_type() == "JSONField":
            getters.append(
                lambda t, _f=f: None if getattr(t, _f.attname) is None
                else _f.get_db_prep_save(getattr(t, _f.attname), connection)
            )
        else:
            getters.append(lambda t, _a=f.attname: getattr(t, _a))
    _insert_rows(Track._meta.db_table, [f.column for f in fields],
                 [[get(t) for get in getters] for t in tracks])


def _insert_rows(table: str, columns: list[str], rows: list) -> None:
    """INSERT many rows: COPY on PostgreSQL, executemany on SQLite (in-process, no round trips),
    multi-row VALUES statements elsewhere."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        head = f"INSERT INTO {qn(table)} ({names}) VALUES "  # noqa: S608 - table and columns from the model
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if connection.vendor == "sqlite":
            for chunk in _chunks(rows, 5000):
                cursor.executemany(head + one, chunk)
            return
        per_statement = max(1, min(1000, (connection.features.max_query_params or 30_000) // len(columns)))
        for chunk in _chunks(rows, per_statement):
            cursor.execute(head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])


def _place(track: Track, tag_ids: list[int], tags: _TagIndex, *, explicit: bool) -> None:
    """Coordinates from the tags when the row (or a curator earlier) did not set them."""
    key_lower = (track.key or "").lower()
    if track.key and not track.mode:
        track.mode = "minor" if "minor" in key_lower else "major" if "major" in key_lower else ""
    if explicit:
        return
    coordinates = coordinates_from_tags(tags.points[t] for t in tag_ids)
    if coordinates:
        track.valence, track.arousal = coordinates
        track.coordinates_source = Track.CoordinatesSource.TAGS
    else:
        track.valence = track.arousal = None
        track.coordinates_source = Track.CoordinatesSource.NONE
