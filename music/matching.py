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
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils import translation

from inference.emotions import CIRCUMPLEX, EMOTIONS
from music import care, reasons
from music.reasons import Reason

STRATEGIES: tuple[str, ...] = ("match", "lift", "calm")
DEFAULT_STRATEGY = "match"
# Where a lift session can lead, in (valence, arousal).
TARGETS: dict[str, tuple[float, float]] = {
    "calm": (0.45, -0.55),
    "joyful": (0.80, 0.45),
    "energised": (0.55, 0.75),
}
DEFAULT_TARGET = "calm"
DEFAULT_COUNT = 10
DEFAULT_SESSION_LENGTH = 6
MAX_COUNT = 50

EMOTION_POINTS = np.array([CIRCUMPLEX[name] for name in EMOTIONS], dtype=np.float32)  # (7, 2)
AFFINITY_SIGMA = 0.4
MAX_DISTANCE = 2 * math.sqrt(2)  # the diagonal of the [-1, 1]² square
PROXIMITY_SIGMA = 0.35

W_PROXIMITY = 0.6
W_EMOTION = 0.4
MMR_LAMBDA = 0.75
LIKED_TRACK = 0.08
LIKED_ARTIST = 0.04
SKIPPED_TRACK = 0.06  # per skip, at most MAX_SKIPS counted
MAX_SKIPS = 3
DISLIKED_TRACK = 0.6
DISLIKED_ARTIST = 0.10
OTHER_LANGUAGE = 0.12
PREFERRED_GENRE = 0.04
SAME_ARTIST_IN_SESSION = 0.10
SLOW_TEMPO = 0.05  # calm strategy: a small bonus for slow tracks
NO_LYRICS = frozenset({"", "zxx"})  # instrumental tracks suit every language preference


# --- Mood geometry ------------------------------------------------------------------------------


def affinities_from_va(va: np.ndarray) -> np.ndarray:
    """(n, 2) valence–arousal → (n, 7) affinity for each emotion (Gaussian kernel, rows sum to 1)."""
    va = np.asarray(va, dtype=np.float32).reshape(-1, 2)
    d2 = ((va[:, None, :] - EMOTION_POINTS[None, :, :]) ** 2).sum(axis=2)
    weights = np.exp(-d2 / (2 * AFFINITY_SIGMA**2))
    return weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)


def affinity_from_va(valence: float, arousal: float) -> dict[str, float]:
    row = affinities_from_va(np.array([[valence, arousal]]))[0]
    return {name: round(float(value), 4) for name, value in zip(EMOTIONS, row, strict=True)}


