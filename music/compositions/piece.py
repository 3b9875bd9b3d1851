"""What the composer writes and the synthesiser and MIDI writer read. Pure Python, no Django."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

PARTS = ("melody", "piano", "pad", "bass", "drums")

# General MIDI percussion keys used by the soft kit.
KICK, SIDE_STICK, SHAKER, CLOSED_HAT = 36, 37, 70, 42


@dataclass(frozen=True)
class Note:
    start: float  # in beats from the beginning
    duration: float  # in beats
    pitch: int  # MIDI note number (a GM percussion key for drums)
    velocity: int  # 1..127
    part: str


@dataclass(frozen=True)
class Bar:
    index: int
    key_tonic: int
    key_mode: str
    chord: str  # roman numeral in its key
    chord_root: int
    chord_quality: str
    voicing: tuple[int, ...]


@dataclass
class Piece:
    seed: int
    duration_s: float
    start: tuple[float, float]
    target: tuple[float, float]
    lift: bool
    beats_per_bar: int
    beat_times: list[float]  # seconds at which each beat starts; one more entry than beats
    tempi: list[float]  # BPM of each beat
    bars: list[Bar]
    notes: list[Note]
    # Per-beat controls for the synthesiser: brightness, pad, reverb, legato, velocity...
    controls: dict[str, list[float]] = field(default_factory=dict)

    @property
    def beats(self) -> int:
        return len(self.tempi)

    def time_at(self, beat: float) -> float:
        """Seconds at a (fractional) beat position; beats past the end continue at the last tempo."""
        whole = int(beat)
        if whole >= self.beats:
            return self.beat_times[-1] + (beat - self.beats) * 60.0 / self.tempi[-1]
        frac = beat - whole
        return self.beat_times[whole] + frac * (self.beat_times[whole + 1] - self.beat_times[whole])

    def control_at(self, name: str, beat: float) -> float:
        values = self.controls[name]
        return values[min(max(int(beat), 0), len(values) - 1)]

    def beat_at(self, seconds: float) -> float:
        index = bisect.bisect_right(self.beat_times, seconds) - 1
        index = min(max(index, 0), self.beats - 1)
        span = self.beat_times[index + 1] - self.beat_times[index]
        return index + (seconds - self.beat_times[index]) / span

    def notes_of(self, part: str) -> list[Note]:
        return [n for n in self.notes if n.part == part]

    def summary(self) -> dict:
        """What is worth keeping with a stored piece (JSON-ready)."""
        keys = []
        for bar in self.bars:
            name = f"{bar.key_tonic}:{bar.key_mode}"
            if not keys or keys[-1]["key"] != name:
                keys.append({"bar": bar.index, "key": name, "tonic": bar.key_tonic, "mode": bar.key_mode})
        third = max(1, self.beats // 3)
        return {
            "seed": self.seed,
            "duration_s": self.duration_s,
            "start": {"valence": self.start[0], "arousal": self.start[1]},
            "target": {"valence": self.target[0], "arousal": self.target[1]},
            "lift": self.lift,
            "bars": len(self.bars),
            "beats_per_bar": self.beats_per_bar,
            "music_end_s": round(self.beat_times[-1], 3),
            "tempo_start": round(self.tempi[0], 2),
            "tempo_end": round(self.tempi[-1], 2),
            "tempo_first_third": round(sum(self.tempi[:third]) / third, 2),
            "tempo_last_third": round(sum(self.tempi[-third:]) / third, 2),
            "keys": keys,
            "mode_start": self.bars[0].key_mode,
            "mode_end": self.bars[-1].key_mode,
            "chords": [bar.chord for bar in self.bars],
            "notes": {part: len(self.notes_of(part)) for part in PARTS},
        }
