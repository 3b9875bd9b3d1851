"""The catalogue as column arrays: what the matcher knows of every active track."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from moodsite.emotions import EMOTIONS
from music.matching.geometry import affinities_from_va, artist_key


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
