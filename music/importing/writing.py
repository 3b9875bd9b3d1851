"""Writing the merged rows to the catalogue in bulk, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.utils import timezone

from music.importing.report import ImportReport, _Row
from music.importing.validating import _TagIndex
from music.matching import coordinates_from_tags
from music.models import Track

# The fields a row of our own layout may set on a track, besides its tags.
TRACK_FIELDS = ("title", "artist", "album", "year", "duration_seconds", "youtube_url", "lastfm_url", "link_url",
                "language", "genre", "licence", "attribution", "valence", "arousal", "emotion_affinity",
                "coordinates_source", "tempo_bpm", "key", "mode", "energy", "is_active", "sensitive_theme")


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
