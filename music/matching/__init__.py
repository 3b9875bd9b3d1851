"""Mood matching: from an emotion distribution to an ordered list of tracks, each with a reason.

Pure functions over numpy arrays — no database and no models in here. `music.services` turns
the catalogue into a `Catalogue` once (cached until the catalogue changes) and the person's
feedback and preferences into a `Listener`; everything below is arithmetic on those.

Strategies
  match  congruent: tracks close to how the person feels.
  lift   the iso principle: a session of N tracks that starts near the current mood and steps
         towards a target the person picks (calm, joyful, energised); valence moves
         monotonically from the start towards the target.
  calm   tracks around the calm point, whatever the current mood.

Scoring (per track, for a target point t and emotion vector q):
  relevance = 0.6 · exp(−|va − t|² / 2·0.35²)  +  0.4 · cos(affinity, q)  +  feedback  +  preferences
then maximal-marginal-relevance selection (λ = 0.75): each next pick trades relevance against its
similarity to the tracks already picked (valence–arousal closeness, 1 for the same artist), and
no two tracks by one artist follow each other.

Modules: geometry (the circumplex), catalogue (the tracks as arrays), listener (feedback and
preferences), search (scoring, pruning, MMR), lift (the iso-principle session), recommending (the
entry point and reasons). Everything public is importable from `music.matching`.
"""

from music.matching.catalogue import Catalogue, TagWords, TrackRecord
from music.matching.geometry import (
    AFFINITY_SIGMA,
    EMOTION_POINTS,
    MAX_DISTANCE,
    PROXIMITY_SIGMA,
    affinities_from_va,
    affinity_from_va,
    artist_key,
    coordinates_from_tags,
    emotion_vector,
    mood_point,
    quadrant_matches,
)
from music.matching.lift import SAME_ARTIST_IN_SESSION, lift_waypoints
from music.matching.listener import (
    DISLIKED_ARTIST,
    DISLIKED_TRACK,
    LIKED_ARTIST,
    LIKED_TRACK,
    MAX_SKIPS,
    NO_LYRICS,
    OTHER_LANGUAGE,
    PREFERRED_GENRE,
    SKIPPED_TRACK,
    Listener,
    listener_bonus,
)
from music.matching.recommending import (
    DEFAULT_COUNT,
    DEFAULT_SESSION_LENGTH,
    DEFAULT_STRATEGY,
    DEFAULT_TARGET,
    MAX_COUNT,
    STRATEGIES,
    TARGETS,
    Pick,
    reason_for,
    reason_text,
    recommend,
    tag_names,
)
from music.matching.search import (
    BONUS_CAP,
    MMR_LAMBDA,
    PRUNE_MIN_TRACKS,
    SEARCH_RADII,
    SLOW_TEMPO,
    W_EMOTION,
    W_PROXIMITY,
    relevance,
)

__all__ = [
    "AFFINITY_SIGMA", "BONUS_CAP", "DEFAULT_COUNT", "DEFAULT_SESSION_LENGTH", "DEFAULT_STRATEGY", "DEFAULT_TARGET",
    "DISLIKED_ARTIST", "DISLIKED_TRACK", "EMOTION_POINTS", "LIKED_ARTIST", "LIKED_TRACK", "MAX_COUNT", "MAX_DISTANCE",
    "MAX_SKIPS", "MMR_LAMBDA", "NO_LYRICS", "OTHER_LANGUAGE", "PREFERRED_GENRE", "PROXIMITY_SIGMA", "PRUNE_MIN_TRACKS",
    "SAME_ARTIST_IN_SESSION", "SEARCH_RADII", "SKIPPED_TRACK", "SLOW_TEMPO", "STRATEGIES", "TARGETS", "W_EMOTION",
    "W_PROXIMITY", "Catalogue", "Listener", "Pick", "TagWords", "TrackRecord", "affinities_from_va",
    "affinity_from_va", "artist_key", "coordinates_from_tags", "emotion_vector", "lift_waypoints",
    "listener_bonus", "mood_point", "quadrant_matches", "reason_for", "reason_text", "recommend", "relevance",
    "tag_names",
]
