"""From a point in valence-arousal space to musical parameters. Pure Python, no Django.

The directions follow the music-and-emotion literature (Gabrielsson & Lindström 2010, "The role
of structure in the musical expression of emotions", in Juslin & Sloboda (eds.), Handbook of
Music and Emotion; Eerola, Friberg & Bresin 2013, "Emotional expression in music: contribution,
linearity, and additivity of primary musical cues", Frontiers in Psychology 4:487):

* tempo rises mainly with arousal and somewhat with valence (fast = happy/excited, slow = sad/calm);
* mode follows valence (major = positive, minor = negative);
* register rises with valence and arousal (high = bright/happy, low = sad/dark);
* note density, loudness, percussive rhythm and timbral brightness rise with arousal;
* brightness also rises with valence; soft dynamics, legato and more reverberant space for calm.

The slopes below are design choices within those directions, picked so that the range of moods
gives tempi of about 60-125 BPM and so that a lift from sad towards calm is audibly brighter and a
little faster (sad music is slow; calm music is slow but less so, and major, and higher).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Target moods a person can choose, as (valence, arousal). "joyful" is the happy point of the
# circumplex used everywhere in moodsite (moodsite.emotions.CIRCUMPLEX); "calm" and "energised"
# are points in the pleasant-deactivated and pleasant-activated quadrants of Russell's (1980)
# circumplex, where relaxed/serene and excited/alert lie. "match" stays at the start point.
TARGET_POINTS: dict[str, tuple[float, float]] = {
    "calm": (0.6, -0.45),
    "joyful": (0.81, 0.51),
    "energised": (0.55, 0.75),
}
TARGETS = ("calm", "joyful", "energised", "match")

MIN_DURATION_S = 30
MAX_DURATION_S = 180


def clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def smoothstep(x: float) -> float:
    x = clamp(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class MusicParams:
    valence: float
    arousal: float
    tempo: float  # beats per minute
    major: bool
    register: float  # centre of the melody, MIDI pitch
    density: float  # 0 (long notes) .. 1 (running eighths)
    velocity: float  # base MIDI velocity
    brightness: float  # 0 (dark, mellow) .. 1 (bright, hard)
    rhythm: float  # 0 (no percussion) .. 1 (full soft kit)
    pad: float  # level of the sustained pad, 0..1
    reverb: float  # wet share, 0..1
    legato: float  # sounding share of each melody note's written length

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def params_for(valence: float, arousal: float) -> MusicParams:
    v = clamp(valence, -1.0, 1.0)
    a = clamp(arousal, -1.0, 1.0)
    return MusicParams(
        valence=v,
        arousal=a,
        tempo=clamp(92.0 + 28.0 * a + 14.0 * v, 56.0, 140.0),
        major=v >= -0.05,
        register=67.0 + 5.0 * v + 3.0 * a,
        density=clamp(0.45 + 0.5 * a + 0.05 * v, 0.0, 1.0),
        velocity=clamp(62.0 + 20.0 * a + 4.0 * v, 30.0, 100.0),
        brightness=clamp(0.5 + 0.35 * v + 0.3 * a, 0.05, 0.95),
        rhythm=smoothstep((a - 0.1) / 0.5),
        pad=clamp(0.65 - 0.35 * a, 0.2, 1.0),
        reverb=clamp(0.32 - 0.12 * a, 0.12, 0.5),
        legato=clamp(0.95 - 0.25 * max(a, 0.0), 0.6, 1.0),
    )


def glide(position: float, lift: bool) -> float:
    """Share of the way from start to target at `position` (0..1) in the piece.

    The iso principle: stay with the person's mood for the first 15%, move gently (an S-curve),
    and settle on the target for the last 15%. A match stays where it began.
    """
    if not lift:
        return 0.0
    return smoothstep((position - 0.15) / 0.7)


def mood_at(start: tuple[float, float], target: tuple[float, float], position: float,
            lift: bool) -> tuple[float, float]:
    share = glide(position, lift)
    return (start[0] + (target[0] - start[0]) * share, start[1] + (target[1] - start[1]) * share)


def target_point(target: str, start: tuple[float, float]) -> tuple[float, float]:
    if target == "match":
        return start
    try:
        return TARGET_POINTS[target]
    except KeyError:
        raise ValueError(f"Unknown target {target!r}; expected one of {', '.join(TARGETS)}.") from None
