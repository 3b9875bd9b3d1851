"""Keys, chords, progressions and voice leading for the composer. Pure Python, no Django.

Pitches are MIDI note numbers (60 = middle C); pitch classes are 0-11 with 0 = C.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
NATURAL_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)

# Chord qualities as intervals above the root.
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "dom7": (0, 4, 7, 10),
    "add9": (0, 4, 7, 14),
    "madd9": (0, 3, 7, 14),
    "sus4": (0, 5, 7),
}

# Keys we write in, chosen by the seed: comfortable ranges for the voices and the pad.
MAJOR_TONICS = (0, 2, 3, 5, 7, 9, 10)  # C D Eb F G A Bb
MINOR_TONICS = (9, 2, 4, 0, 7, 5, 11)  # A D E C G F B

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class Key:
    tonic: int  # pitch class
    mode: str  # "major" or "minor"

    @property
    def scale(self) -> tuple[int, ...]:
        steps = MAJOR_SCALE if self.mode == "major" else NATURAL_MINOR_SCALE
        return tuple((self.tonic + step) % 12 for step in steps)

    @property
    def name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def relative(self) -> Key:
        """The relative key: same notes, the other mode (A minor <-> C major)."""
        if self.mode == "minor":
            return Key((self.tonic + 3) % 12, "major")
        return Key((self.tonic + 9) % 12, "minor")


@dataclass(frozen=True)
class Chord:
    root: int  # pitch class
    quality: str
    symbol: str  # roman numeral, for people reading the params

    @property
    def intervals(self) -> tuple[int, ...]:
        return QUALITIES[self.quality]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in self.intervals)

    @property
    def core(self) -> tuple[int, ...]:
        """Root, third (or fourth) and fifth: what a voicing must contain."""
        return tuple((self.root + i) % 12 for i in self.intervals[:3])


# Degree symbols -> (semitones above the tonic, quality).
MAJOR_DEGREES = {
    "I": (0, "maj"), "Imaj7": (0, "maj7"), "Iadd9": (0, "add9"), "ii": (2, "min"), "ii7": (2, "min7"),
    "iii": (4, "min"), "IV": (5, "maj"), "IVmaj7": (5, "maj7"), "V": (7, "maj"), "V7": (7, "dom7"),
    "Vsus4": (7, "sus4"), "vi": (9, "min"), "vi7": (9, "min7"),
}
MINOR_DEGREES = {
    "i": (0, "min"), "i7": (0, "min7"), "iadd9": (0, "madd9"), "ii°": (2, "dim"), "III": (3, "maj"),
    "iv": (5, "min"), "iv7": (5, "min7"), "v": (7, "min"), "V": (7, "maj"), "V7": (7, "dom7"),
    "VI": (8, "maj"), "VImaj7": (8, "maj7"), "VII": (10, "maj"),
}


@dataclass(frozen=True)
class Progression:
    degrees: tuple[str, ...]
    # How well it suits low / high arousal (weights for the seeded choice).
    calm: float
    lively: float


# Four-chord cycles. Every one starts on the tonic so that the key is heard; the minor ones lean
# on iv and the major dominant (harmonic minor), which mark minor more clearly than VI-III-VII.
MAJOR_PROGRESSIONS = (
    Progression(("I", "V", "vi", "IV"), calm=1.0, lively=1.5),
    Progression(("I", "vi", "IV", "V"), calm=1.2, lively=1.0),
    Progression(("I", "IV", "vi", "V"), calm=1.0, lively=1.0),
    Progression(("Imaj7", "IVmaj7", "Imaj7", "IVmaj7"), calm=2.0, lively=0.2),
    Progression(("Iadd9", "vi7", "IVmaj7", "Vsus4"), calm=1.5, lively=0.4),
    Progression(("I", "ii7", "V7", "I"), calm=1.0, lively=0.8),
    Progression(("I", "IV", "V", "IV"), calm=0.2, lively=1.6),
)
MINOR_PROGRESSIONS = (
    Progression(("i", "iv", "V", "i"), calm=1.2, lively=1.5),
    Progression(("i", "VI", "iv", "V"), calm=1.0, lively=1.0),
    Progression(("i", "iv", "i", "V"), calm=1.5, lively=0.4),
    Progression(("i7", "iv7", "i7", "V7"), calm=1.5, lively=0.3),
    Progression(("i", "VII", "VI", "V"), calm=0.3, lively=0.9),
    Progression(("i", "iv", "VII", "V"), calm=0.5, lively=0.7),
    Progression(("i", "v", "iv", "V7"), calm=0.6, lively=1.0),
)
# Final phrase: a cadence that lands on the tonic.
CADENCE = {"major": ("IV", "V7", "I"), "minor": ("iv", "V7", "i")}


def chord_for(key: Key, degree: str) -> Chord:
    table = MAJOR_DEGREES if key.mode == "major" else MINOR_DEGREES
    offset, quality = table[degree]
    return Chord((key.tonic + offset) % 12, quality, degree)


def tonic_chord(key: Key) -> Chord:
    return chord_for(key, "I" if key.mode == "major" else "i")


def progression_weights(key: Key, arousal: float) -> list[float]:
    """Seeded-choice weights: calm cycles for low arousal, driving ones for high."""
    lively = min(1.0, max(0.0, (arousal + 1.0) / 2.0))
    bank = MAJOR_PROGRESSIONS if key.mode == "major" else MINOR_PROGRESSIONS
    return [p.calm * (1.0 - lively) + p.lively * lively + 1e-3 for p in bank]


def progressions_for(key: Key) -> tuple[Progression, ...]:
    return MAJOR_PROGRESSIONS if key.mode == "major" else MINOR_PROGRESSIONS


def melody_scale(key: Key, chord: Chord) -> tuple[int, ...]:
    """The key's scale, bent to agree with the chord (the raised 7th over V in minor)."""
    pcs = set(key.scale)
    for pc in chord.pitch_classes:
        if pc not in pcs:
            pcs.discard((pc - 1) % 12)
            pcs.discard((pc + 1) % 12)
            pcs.add(pc)
    return tuple(sorted(pcs))


