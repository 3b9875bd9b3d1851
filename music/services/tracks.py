"""Writes to the catalogue's tracks: coordinates from their tags and the curator's bulk actions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from music import matching
from music.models import MoodTag, Track
from music.services.arrays import catalogue_changed, tag_words


def track_coordinates_refresh(tracks: Iterable[Track], *, force: bool = False) -> list[Track]:
    """Give tracks their coordinates from their mood tags, unless a curator (or the audio analysis
    the curator accepted) set them; `force` applies the tags anyway. Returns the tracks changed."""
    tracks = list(tracks)
    if not tracks:
        return []
    _words, _index, points = tag_words()
    tags_of: dict[int, list[int]] = {}
    for track_id, tag_id in Track.mood_tags.through.objects.filter(track__in=[t.pk for t in tracks]).values_list(
        "track_id", "moodtag_id"
    ):
        tags_of.setdefault(track_id, []).append(tag_id)
    changed = []
    now = timezone.now()
    for track in tracks:
        if not force and track.coordinates_source in (Track.CoordinatesSource.CURATOR, Track.CoordinatesSource.AUDIO):
            continue
        coordinates = matching.coordinates_from_tags(points[t] for t in tags_of.get(track.pk, ()))
        source = Track.CoordinatesSource.TAGS if coordinates else Track.CoordinatesSource.NONE
        valence, arousal = coordinates if coordinates else (None, None)
        if (track.valence, track.arousal, track.coordinates_source) != (valence, arousal, source) or force:
            track.valence, track.arousal, track.coordinates_source = valence, arousal, source
            if force:
                track.emotion_affinity = None
            track.updated_at = now
            changed.append(track)
    if changed:
        Track.objects.bulk_update(
            changed, ["valence", "arousal", "coordinates_source", "emotion_affinity", "updated_at"], batch_size=500
        )
        catalogue_changed()
    return changed


def tracks_set_active(*, tracks, active: bool) -> int:
    count = tracks.update(is_active=active, updated_at=timezone.now())
    catalogue_changed()
    return count


def tracks_set_sensitive(*, tracks, sensitive: bool) -> int:
    """The curator's flag for works about death, mourning, funerals, war or despair."""
    count = tracks.update(sensitive_theme=sensitive, updated_at=timezone.now())
    catalogue_changed()
    return count


@transaction.atomic
def tracks_set_mood(*, tracks, tags: Iterable[MoodTag], replace: bool = True) -> int:
    """The curator's "set mood" action: give the tracks these tags; their coordinates follow."""
    tags = list(tags)
    tracks = list(tracks)
    through = Track.mood_tags.through
    if replace:
        through.objects.filter(track__in=tracks).delete()
    through.objects.bulk_create(
        [through(track_id=track.pk, moodtag_id=tag.pk) for track in tracks for tag in tags], ignore_conflicts=True
    )
    track_coordinates_refresh(tracks, force=True)
    catalogue_changed()
    return len(tracks)


@transaction.atomic
def tracks_accept_suggestion(*, tracks) -> int:
    """Copy the audio analysis's suggestions (coordinates, tempo, key, energy) onto the tracks."""
    changed = []
    for track in tracks:
        if track.suggested_valence is None or track.suggested_arousal is None:
            continue
        track.valence, track.arousal = track.suggested_valence, track.suggested_arousal
        track.coordinates_source = Track.CoordinatesSource.AUDIO
        track.emotion_affinity = None
        analysis = track.analysis or {}
        if analysis.get("tempo"):
            track.tempo_bpm = analysis["tempo"]
        if analysis.get("key"):
            track.key = analysis["key"]
            track.mode = analysis.get("mode", "")
        if analysis.get("energy") is not None:
            track.energy = analysis["energy"]
        track.updated_at = timezone.now()
        changed.append(track)
    Track.objects.bulk_update(
        changed,
        ["valence", "arousal", "coordinates_source", "emotion_affinity", "tempo_bpm", "key", "mode", "energy",
         "updated_at"],
    )
    catalogue_changed()
    return len(changed)
