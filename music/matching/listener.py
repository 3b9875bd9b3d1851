"""The person: their feedback, preferences and recent offers, as a per-track adjustment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from music.matching.catalogue import Catalogue

LIKED_TRACK = 0.08
LIKED_ARTIST = 0.04
SKIPPED_TRACK = 0.06  # per skip, at most MAX_SKIPS counted
MAX_SKIPS = 3
DISLIKED_TRACK = 0.6
DISLIKED_ARTIST = 0.10
OTHER_LANGUAGE = 0.12
PREFERRED_GENRE = 0.04
NO_LYRICS = frozenset({"", "zxx"})  # instrumental tracks suit every language preference


@dataclass(frozen=True)
class Listener:
    """What we know of the person's taste: their feedback, preferences and recent offers."""

    liked_tracks: frozenset[int] = frozenset()
    disliked_tracks: frozenset[int] = frozenset()
    skipped_tracks: Mapping[int, int] = field(default_factory=dict)  # track id → number of skips
    liked_artists: frozenset[str] = frozenset()
    disliked_artists: frozenset[str] = frozenset()
    exclude: frozenset[int] = frozenset()  # recently offered: not offered again
    languages: frozenset[str] = frozenset()  # empty: no preference
    genres: frozenset[str] = frozenset()
    match_sadness: bool = False  # "music that matches my sadness exactly" (music.care)


def listener_bonus(catalogue: Catalogue, listener: Listener | None) -> np.ndarray:
    """Per-track adjustment for feedback and preferences; -inf for tracks that must not be offered."""
    bonus = np.zeros(len(catalogue), dtype=np.float32)
    if listener is None or not len(catalogue):
        return bonus
    # Per-artist, per-language and per-genre weights, each applied with one table lookup.
    artist_weight = np.zeros(max(len(catalogue.artists), 1), dtype=np.float32)
    artist_weight[catalogue.artist_codes_of(listener.liked_artists)] += LIKED_ARTIST
    artist_weight[catalogue.artist_codes_of(listener.disliked_artists)] -= DISLIKED_ARTIST
    if artist_weight.any():
        bonus += artist_weight[catalogue.artist_codes]
    if listener.languages:
        wanted = set(listener.languages) | NO_LYRICS
        weight = np.array([0.0 if name in wanted else -OTHER_LANGUAGE for name in catalogue.languages],
                          dtype=np.float32)
        if weight.any():
            bonus += weight[catalogue.language_codes]
    if listener.genres:
        wanted = {g.casefold() for g in listener.genres}
        weight = np.array([PREFERRED_GENRE if name and name in wanted else 0.0 for name in catalogue.genres],
                          dtype=np.float32)
        if weight.any():
            bonus += weight[catalogue.genre_codes]
    bonus[catalogue.rows_of(listener.liked_tracks)] += LIKED_TRACK
    if listener.skipped_tracks:
        rows, found = catalogue.locate(listener.skipped_tracks.keys())
        skips = np.fromiter(listener.skipped_tracks.values(), dtype=np.float32)[found]
        bonus[rows] -= np.float32(SKIPPED_TRACK) * np.minimum(skips, MAX_SKIPS)
    bonus[catalogue.rows_of(listener.disliked_tracks)] -= DISLIKED_TRACK
    bonus[catalogue.rows_of(listener.exclude)] = -np.inf
    return bonus
