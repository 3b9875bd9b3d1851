"""The catalogue as matcher arrays (music.matching.Catalogue), cached per process and rebuilt when
the catalogue changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from music import matching
from music.models import MoodTag, Track

CATALOGUE_VERSION_KEY = "music:catalogue-version"
CATALOGUE_RECHECK_SECONDS = 30.0


def _bump_catalogue_version() -> None:
    try:
        cache.incr(CATALOGUE_VERSION_KEY)
    except ValueError:
        cache.set(CATALOGUE_VERSION_KEY, 1, timeout=None)


def catalogue_changed() -> None:
    """Tell every process (through the shared cache) that its catalogue arrays are stale: now, for
    this transaction's own reads, and again after commit, for processes that rebuilt meanwhile."""
    _bump_catalogue_version()
    transaction.on_commit(_bump_catalogue_version)


@dataclass
class _CatalogueState:
    version: object = None
    fingerprint: tuple | None = None
    checked_at: float = 0.0
    catalogue: matching.Catalogue | None = None


_state = _CatalogueState()
_state_lock = threading.Lock()


def _fingerprint() -> tuple:
    row = Track.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    tags = MoodTag.objects.aggregate(n=Count("id"))
    return row["n"], row["latest"], tags["n"]


def tag_words() -> tuple[list[matching.TagWords], dict[int, int], dict[int, tuple[float, float]]]:
    tags = list(MoodTag.objects.order_by("pk").values_list("pk", "name_en", "name_ko", "valence", "arousal", "slug"))
    words = [matching.TagWords(en, ko, v, a, slug) for _pk, en, ko, v, a, slug in tags]
    index = {pk: i for i, (pk, *_rest) in enumerate(tags)}
    points = {pk: (v, a) for pk, _en, _ko, v, a, _slug in tags}
    return words, index, points


def catalogue_build() -> matching.Catalogue:
    """Every active track that has coordinates, as arrays for the matcher.

    A track's emotion affinity is, in order: what a curator or an import set; else the mean of its
    mood tags' affinities (so a track tagged both Sad and Happy leans to both, not to the neutral
    middle its mean coordinates suggest); else the affinity of its coordinates."""
    import numpy as np

    from moodsite.emotions import EMOTIONS

    words, tag_index, points = tag_words()
    tag_affinity = matching.affinities_from_va(np.array([[w.valence, w.arousal] for w in words]).reshape(-1, 2))
    tags_of: dict[int, list[int]] = {}
    through = Track.mood_tags.through.objects.filter(track__is_active=True)
    for track_id, tag_id in through.values_list("track_id", "moodtag_id").iterator(chunk_size=20_000):
        tags_of.setdefault(track_id, []).append(tag_id)
    rows = list(
        Track.objects.filter(is_active=True, valence__isnull=False, arousal__isnull=False)
        .order_by("pk")
        .values_list("pk", "artist", "valence", "arousal", "emotion_affinity", "language", "genre",
                     "tempo_bpm", "mode", "sensitive_theme")
        .iterator(chunk_size=20_000)
    )
    pair_track, pair_tag = [], []
    for position, row in enumerate(rows):
        for tag_id in tags_of.get(row[0], ()):
            pair_track.append(position)
            pair_tag.append(tag_index[tag_id])
    from_tags = np.zeros((len(rows), len(EMOTIONS)))
    if pair_track:
        np.add.at(from_tags, np.array(pair_track), tag_affinity[np.array(pair_tag)])
        counts = np.bincount(np.array(pair_track), minlength=len(rows))
        from_tags /= np.maximum(counts, 1)[:, None]

    records = []
    for position, (pk, artist, valence, arousal, affinity, language, genre, tempo, mode, sensitive) in enumerate(rows):
        tag_ids = tags_of.get(pk, ())
        mood_tag = -1
        if tag_ids:
            nearest = min(tag_ids, key=lambda t: (points[t][0] - valence) ** 2 + (points[t][1] - arousal) ** 2)
            mood_tag = tag_index[nearest]
        vector = None
        if isinstance(affinity, dict) and affinity:
            vector = [float(affinity.get(name, 0.0) or 0.0) for name in EMOTIONS]
            if not any(vector):
                vector = None
        if vector is None and tag_ids:
            vector = from_tags[position].tolist()
        records.append(matching.TrackRecord(
            id=pk, artist=artist, valence=valence, arousal=arousal, affinity=vector, language=language,
            genre=genre, tempo=tempo, mode=mode, mood_tag=mood_tag, sensitive=sensitive,
        ))
    return matching.Catalogue.build(records, words)


def catalogue() -> matching.Catalogue:
    """The cached arrays; rebuilt when a curator changed the catalogue (any process), or when the
    database says so (checked at most every 30 s, for writes that bypassed the signals)."""
    version = cache.get(CATALOGUE_VERSION_KEY, 0)
    now = time.monotonic()
    with _state_lock:
        if _state.catalogue is not None and _state.version == version:
            if now - _state.checked_at < CATALOGUE_RECHECK_SECONDS:
                return _state.catalogue
            fingerprint = _fingerprint()
            if fingerprint == _state.fingerprint:
                _state.checked_at = now
                return _state.catalogue
        fingerprint = _fingerprint()
        built = catalogue_build()
        _state.version, _state.fingerprint, _state.checked_at, _state.catalogue = version, fingerprint, now, built
        return built


def catalogue_forget() -> None:
    """Drop this process's arrays (tests)."""
    with _state_lock:
        _state.catalogue = None
        _state.version = None