def coordinates_from_tags(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    """A track's coordinates from its mood tags' coordinates: their mean (None without tags)."""
    points = sorted(points)  # the same tags in any order give exactly the same coordinates
    if not points:
        return None
    valence = sum(p[0] for p in points) / len(points)
    arousal = sum(p[1] for p in points) / len(points)
    return round(valence, 3), round(arousal, 3)


def emotion_vector(probabilities: Mapping[str, float] | Sequence[float]) -> np.ndarray:
    """A distribution over EMOTIONS as a unit vector (EMOTIONS order)."""
    if isinstance(probabilities, Mapping):
        values = [float(probabilities.get(name, 0.0) or 0.0) for name in EMOTIONS]
    else:
        values = [float(v) for v in probabilities]
    vec = np.clip(np.array(values, dtype=np.float32), 0.0, None)
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        vec = np.zeros(len(EMOTIONS), dtype=np.float32)
        vec[EMOTIONS.index("neutral")] = 1.0
        return vec
    return vec / norm


def mood_point(probabilities: Mapping[str, float] | Sequence[float]) -> tuple[float, float, np.ndarray]:
    """The target point (expected valence, arousal) and emotion vector of a distribution."""
    vec = emotion_vector(probabilities)
    weights = vec / max(float(vec.sum()), 1e-12)
    valence, arousal = (weights @ EMOTION_POINTS).tolist()
    return float(valence), float(arousal), vec


def quadrant_matches(emotion: str, valence: float, arousal: float, *, centre: float = 0.3) -> bool:
    """Whether a point lies in the circumplex region of an emotion: its quadrant, or for neutral
    (at the origin) the central square |v|, |a| ≤ `centre`."""
    ev, ea = CIRCUMPLEX[emotion]
    if ev == 0 and ea == 0:
        return abs(valence) <= centre and abs(arousal) <= centre
    return (valence > 0) == (ev > 0) and (arousal > 0) == (ea > 0)


def artist_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


# --- The catalogue as arrays --------------------------------------------------------------------


@dataclass(frozen=True)
class TrackRecord:
    """One active track as the matcher sees it (plain values, built by music.services)."""

    id: int
    artist: str
    valence: float
    arousal: float
    affinity: Sequence[float] | None = None  # EMOTIONS order; derived from (valence, arousal) if None
    language: str = ""
    genre: str = ""
    tempo: float | None = None
    mode: str = ""  # "major", "minor" or ""
    mood_tag: int = -1  # index into the catalogue's tags: the word used in reasons
    sensitive: bool = False  # a curator's "sensitive theme" flag (see music.care)


@dataclass(frozen=True)
class TagWords:
    name_en: str
    name_ko: str
    valence: float
    arousal: float
    slug: str = ""  # what a stored reason keeps (music.reasons); the names are for showing it


class _Grid:
    """The tracks bucketed by valence–arousal cell, so that a search near a point can read only the
    tracks within some radius (a 16 x 16 grid over [-1, 1]²; each cell is a slice of `order`)."""

    CELLS = 16

    def __init__(self, valence: np.ndarray, arousal: np.ndarray) -> None:
        g = self.CELLS
        self.size = 2.0 / g
        cx = np.clip(((valence + 1.0) / self.size).astype(np.int64), 0, g - 1)
        cy = np.clip(((arousal + 1.0) / self.size).astype(np.int64), 0, g - 1)
        cell = cx * g + cy
        self.order = np.argsort(cell, kind="stable")
        self.start = np.searchsorted(cell[self.order], np.arange(g * g + 1))
        self.low = -1.0 + np.arange(g) * self.size
        self.high = self.low + self.size

    def rows_within(self, point: tuple[float, float], radius: float) -> np.ndarray:
        """Every row in a cell that comes within `radius` of `point` (a superset of the disc)."""
        g = self.CELLS
        dx = np.maximum(0.0, np.maximum(self.low - point[0], point[0] - self.high))
        dy = np.maximum(0.0, np.maximum(self.low - point[1], point[1] - self.high))
        near = dx[:, None] ** 2 + dy[None, :] ** 2 <= radius * radius
        pieces = []
        for i in np.flatnonzero(near.any(axis=1)):
            columns = np.flatnonzero(near[i])  # a disc meets a column of cells in one run
            a, b = self.start[i * g + columns[0]], self.start[i * g + columns[-1] + 1]
            if b > a:
                pieces.append(self.order[a:b])
        return np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)


