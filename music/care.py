"""Care in hard moments: what the matcher offers someone who feels sad, anxious or angry.

Pure numpy, like music.matching, which calls these three things:

  * `plan(...)`: is this a hard moment, and did the person ask for music that matches their sadness
    exactly (ListeningPreference.match_sadness)?
  * `held_back(...)`: works a curator flagged as a sensitive theme (death, mourning, funerals, war,
    despair: Lacrimosa, funeral marches, laments) are never offered, in any mood or strategy, with one
    exception: a "match" for a hard moment when the person asked for it. So a sad entry never gets
    Requiem: Lacrimosa, a Funeral March and Dido's Lament as its top three again.
  * `start(...)`: for a hard moment (without that choice) the first three picks of a "match" list sit
    between the mood and a tender, consoling point; the rest meet the mood itself. A lift session
    starts at that consoling point and moves on towards the warm, hopeful target the person chose.

Reasons say this in plain words: `reason(...)` gives the code, music.reasons the sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from moodsite.emotions import EMOTIONS

HARD_MOODS = ("sad", "fear", "angry")
# Tender and consoling, in (valence, arousal): a little pleasant and quiet. The starter catalogue's
# "Tender", "Gentle" and "Warm" tags sit around here (music.vocabulary: 0.3 to 0.5, -0.2 to -0.5).
CONSOLING = (0.35, -0.35)
# How far the first picks move from the mood towards the consoling point: halfway keeps them close
# enough to feel understood ("music that meets me") and far enough from mourning.
CONSOLE_SHIFT = 0.5
# How many of a "match" list console before the rest meet the mood: the first screenful on a phone.
CONSOLING_FIRST = 3
# A mood is hard when its most likely emotion is one of HARD_MOODS, or when they share this much of
# the probability between them (a sad-and-anxious mix with "neutral" on top is still a hard moment).
HARD_SHARE = 0.5


@dataclass(frozen=True)
class Plan:
    hard_mood: str = ""  # "sad", "fear" or "angry"; "" when the moment is not a hard one
    matches_sadness: bool = False  # the person's own choice in their music settings
    strategy: str = "match"

    @property
    def consoling(self) -> bool:
        """The first picks are moved towards tender and consoling music."""
        return bool(self.hard_mood) and not (self.matches_sadness and self.strategy == "match")

    @property
    def allows_sensitive(self) -> bool:
        return bool(self.hard_mood) and self.matches_sadness and self.strategy == "match"


def _as_mapping(probabilities: Mapping[str, float] | Sequence[float]) -> dict[str, float]:
    if isinstance(probabilities, Mapping):
        return {name: float(probabilities.get(name, 0.0) or 0.0) for name in EMOTIONS}
    return {name: float(value) for name, value in zip(EMOTIONS, probabilities, strict=False)}


def plan(probabilities: Mapping[str, float] | Sequence[float], *, strategy: str, matches_sadness: bool) -> Plan:
    values = _as_mapping(probabilities)
    if not values or not any(values.values()):
        return Plan(strategy=strategy, matches_sadness=matches_sadness)
    top = max(values, key=lambda name: values[name])
    hard = ""
    if top in HARD_MOODS:
        hard = top
    elif sum(values[name] for name in HARD_MOODS) >= HARD_SHARE:
        hard = max(HARD_MOODS, key=lambda name: values[name])
    return Plan(hard_mood=hard, matches_sadness=matches_sadness, strategy=strategy)


def held_back(sensitive: np.ndarray, the_plan: Plan) -> np.ndarray:
    """Rows never offered under this plan (a boolean mask over the catalogue)."""
    if the_plan.allows_sensitive or not len(sensitive):
        return np.zeros(len(sensitive), dtype=bool)
    return sensitive.astype(bool)


def start(point: tuple[float, float], vec: np.ndarray, consoling_vec: np.ndarray,
          the_plan: Plan) -> tuple[tuple[float, float], np.ndarray]:
    """Where the first picks are looked for: the mood itself, or halfway to consoling."""
    if not the_plan.consoling:
        return point, vec
    s = CONSOLE_SHIFT
    moved = (point[0] + (CONSOLING[0] - point[0]) * s, point[1] + (CONSOLING[1] - point[1]) * s)
    blended = (1 - s) * vec + s * consoling_vec
    norm = float(np.linalg.norm(blended))
    return moved, (blended / norm if norm > 1e-12 else vec)


def reason(the_plan: Plan, *, position: int) -> str:
    """The reason code for a hard moment (music.reasons.WHY; "" when the usual reason applies)."""
    if not the_plan.hard_mood:
        return ""
    if the_plan.allows_sensitive:
        return "care_matched"
    if the_plan.strategy == "lift":
        return "care_lift_start" if position == 0 else ""
    if the_plan.strategy == "match" and position < CONSOLING_FIRST:
        return f"care_{the_plan.hard_mood}"
    return ""
