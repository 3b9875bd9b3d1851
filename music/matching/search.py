"""Scoring and selection: relevance per track, the search near a target point on large
catalogues, and maximal-marginal-relevance spreading."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from music.matching.catalogue import Catalogue
from music.matching.geometry import MAX_DISTANCE, PROXIMITY_SIGMA
from music.matching.listener import LIKED_ARTIST, LIKED_TRACK, PREFERRED_GENRE

W_PROXIMITY = 0.6
W_EMOTION = 0.4
MMR_LAMBDA = 0.75
SLOW_TEMPO = 0.05  # calm strategy: a small bonus for slow tracks


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


def _select(catalogue: Catalogue, point: tuple[float, float], q: np.ndarray, bonus: np.ndarray, n: int, *,
            extra: np.ndarray | None = None) -> tuple[list[int], list[float]]:
    """The n best rows for a point, spread by MMR, and their scores."""
    candidates, scores = _top_candidates(catalogue, point, _cosine(catalogue, q), bonus, max(n * 15, 100),
                                         extra=extra)
    score_of = dict(zip(candidates.tolist(), scores.tolist(), strict=True))
    rows = _mmr(catalogue, candidates, scores, n)
    return rows, [score_of[row] for row in rows]
