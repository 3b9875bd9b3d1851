"""The composer: a start mood, a target mood, a length and a seed in; a Piece (notes) out.

    piece = compose(start=(-0.63, -0.27), target=(0.6, -0.45), duration_s=60, seed=7)

Everything random comes from one `random.Random(seed)` consumed in a fixed order, so the same
inputs and seed always give the same piece. Pure Python, no Django.

Form: 4/4 bars grouped in four-bar phrases (an intro bar without melody when there is room), a
chord per bar from a seeded progression chosen for the mood of the phrase, a three-bar cadence
(IV/iv, V7, I/i) at the end. When valence crosses zero in a lift the music moves to the relative
key (A minor -> C major), at a phrase boundary. Tempo, register, density, dynamics, brightness,
percussion and pad level are read from the mood at each beat, so they glide with it.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from music.compositions.harmony import (
    CADENCE,
    MAJOR_TONICS,
    MINOR_TONICS,
    Chord,
    Key,
    chord_for,
    progression_weights,
    progressions_for,
    voice,
)
from music.compositions.mapping import (
    MAX_DURATION_S,
    MIN_DURATION_S,
    MusicParams,
    mood_at,
    params_for,
)
from music.compositions.melody import MelodyWriter
from music.compositions.piece import CLOSED_HAT, KICK, SHAKER, SIDE_STICK, Bar, Note, Piece

BEATS_PER_BAR = 4
LEAD_IN_S = 0.15  # silence before the first beat
TAIL_S = 3.0  # the last chord rings this long (at least) before the piece ends
HOLD_END_S = 1.0  # the final chord is held until this long before the end (into the fade)
PHRASE_BARS = 4


def _timeline(start, target, duration_s: float, lift: bool):
    """Beat start times, tempi and parameters, bar by bar, until the music has to end."""
    music_end = duration_s - TAIL_S
    beat_times = [LEAD_IN_S]
    tempi: list[float] = []
    params: list[MusicParams] = []
    while True:
        bar_times, bar_tempi, bar_params = [], [], []
        t = beat_times[-1]
        for _ in range(BEATS_PER_BAR):
            p = params_for(*mood_at(start, target, t / duration_s, lift))
            bar_tempi.append(p.tempo)
            bar_params.append(p)
            t += 60.0 / p.tempo
            bar_times.append(t)
        if t > music_end and len(tempi) >= BEATS_PER_BAR * 4:
            break
        beat_times.extend(bar_times)
        tempi.extend(bar_tempi)
        params.extend(bar_params)
    return beat_times, tempi, params


def _plan_phrases(n_bars: int) -> list[tuple[int, int]]:
    """(first bar, length) of each body phrase; the last 3 bars (2 when short) are the cadence."""
    cadence = 3 if n_bars >= 8 else 2
    body = n_bars - cadence
    phrases = []
    bar = 0
    while bar < body:
        length = min(PHRASE_BARS, body - bar)
        if 0 < body - (bar + length) < 2:
            length += body - (bar + length)
        phrases.append((bar, length))
        bar += length
    phrases.append((body, cadence))
    return phrases


def _bass_pitch(pc: int, previous: int | None, low: int = 33, high: int = 52) -> int:
    options = [p for p in range(low, high + 1) if p % 12 == pc]
    anchor = previous if previous is not None else 40
    return min(options, key=lambda p: (abs(p - anchor), p))


def _velocity(value: float) -> int:
    return int(min(127, max(1, round(value))))


def compose(*, start: tuple[float, float], target: tuple[float, float], duration_s: float, seed: int,
            lift: bool | None = None) -> Piece:
    if not MIN_DURATION_S <= duration_s <= MAX_DURATION_S:
        raise ValueError(f"duration_s must be {MIN_DURATION_S}..{MAX_DURATION_S} s, not {duration_s}.")
    start = (float(start[0]), float(start[1]))
    target = (float(target[0]), float(target[1]))
    if lift is None:
        lift = start != target
    rng = random.Random(int(seed))
    beat_times, tempi, params = _timeline(start, target, float(duration_s), lift)
    n_bars = len(tempi) // BEATS_PER_BAR
    phrases = _plan_phrases(n_bars)

    # Harmony: a key and a progression per phrase, a chord per bar.
    bar_keys: list[Key] = []
    bar_chords: list[Chord] = []
    key: Key | None = None
    for number, (first, length) in enumerate(phrases):
        mid = params[min(len(params) - 1, (first + length // 2) * BEATS_PER_BAR)]
        mode = "major" if mid.major else "minor"
        if key is None:
            key = Key(rng.choice(MAJOR_TONICS if mode == "major" else MINOR_TONICS), mode)
        elif key.mode != mode:
            key = key.relative()
        if number == len(phrases) - 1:
            degrees = CADENCE[key.mode][-length:]
        else:
            bank = progressions_for(key)
            progression = rng.choices(bank, weights=progression_weights(key, mid.arousal))[0]
            slow = mid.arousal < -0.5
            degrees = [progression.degrees[(i // 2 if slow else i) % 4] for i in range(length)]
        for degree in degrees:
            bar_keys.append(key)
            bar_chords.append(chord_for(key, degree))

    notes: list[Note] = []
    bars: list[Bar] = []
    melody = MelodyWriter(rng)
    voicing = None
    bass_prev = None
    phrase_of_bar = {}
    for first, length in phrases:
        for i in range(length):
            phrase_of_bar[first + i] = (first, length, i)
    intro = 1 if n_bars >= 10 else 0
    pad_open: dict[int, list] = {}  # pitch -> [start, velocity] of the pad note still sounding

    for b in range(n_bars):
        beat0 = b * BEATS_PER_BAR
        p = params[beat0]
        key, chord = bar_keys[b], bar_chords[b]
        final = b == n_bars - 1
        first, length, in_phrase = phrase_of_bar[b]
        centre = p.register - 10.0
        voicing = voice(chord, voicing, int(round(centre - 9)), int(round(centre + 9)), centre)
        bars.append(Bar(b, key.tonic, key.mode, chord.symbol, chord.root, chord.quality, voicing))
        vel = p.velocity
        # Pad: sustained voicing; notes held across bars are not struck again.
        for pitch in list(pad_open):
            if pitch not in voicing:
                start_beat, pad_vel = pad_open.pop(pitch)
                notes.append(Note(start_beat, beat0 - start_beat, pitch, pad_vel, "pad"))
        for pitch in voicing:
            pad_open.setdefault(pitch, [beat0, _velocity(vel - 8)])
        # Bass.
        shift = int(round(3.0 * p.valence))  # darker, lower bass for sad music
        root = _bass_pitch(chord.root, bass_prev, 33 + shift, 52 + shift)
        fifth = root + 7 if root + 7 <= 55 + shift else root - 5
        if final or p.density < 0.3:
            pattern = [(0, 4, root)]
        elif p.density < 0.6:
            pattern = [(0, 2, root), (2, 2, fifth if rng.random() < 0.6 else root)]
        else:
            nxt = bar_chords[b + 1].root if b + 1 < n_bars else chord.root
            goal = _bass_pitch(nxt, root, 33 + shift, 52 + shift)
            approach = goal - 1 if goal > root else goal + 1 if goal < root else fifth
            pattern = [(0, 1.5, root), (1.5, 0.5, root), (2, 1, fifth), (3, 1, approach)]
        for onset, dur, pitch in pattern:
            accent = 6 if onset == 0 else 0
            notes.append(Note(beat0 + onset, dur * 0.95, pitch, _velocity(vel + accent), "bass"))
        bass_prev = root
        # Piano accompaniment: a broken chord, with the pedal down through the bar.
        v = sorted(voicing)
        if final:
            acc = [(0.02 * i, 4.0 - 0.02 * i, pitch) for i, pitch in enumerate(v)]
        elif p.density < 0.2:
            acc = [(0.0, 4.0, v[0]), (0.0, 2.0, v[1]), (0.0, 2.0, v[2]), (2.0, 2.0, v[-1]), (2.0, 2.0, v[1])]
        elif p.density < 0.55:
            order = [v[0], v[2], v[1], v[-1]]
            acc = [(float(i), 4.0 - i, pitch) for i, pitch in enumerate(order)]
        else:
            order = [v[0], v[2], v[1], v[-1], v[2], v[1], v[-1], v[2]]
            acc = [(0.5 * i, 0.8 if i else 4.0, pitch) for i, pitch in enumerate(order)]
        for onset, dur, pitch in acc:
            on_beat = float(onset).is_integer()
            notes.append(Note(beat0 + onset, dur, pitch, _velocity(vel - 12 + (8 if on_beat else 0)), "piano"))
        # Soft percussion, faded in with arousal.
        level = p.rhythm
        if level > 0.05:
            steps = [0.0] if final else [0.5 * i for i in range(8)]
            for onset in steps:
                on_beat = onset.is_integer()
                if onset in (0.0, 2.0) and level > 0.15:
                    notes.append(Note(beat0 + onset, 0.5, KICK, _velocity(40 + 55 * level), "drums"))
                if final:
                    continue
                if onset in (1.0, 3.0) and level > 0.4:
                    notes.append(Note(beat0 + onset, 0.25, SIDE_STICK, _velocity(30 + 45 * level), "drums"))
                notes.append(Note(beat0 + onset, 0.25, SHAKER,
                                  _velocity((28 if on_beat else 18) + 35 * level), "drums"))
                if not on_beat and level > 0.7:
                    notes.append(Note(beat0 + onset, 0.25, CLOSED_HAT, _velocity(20 + 30 * level), "drums"))
        # Melody.
        if b < intro:
            continue
        if in_phrase == 0 or b == intro:
            melody.phrase_motifs(p.density)
        rhythm = melody.rhythm(in_phrase, length, final)
        arch = 5.0 * math.sin(math.pi * (in_phrase + 0.5) / length) - 2.0
        for onset, dur, pitch, accent in melody.bar(key=key, chord=chord, centre=p.register,
                                                      bar_start=beat0, rhythm=rhythm, arch=arch,
                                                      final=final):
            sounding = dur if final else dur * p.legato
            notes.append(Note(onset, sounding, pitch, _velocity(vel + 8 + (6 if accent else 0)), "melody"))

    end = n_bars * BEATS_PER_BAR
    for pitch, (start_beat, pad_vel) in pad_open.items():
        notes.append(Note(start_beat, end - start_beat, pitch, pad_vel, "pad"))
    # The final chord is held (pedal down) until just before the end of the piece.
    last_bar = end - BEATS_PER_BAR
    hold_until = last_bar + (duration_s - HOLD_END_S - beat_times[-1 - BEATS_PER_BAR]) * tempi[-1] / 60.0
    notes = [
        replace(n, duration=max(n.duration, hold_until - n.start))
        if n.part != "drums" and n.start + n.duration >= end - 0.5
        else n
        for n in notes
    ]
    notes.sort(key=lambda n: (n.start, n.part, n.pitch))

    controls = {
        name: [round(float(getattr(p, name)), 4) for p in params]
        for name in ("valence", "arousal", "tempo", "brightness", "pad", "reverb", "rhythm", "velocity")
    }
    return Piece(
        seed=int(seed), duration_s=float(duration_s), start=start, target=target, lift=lift,
        beats_per_bar=BEATS_PER_BAR, beat_times=beat_times, tempi=tempi, bars=bars, notes=notes,
        controls=controls,
    )