def pitches_in_range(pcs, low: int, high: int) -> list[int]:
    wanted = {pc % 12 for pc in pcs}
    return [p for p in range(low, high + 1) if p % 12 in wanted]


def _voicing_ok(voicing: tuple[int, ...], chord: Chord) -> bool:
    present = {p % 12 for p in voicing}
    root, third = chord.core[0], chord.core[1]
    if root not in present or third not in present:
        return False
    if len(chord.intervals) == 4 and chord.pitch_classes[3] not in present:
        return False  # the colour note (7th, 9th) is the point of the chord
    gaps = [b - a for a, b in itertools.pairwise(voicing)]
    if any(g < 2 for g in gaps) or any(g > 9 for g in gaps):
        return False  # no semitone clusters, no holes
    return True


def voice(chord: Chord, previous: tuple[int, ...] | None, low: int, high: int, centre: float,
          voices: int = 4) -> tuple[int, ...]:
    """A close voicing of `chord` in [low, high] that moves as little as possible from `previous`.

    Cost = total semitone motion from the previous voicing (voice leading) + a pull towards the
    register centre (so that the voicing does not drift out of its range over a long piece).
    """
    if previous is not None and len(previous) != voices:
        previous = None
    candidates = pitches_in_range(chord.pitch_classes, low, high)
    best: tuple[float, tuple[int, ...]] | None = None
    for voicing in itertools.combinations(candidates, voices):
        if not _voicing_ok(voicing, chord):
            continue
        mean = sum(voicing) / voices
        cost = abs(mean - centre) * 0.6
        if previous is not None:
            cost += sum(abs(a - b) for a, b in zip(voicing, previous, strict=True))
            # Parallel motion of every voice sounds like a block sliding: prefer contrary/oblique.
            if all(a != b for a, b in zip(voicing, previous, strict=True)):
                cost += 1.5
        if best is None or cost < best[0]:
            best = (cost, voicing)
    if best is None:  # range too narrow for a 4-note voicing: fall back to a triad
        if voices > 3:
            return voice(chord, previous[:3] if previous else None, low, high, centre, voices=3)
        root = min(p for p in range(low, high + 1) if p % 12 == chord.root)
        return tuple(root + i for i in chord.intervals[:3])
    return best[1]
