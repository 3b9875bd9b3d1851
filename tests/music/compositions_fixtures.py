"""Shared pieces for the generated-music tests: each is composed, rendered and encoded once per
test session (30 s, the shortest length people can ask for) and analysed from the encoded bytes."""

from dataclasses import dataclass
from functools import cache

import numpy as np

from moodsite.emotions import CIRCUMPLEX
from music.compositions import listen
from music.compositions.encode import decode
from music.compositions.mapping import TARGET_POINTS
from music.compositions.render import Produced, produce

MOODS = {
    "happy": (CIRCUMPLEX["happy"], CIRCUMPLEX["happy"]),
    "sad": (CIRCUMPLEX["sad"], CIRCUMPLEX["sad"]),
    "angry": (CIRCUMPLEX["angry"], CIRCUMPLEX["angry"]),
    "calm": (TARGET_POINTS["calm"], TARGET_POINTS["calm"]),
    "sad_to_calm": (CIRCUMPLEX["sad"], TARGET_POINTS["calm"]),
}
SEED = 11


@dataclass(frozen=True)
class Heard:
    produced: Produced
    audio: np.ndarray  # decoded Ogg, (frames, channels)
    rate: int
    mono: np.ndarray  # at listen.ANALYSIS_RATE


@cache
def piece(name: str, seed: int = SEED, duration_s: int = 30) -> Heard:
    start, target = MOODS[name]
    produced = produce(start=start, target=target, duration_s=duration_s, seed=seed)
    audio, rate = decode(produced.ogg)
    return Heard(produced, audio, rate, listen.mono(audio, rate))
