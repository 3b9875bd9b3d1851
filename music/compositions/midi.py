"""A Piece as a Standard MIDI File (type 1) through mido. No Django.

Track 0 holds the tempo map (a set_tempo on every beat whose tempo differs from the previous
one), the time signature and the key signatures; one track per part follows, with General MIDI
programs close to what the synthesiser plays (drums on channel 10).
"""

from __future__ import annotations

import io

import mido

from music.compositions.harmony import NOTE_NAMES
from music.compositions.piece import Piece

TICKS_PER_BEAT = 480
# part -> (channel, GM program, track name)
PART_CHANNELS = {
    "melody": (0, 0, "Melody (piano)"),
    "piano": (1, 0, "Accompaniment (piano)"),
    "pad": (2, 89, "Pad (warm)"),
    "bass": (3, 33, "Bass (finger)"),
    "drums": (9, 0, "Soft percussion"),
}
# mido's key names: sharps/flats as written on a staff.
_MAJOR_KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_KEYS = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")


def _ticks(beats: float) -> int:
    return int(round(beats * TICKS_PER_BEAT))


def _absolute_to_delta(events: list[tuple[int, int, mido.Message]]) -> list[mido.Message]:
    events.sort(key=lambda e: (e[0], e[1]))
    out, now = [], 0
    for tick, _, message in events:
        out.append(message.copy(time=tick - now))
        now = tick
    return out


def piece_to_midi(piece: Piece) -> mido.MidiFile:
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    conductor = mido.MidiTrack()
    midi.tracks.append(conductor)
    events: list[tuple[int, int, mido.Message]] = [
        (0, 0, mido.MetaMessage("track_name", name="moodsite piece")),
        (0, 0, mido.MetaMessage("time_signature", numerator=piece.beats_per_bar, denominator=4)),
        (0, 0, mido.MetaMessage("text", text=f"seed {piece.seed}")),
    ]
    previous = None
    for beat, bpm in enumerate(piece.tempi):
        tempo = mido.bpm2tempo(bpm)
        if tempo != previous:
            events.append((_ticks(beat), 1, mido.MetaMessage("set_tempo", tempo=tempo)))
            previous = tempo
    key_name = None
    for bar in piece.bars:
        names = _MAJOR_KEYS if bar.key_mode == "major" else _MINOR_KEYS
        name = names[bar.key_tonic]
        if name != key_name:
            events.append((_ticks(bar.index * piece.beats_per_bar), 2, mido.MetaMessage("key_signature", key=name)))
            events.append((_ticks(bar.index * piece.beats_per_bar), 3, mido.MetaMessage(
                "marker", text=f"{NOTE_NAMES[bar.key_tonic]} {bar.key_mode}")))
            key_name = name
    end = _ticks(len(piece.bars) * piece.beats_per_bar)
    conductor.extend(_absolute_to_delta(events))
    conductor.append(mido.MetaMessage("end_of_track", time=max(0, end - sum(m.time for m in conductor))))

    for part, (channel, program, title) in PART_CHANNELS.items():
        track = mido.MidiTrack()
        midi.tracks.append(track)
        part_events: list[tuple[int, int, mido.Message]] = [
            (0, 0, mido.MetaMessage("track_name", name=title)),
        ]
        if channel != 9:
            part_events.append((0, 1, mido.Message("program_change", channel=channel, program=program)))
        for note in piece.notes_of(part):
            on = _ticks(note.start)
            off = max(on + 1, _ticks(note.start + note.duration))
            part_events.append((on, 3, mido.Message("note_on", channel=channel, note=note.pitch,
                                                   velocity=note.velocity)))
            # Note-offs sort before note-ons at the same tick (a repeated key is released first).
            part_events.append((off, 2, mido.Message("note_off", channel=channel, note=note.pitch, velocity=0)))
        track.extend(_absolute_to_delta(part_events))
        track.append(mido.MetaMessage("end_of_track", time=0))
    return midi


def midi_bytes(piece: Piece) -> bytes:
    buffer = io.BytesIO()
    piece_to_midi(piece).save(file=buffer)
    return buffer.getvalue()
