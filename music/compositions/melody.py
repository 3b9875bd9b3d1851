"""A melody that fits the harmony: seeded rhythm motifs, pitches chosen by a small cost function.

Strong beats (and long notes) take chord tones; the notes between move mostly by step through
the scale bent to the chord (passing and neighbour tones). Each phrase follows an arch and ends
on a chord tone; the piece ends on the tonic. Pure Python, no Django.
"""

from __future__ import annotations

import random

from music.compositions.harmony import Chord, Key, melody_scale, pitches_in_range

# One-bar rhythms (onset, length) in beats of a 4/4 bar, by density level.
RHYTHMS: tuple[tuple[tuple[tuple[float, float], ...], ...], ...] = (
    (
        ((0, 2), (2, 2)),
        ((0, 3), (3, 1)),
        ((0, 4),),
        ((0, 2), (2, 1), (3, 1)),
    ),
    (
        ((0, 1), (1, 1), (2, 2)),
        ((0, 2), (2, 1), (3, 1)),
        ((0, 1.5), (1.5, 0.5), (2, 2)),
        ((0, 1), (1, 1), (2, 1), (3, 1)),
    ),
    (
        ((0, 1), (1, 0.5), (1.5, 0.5), (2, 1), (3, 1)),
        ((0, 0.5), (0.5, 0.5), (1, 1), (2, 1.5), (3.5, 0.5)),
        ((0, 1), (1, 1), (2, 0.5), (2.5, 0.5), (3, 1)),
        ((0, 1.5), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)),
    ),
    (
        ((0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)),
        ((0, 0.75), (0.75, 0.25), (1, 0.5), (1.5, 0.5), (2, 0.5), (2.5, 1), (3.5, 0.5)),
        ((0, 1), (1, 0.5), (1.5, 0.5), (2, 0.5), (2.5, 0.5), (3, 1)),
        ((0, 0.5), (0.5, 1), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)),
    ),
)
CADENCE_RHYTHMS = (((0, 1), (1, 1), (2, 2)), ((0, 2), (2, 2)), ((0, 1.5), (1.5, 0.5), (2, 2)))
FINAL_RHYTHM = ((0, 4),)


def density_level(density: float) -> int:
    return min(3, int(density * 4))


class MelodyWriter:
    """Writes one bar at a time, remembering where the line is."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.previous: int | None = None
        self.before: int | None = None
        self.last_interval = 0
        self.repeats = 0
        self.motifs: dict[int, tuple] = {}

    def phrase_motifs(self, density: float) -> None:
        level = density_level(density)
        options = RHYTHMS[level]
        first = self.rng.randrange(len(options))
        second = (first + 1 + self.rng.randrange(len(options) - 1)) % len(options)
        self.motifs = {0: options[first], 1: options[second], 2: options[first]}

    def rhythm(self, bar_in_phrase: int, phrase_length: int, final: bool) -> tuple:
        if final:
            return FINAL_RHYTHM
        if bar_in_phrase == phrase_length - 1 and phrase_length > 1:
            return self.rng.choice(CADENCE_RHYTHMS)
        return self.motifs[bar_in_phrase % 3]

    def _cost(self, pitch: int, chord_tone: bool, target: float) -> float:
        cost = 0.0
        if self.previous is not None:
            step = pitch - self.previous
            size = abs(step)
            cost += (0.0, 0.3, 0.0, 0.8, 1.0, 2.0, 3.5, 3.0)[size] if size < 8 else 4.0 + 0.5 * (size - 7)
            if size == 0:
                cost += 1.0 + 1.5 * self.repeats
            elif pitch == self.before:
                cost += 1.2  # no trills: F-G-F-G
            # After a leap, turn back by step (gap fill).
            if abs(self.last_interval) > 4 and step * self.last_interval > 0:
                cost += 2.5
        cost += 0.22 * abs(pitch - target)
        if chord_tone:
            cost -= 0.3
        return cost + self.rng.random() * 1.1

    def bar(self, *, key: Key, chord: Chord, centre: float, bar_start: float, rhythm: tuple,
            arch: float, final: bool) -> list[tuple[float, float, int, bool]]:
        """(onset beat, length, pitch, accented) for each note of the bar."""
        scale = melody_scale(key, chord)
        low, high = int(round(centre - 9)), int(round(centre + 9))
        chord_pcs = set(chord.pitch_classes)
        notes = []
        for index, (onset, length) in enumerate(rhythm):
            strong = onset in (0, 2) or length >= 1.5
            last_of_bar = index == len(rhythm) - 1
            pool = chord.pitch_classes if strong else scale
            if final and last_of_bar:
                pool = (key.tonic,)
            candidates = pitches_in_range(pool, low, high) or pitches_in_range(pool, low - 12, high + 12)
            target = centre + arch
            pitch = min(candidates, key=lambda p: self._cost(p, p % 12 in chord_pcs, target))
            if self.previous is not None:
                interval = pitch - self.previous
                self.repeats = self.repeats + 1 if interval == 0 else 0
                self.last_interval = interval if interval else self.last_interval
            self.before, self.previous = self.previous, pitch
            notes.append((bar_start + onset, float(length), pitch, onset == 0))
        return notes
