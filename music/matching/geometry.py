"""Mood geometry: emotion distributions, points on the circumplex and emotion affinities."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from moodsite.emotions import CIRCUMPLEX, EMOTIONS

EMOTION_POINTS = np.array([CIRCUMPLEX[name] for name in EMOTIONS], dtype=np.float32)  # (7, 2)
AFFINITY_SIGMA = 0.4
MAX_DISTANCE = 2 * math.sqrt(2)  # the diagonal of the [-1, 1]² square
PROXIMITY_SIGMA = 0.35


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