class Catalogue:
    """Column arrays for every active track; built once per catalogue version and shared."""

    def __init__(self, *, ids, va, affinity, artist_codes, artists, language_codes, languages,
                 genre_codes, genres, tempo, mode, mood_tag, tags: Sequence[TagWords], sensitive=None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.va = np.asarray(va, dtype=np.float32).reshape(-1, 2)
        # Column-wise copies: reductions over a length-2 or length-7 axis are slow in numpy, and
        # a (7, n) @ (7,) product is ~100x faster than (n, 7) @ (7,) for float32.
        self.valence = np.ascontiguousarray(self.va[:, 0])
        self.arousal = np.ascontiguousarray(self.va[:, 1])
        affinity = np.asarray(affinity, dtype=np.float32).reshape(-1, len(EMOTIONS))
        norms = np.linalg.norm(affinity, axis=1, keepdims=True)
        self.affinity = affinity / np.maximum(norms, 1e-12)
        self.affinity_t = np.ascontiguousarray(self.affinity.T)
        self.artist_codes = np.asarray(artist_codes, dtype=np.int32)
        self.artists = tuple(artists)  # normalised names, by code
        self.language_codes = np.asarray(language_codes, dtype=np.int16)
        self.languages = tuple(languages)
        self.genre_codes = np.asarray(genre_codes, dtype=np.int16)
        self.genres = tuple(genres)
        self.tempo = np.asarray(tempo, dtype=np.float32)
        self.mode = np.asarray(mode, dtype=np.int8)  # 1 major, -1 minor, 0 unknown
        self.sensitive = (np.zeros(len(self.ids), dtype=bool) if sensitive is None
                          else np.asarray(sensitive, dtype=bool))
        self.tags = tuple(tags)
        mood_tag = np.asarray(mood_tag, dtype=np.int32)
        if len(self.tags) and len(mood_tag) and (mood_tag < 0).any():
            # Tracks without a named tag speak with the nearest tag of the vocabulary.
            tag_points = np.array([[t.valence, t.arousal] for t in self.tags], dtype=np.float32)
            missing = np.flatnonzero(mood_tag < 0)
            mood_tag = mood_tag.copy()
            for i in range(0, len(missing), 20_000):
                part = missing[i:i + 20_000]
                d2 = ((self.va[part, None, :] - tag_points[None, :, :]) ** 2).sum(axis=2)
                mood_tag[part] = d2.argmin(axis=1)
        self.mood_tag = mood_tag
        self._row_of: dict[int, int] | None = None
        self._artist_code: dict[str, int] | None = None
        self._sorted_ids: np.ndarray | None = None
        self._id_order: np.ndarray | None = None
        self._grid: _Grid | None = None
        self._artist_order: np.ndarray | None = None
        self._artist_start: np.ndarray | None = None
        self._slow: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @classmethod
    def build(cls, records: Iterable[TrackRecord], tags: Sequence[TagWords] = ()) -> Catalogue:
        records = list(records)
        artists: dict[str, int] = {}
        languages: dict[str, int] = {}
        genres: dict[str, int] = {}
        va = np.array([[r.valence, r.arousal] for r in records], dtype=np.float32).reshape(-1, 2)
        derived = affinities_from_va(va) if records else np.zeros((0, len(EMOTIONS)), np.float32)
        affinity = np.array(
            [r.affinity if r.affinity is not None else derived[i] for i, r in enumerate(records)],
            dtype=np.float32,
        ).reshape(-1, len(EMOTIONS))
        return cls(
            ids=[r.id for r in records],
            va=va,
            affinity=affinity,
            artist_codes=[artists.setdefault(artist_key(r.artist), len(artists)) for r in records],
            artists=list(artists),
            language_codes=[languages.setdefault(r.language or "", len(languages)) for r in records],
            languages=list(languages),
            genre_codes=[genres.setdefault((r.genre or "").casefold(), len(genres)) for r in records],
            genres=list(genres),
            tempo=[r.tempo if r.tempo else np.nan for r in records],
            mode=[1 if r.mode == "major" else -1 if r.mode == "minor" else 0 for r in records],
            mood_tag=[r.mood_tag for r in records],
            tags=tags,
            sensitive=[r.sensitive for r in records],
        )

    def row_of(self, track_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {int(t): i for i, t in enumerate(self.ids.tolist())}
        return self._row_of.get(int(track_id))

    def rows_of(self, track_ids: Iterable[int]) -> np.ndarray:
        """Rows of the given ids (unknown ids are left out), by binary search over the sorted ids."""
        rows, _found = self.locate(track_ids)
        return rows

    def locate(self, track_ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows of the ids found, which of the given ids were found)."""
        wanted = np.fromiter(track_ids, dtype=np.int64)
        if not len(wanted) or not len(self):
            return np.empty(0, dtype=np.int64), np.zeros(len(wanted), dtype=bool)
        if self._sorted_ids is None:
            self._id_order = np.argsort(self.ids, kind="stable")
            self._sorted_ids = self.ids[self._id_order]
        positions = np.minimum(np.searchsorted(self._sorted_ids, wanted), len(self) - 1)
        found = self._sorted_ids[positions] == wanted
        return self._id_order[positions[found]], found

    def rows_of_artist(self, code: int) -> np.ndarray:
        if self._artist_order is None:
            self._artist_order = np.argsort(self.artist_codes, kind="stable")
            self._artist_start = np.searchsorted(self.artist_codes[self._artist_order],
                                                 np.arange(len(self.artists) + 1))
        return self._artist_order[self._artist_start[code]:self._artist_start[code + 1]]

    def grid(self) -> _Grid:
        if self._grid is None:
            self._grid = _Grid(self.valence, self.arousal)
        return self._grid

    @property
    def slow(self) -> np.ndarray:
        """0…1 per track: how slow it is (tempo 60 or less → 1, 100 or more → 0; unknown → 0)."""
        if self._slow is None:
            self._slow = np.nan_to_num(np.clip((100.0 - self.tempo) / 40.0, 0.0, 1.0), nan=0.0).astype(np.float32)
        return self._slow

    def artist_code(self, name: str) -> int | None:
        if self._artist_code is None:
            self._artist_code = {name: i for i, name in enumerate(self.artists)}
        return self._artist_code.get(artist_key(name))

    def artist_codes_of(self, names: Iterable[str]) -> list[int]:
        codes = (self.artist_code(name) for name in names)
        return [code for code in codes if code is not None]


# --- The person ---------------------------------------------------------------------------------


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


# --- Scoring and selection ----------------------------------------------------------------------


def relevance(catalogue: Catalogue, point: tuple[float, float], vec: np.ndarray) -> np.ndarray:
    """Closeness in valence–arousal space plus cosine similarity of emotion vectors, per track."""
    return _proximity(catalogue.valence, catalogue.arousal, point) + np.float32(W_EMOTION) * _cosine(catalogue, vec)


def _proximity(valence: np.ndarray, arousal: np.ndarray, point: tuple[float, float]) -> np.ndarray:
    dv = valence - np.float32(point[0])
    da = arousal - np.float32(point[1])
    dv *= dv
    da *= da
    dv += da
    dv *= np.float32(-1.0 / (2 * PROXIMITY_SIGMA**2))
    proximity = np.exp(dv, out=dv)
    proximity *= np.float32(W_PROXIMITY)
    return proximity


def _cosine(catalogue: Catalogue, vec: np.ndarray) -> np.ndarray:
    """affinity · vec, one emotion row at a time: BLAS's threaded gemv can stall for a scheduler
    tick (~20 ms) on a busy machine, seven fused multiply-adds never do."""
    weights = np.asarray(vec, dtype=np.float32)
    out = catalogue.affinity_t[0] * weights[0]
    for i in range(1, len(weights)):
        if weights[i]:
            out += catalogue.affinity_t[i] * weights[i]
    return out


# Large catalogues are searched near the target point first: a track farther than r from it scores
# at most 0.6·exp(−r²/2σ²) + (emotion term ≤ its weight) + (the largest possible bonus), so when the
# best candidates within r beat that bound, nothing outside r can enter — the result is exact.
PRUNE_MIN_TRACKS = 20_000
SEARCH_RADII = (0.35, 0.5, 0.7, 1.0)
BONUS_CAP = LIKED_TRACK + LIKED_ARTIST + PREFERRED_GENRE


def _outside_bound(radius: float, emotion_weight: float, bonus_cap: float) -> float:
    return W_PROXIMITY * math.exp(-radius * radius / (2 * PROXIMITY_SIGMA**2)) + emotion_weight + bonus_cap


def _top_candidates(catalogue: Catalogue, point: tuple[float, float], cosine: np.ndarray, bonus: np.ndarray,
                    k: int, *, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows (and their scores) for a target point: proximity + emotion term + bonus."""
    bonus_cap = BONUS_CAP + (SLOW_TEMPO if extra is not None else 0.0)
    if len(catalogue) >= PRUNE_MIN_TRACKS:
        grid = catalogue.grid()
        for radius in SEARCH_RADII:
            rows = grid.rows_within(point, radius)
            if len(rows) < k:
                continue
            scores = _proximity(catalogue.valence[rows], catalogue.arousal[rows], point)
            scores += np.float32(W_EMOTION) * cosine[rows]
            scores += bonus[rows]
            if extra is not None:
                scores += extra[rows]
            if np.count_nonzero(np.isfinite(scores)) < k:
                continue
            top = np.argpartition(-scores, k - 1)[:k]
            if scores[top].min() >= _outside_bound(radius, W_EMOTION, bonus_cap):
                return rows[top], scores[top]
    scores = _proximity(catalogue.valence, catalogue.arousal, point)
    scores += np.float32(W_EMOTION) * cosine
    scores += bonus
    if extra is not None:
        scores += extra
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top, scores[top]


def _mmr(catalogue: Catalogue, rows: np.ndarray, scores: np.ndarray, n: int, lam: float = MMR_LAMBDA) -> list[int]:
    """Greedy maximal-marginal-relevance selection of n rows among candidates; no artist twice in
    a row."""
    keep = np.isfinite(scores)
    rows, scores = rows[keep], scores[keep]
    if n <= 0 or not len(rows):
        return []
    order = np.lexsort((catalogue.ids[rows], -scores))  # best first, ties by id
    top, rel = rows[order], scores[order].astype(np.float64)
    va = catalogue.va[top].astype(np.float64)
    artists = catalogue.artist_codes[top]
    max_sim = np.zeros(len(top))
    available = np.ones(len(top), dtype=bool)
    chosen: list[int] = []
    for _ in range(min(n, len(top))):
        mmr = lam * rel - (1 - lam) * max_sim
        mmr[~available] = -np.inf
        if chosen:
            other_artist = available & (artists != artists[chosen[-1]])
            if other_artist.any():
                mmr[~other_artist] = -np.inf
        pick = int(np.argmax(mmr))
        if not np.isfinite(mmr[pick]):
            break
        chosen.append(pick)
        available[pick] = False
        diff = va - va[pick]
        sim = 1.0 - np.sqrt(diff[:, 0] ** 2 + diff[:, 1] ** 2) / MAX_DISTANCE
        sim[artists == artists[pick]] = 1.0
        np.maximum(max_sim, sim, out=max_sim)
    return [int(top[i]) for i in chosen]


def lift_waypoints(start: tuple[float, float], goal: tuple[float, float], n: int) -> list[tuple[float, float]]:
    """n evenly spaced points from the current mood to the target (both included)."""
    if n <= 1:
        return [goal]
    return [
        (start[0] + (goal[0] - start[0]) * i / (n - 1), start[1] + (goal[1] - start[1]) * i / (n - 1))
        for i in range(n)
    ]


def _best_step(catalogue: Catalogue, point: tuple[float, float], weights: tuple[float, float],
               cosines: tuple[np.ndarray, np.ndarray], penalty: np.ndarray,
               tiers: Sequence[tuple[float | None, int | None]]) -> tuple[int, float] | None:
    """The best row for one waypoint under the first tier of constraints that any row meets.

    A tier is (lowest valence allowed along the session's direction, artist to avoid); None means
    no constraint. Large catalogues are searched near the waypoint first (see _top_candidates)."""
    emotion_weight = weights[0] + weights[1]  # both cosines lie in [0, 1]
    radii = SEARCH_RADII if len(catalogue) >= PRUNE_MIN_TRACKS else ()
    for radius in (*radii, None):
        if radius is None:
            valence, arousal, artists = catalogue.valence, catalogue.arousal, catalogue.artist_codes
            cos_a, cos_b, pen, rows = cosines[0], cosines[1], penalty, None
        else:
            rows = catalogue.grid().rows_within(point, radius)
            if not len(rows):
                continue
            valence, arousal, artists = catalogue.valence[rows], catalogue.arousal[rows], catalogue.artist_codes[rows]
            cos_a, cos_b, pen = cosines[0][rows], cosines[1][rows], penalty[rows]
        scores = _proximity(valence, arousal, point)
        scores += np.float32(weights[0]) * cos_a
        scores += np.float32(weights[1]) * cos_b
        scores += pen
        bound = _outside_bound(radius, emotion_weight, BONUS_CAP) if radius is not None else -np.inf
        for floor, avoid in tiers:
            masked = scores
            if floor is not None or avoid is not None:
                masked = scores.copy()
                if floor is not None:
                    masked[valence * np.float32(floor[1]) < np.float32(floor[0])] = -np.inf
                if avoid is not None:
                    masked[artists == avoid] = -np.inf
            best = int(np.argmax(masked))
            if np.isfinite(masked[best]) and masked[best] >= bound:
                return (int(rows[best]) if rows is not None else best), float(masked[best])
            if radius is not None:
                # A better row for this tier may lie farther out (or its only rows do): widen the
                # search before ever falling back to a looser tier.
                break
            # The whole catalogue has no row for this tier: try the next, looser one.
    return None


def _lift(catalogue: Catalogue, start: tuple[float, float], vec: np.ndarray, goal: tuple[float, float],
          n: int, bonus: np.ndarray) -> tuple[list[int], list[float]]:
    """The iso-principle session: one pick per waypoint, valence never turning back."""
    goal_vec = emotion_vector(affinities_from_va(np.array([goal]))[0])
    # cos(affinity, normalise((1-α)·vec + α·goal_vec)) is linear in the two cosines: compute them once.
    cosines = (_cosine(catalogue, vec), _cosine(catalogue, goal_vec))
    direction = 1.0 if goal[0] >= start[0] else -1.0
    artists = catalogue.artist_codes
    penalty = bonus.copy()  # feedback, preferences and exclusions, then picks and same-artist penalties
    chosen: list[int] = []
    chosen_scores: list[float] = []
    previous_valence: float | None = None
    previous_artist: int | None = None
    for i, point in enumerate(lift_waypoints(start, goal, n)):
        alpha = i / (n - 1) if n > 1 else 1.0
        norm = max(float(np.linalg.norm((1 - alpha) * vec + alpha * goal_vec)), 1e-12)
        weights = (W_EMOTION * (1 - alpha) / norm, W_EMOTION * alpha / norm)
        if previous_valence is None:
            tiers = [(None, None)]
        else:
            # direction · valence ≥ direction · previous valence (less a hair for float rounding)
            floor = (direction * previous_valence - 1e-6, direction)
            tiers = [(floor, previous_artist), (floor, None), (None, previous_artist), (None, None)]
        found = _best_step(catalogue, point, weights, cosines, penalty, tiers)
        if found is None:
            break
        pick, score = found
        chosen.append(pick)
        chosen_scores.append(score)
        previous_valence = float(catalogue.valence[pick])
        previous_artist = int(artists[pick])
        penalty[catalogue.rows_of_artist(previous_artist)] -= SAME_ARTIST_IN_SESSION
        penalty[pick] = -np.inf
    return chosen, chosen_scores


# --- Reasons ------------------------------------------------------------------------------------


def reason_for(catalogue: Catalogue, row: int, code: str, *, target: str = "calm", note: str = "") -> Reason:
    """What the track is like and why it is offered, as a code and parameters (music.reasons)."""
    params: dict[str, object] = {}
    tag_index = int(catalogue.mood_tag[row]) if len(catalogue.mood_tag) else -1
    if 0 <= tag_index < len(catalogue.tags) and catalogue.tags[tag_index].slug:
        params["tag"] = catalogue.tags[tag_index].slug
    mode = int(catalogue.mode[row])
    if mode:
        params["mode"] = "major" if mode > 0 else "minor"
    tempo = float(catalogue.tempo[row])
    if math.isfinite(tempo) and tempo > 0:
        params["tempo"] = round(tempo)
    if code in ("lift_step", "lift_end"):
        params["target"] = target
    if note:
        params["note"] = note
    return Reason(code, params)


def tag_names(catalogue: Catalogue, row: int) -> tuple[str, str] | None:
    """The (English, Korean) names of the tag a track's reason speaks with."""
    tag_index = int(catalogue.mood_tag[row]) if len(catalogue.mood_tag) else -1
    if 0 <= tag_index < len(catalogue.tags):
        return catalogue.tags[tag_index].name_en, catalogue.tags[tag_index].name_ko
    return None


def reason_text(catalogue: Catalogue, row: int, code: str, *, lang: str = "en", target: str = "calm",
                note: str = "") -> str:
    """One line in one language, e.g. "calm, major key, 68 BPM — close to how you feel"."""
    with translation.override(lang):
        reason = reason_for(catalogue, row, code, target=target, note=note)
        return reasons.render(reason.code, reason.params, tag=tag_names(catalogue, row))


# --- The entry point ----------------------------------------------------------------------------


def _select(catalogue: Catalogue, point: tuple[float, float], q: np.ndarray, bonus: np.ndarray, n: int, *,
            extra: np.ndarray | None = None) -> tuple[list[int], list[float]]:
    """The n best rows for a point, spread by MMR, and their scores."""
    candidates, scores = _top_candidates(catalogue, point, _cosine(catalogue, q), bonus, max(n * 15, 100),
                                         extra=extra)
    score_of = dict(zip(candidates.tolist(), scores.tolist(), strict=True))
    rows = _mmr(catalogue, candidates, scores, n)
    return rows, [score_of[row] for row in rows]


@dataclass(frozen=True)
class Pick:
    track_id: int
    row: int
    score: float
    valence: float
    arousal: float
    reason: Reason
    tag: tuple[str, str] | None = None  # the names of the mood tag in reason.params["tag"]

    @property
    def reasons(self) -> dict[str, str]:
        """The reason in every language the site speaks (language code → one line)."""
        return reasons.render_each_language(self.reason.code, self.reason.params, tag=self.tag)


def recommend(
    catalogue: Catalogue,
    probabilities: Mapping[str, float] | Sequence[float],
    *,
    strategy: str = DEFAULT_STRATEGY,
    target: str | None = None,
    n: int | None = None,
    listener: Listener | None = None,
) -> list[Pick]:
    """The tracks to offer, in order, each with its reason (a code and parameters: music.reasons)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}.")
    target = target or DEFAULT_TARGET
    if target not in TARGETS:
        raise ValueError(f"Unknown target {target!r}; expected one of {', '.join(TARGETS)}.")
    if n is None:
        n = DEFAULT_SESSION_LENGTH if strategy == "lift" else DEFAULT_COUNT
    n = max(1, min(int(n), MAX_COUNT))
    if not len(catalogue):
        return []
    valence, arousal, vec = mood_point(probabilities)
    bonus = listener_bonus(catalogue, listener)
    # Hard moments (music.care): flagged works held back, the first picks moved towards consoling.
    the_plan = care.plan(probabilities, strategy=strategy, matches_sadness=bool(listener and listener.match_sadness))
    bonus[care.held_back(catalogue.sensitive, the_plan)] = -np.inf
    consoling_vec = emotion_vector(affinities_from_va(np.array([care.CONSOLING]))[0])
    console_point, console_vec = care.start((valence, arousal), vec, consoling_vec, the_plan)

    if strategy == "lift":
        rows, scores_list = _lift(catalogue, console_point, console_vec, TARGETS[target], n, bonus)
    elif strategy == "calm":
        point = TARGETS["calm"]
        q = emotion_vector(affinities_from_va(np.array([point]))[0])
        rows, scores_list = _select(catalogue, point, q, bonus, n, extra=np.float32(SLOW_TEMPO) * catalogue.slow)
    elif the_plan.consoling:
        # The first few console; the rest meet the mood (never with a flagged work).
        first = min(n, care.CONSOLING_FIRST)
        rows, scores_list = _select(catalogue, console_point, console_vec, bonus, first)
        if n > first:
            rest = bonus.copy()
            rest[rows] = -np.inf
            more, more_scores = _select(catalogue, (valence, arousal), vec, rest, n - first)
            rows, scores_list = rows + more, scores_list + more_scores
    else:
        rows, scores_list = _select(catalogue, (valence, arousal), vec, bonus, n)

    liked_rows = set(catalogue.rows_of(listener.liked_tracks).tolist()) if listener else set()
    liked_artist_codes = set(catalogue.artist_codes_of(listener.liked_artists)) if listener else set()
    picks: list[Pick] = []
    for position, row in enumerate(rows):
        v, a = (float(x) for x in catalogue.va[row])
        if strategy == "lift":
            relation = "lift_start" if position == 0 else "lift_end" if position == len(rows) - 1 else "lift_step"
        elif strategy == "calm":
            relation = "calm"
        else:
            relation = "match" if math.hypot(v - valence, a - arousal) <= 0.45 else "match_far"
        score = scores_list[position]
        note = ""
        if row in liked_rows:
            note = "liked"
        elif int(catalogue.artist_codes[row]) in liked_artist_codes:
            note = "liked_artist"
        code = care.reason(the_plan, position=position) or relation
        reason = reason_for(catalogue, row, code, target=target, note=note)
        picks.append(Pick(int(catalogue.ids[row]), int(row), round(score, 4), round(v, 3), round(a, 3), reason,
                          tag_names(catalogue, row)))
    return picks
