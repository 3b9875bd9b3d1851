"""The iso-principle session: from the current mood towards a target, valence never turning back."""

from __future__ import annotations

import numpy as np

from music.matching.catalogue import Catalogue
from music.matching.geometry import affinities_from_va, emotion_vector
from music.matching.search import W_EMOTION, _best_step, _cosine

SAME_ARTIST_IN_SESSION = 0.10


def lift_waypoints(start: tuple[float, float], goal: tuple[float, float], n: int) -> list[tuple[float, float]]:
    """n evenly spaced points from the current mood to the target (both included)."""
    if n <= 1:
        return [goal]
    return [
        (start[0] + (goal[0] - start[0]) * i / (n - 1), start[1] + (goal[1] - start[1]) * i / (n - 1))
        for i in range(n)
    ]


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
