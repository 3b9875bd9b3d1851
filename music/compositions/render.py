"""From notes to a finished file: synthesis, mix, reverb, loudness, Ogg Vorbis; and the MIDI.

    result = produce(start=(-0.63, -0.27), target=(0.6, -0.45), duration_s=60, seed=7)
    result.ogg, result.midi, result.params

`produce` reports progress (0..1) through an optional callback. No Django.
"""

from __future__ import annotations

import contextlib
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from music.compositions.composer import compose
from music.compositions.encode import encode_mp3, encode_ogg_vorbis
from music.compositions.loudness import normalise, true_peak_dbtp
from music.compositions.midi import midi_bytes
from music.compositions.piece import CLOSED_HAT, KICK, SHAKER, SIDE_STICK, Piece
from music.compositions.synth import SAMPLE_RATE, Synth

TARGET_LUFS = -16.0
CEILING_DBFS = -1.5  # sample-peak ceiling before encoding; Vorbis overshoot stays under 0 dBFS
FADE_OUT_S = 2.0
RENDER_VERSION = 1  # bump when the sound changes, so stored params say which synthesiser made it

PART_GAIN = {"melody": 0.9, "piano": 0.42, "bass": 0.55, "pad": 0.30}
DRUM_GAIN = {KICK: 0.4, SIDE_STICK: 0.15, SHAKER: 0.08, CLOSED_HAT: 0.06}
DRUM_PAN = {KICK: 0.0, SIDE_STICK: -0.25, SHAKER: 0.35, CLOSED_HAT: 0.3}
REVERB_SEND = {"melody": 0.75, "piano": 0.9, "pad": 0.8, "bass": 0.1, "drums": 0.35}

Progress = Callable[[float], None]


def _pan(position: float) -> tuple[float, float]:
    """Constant-power gains for a position in -1 (left) .. 1 (right)."""
    angle = (position + 1.0) * math.pi / 4.0
    return math.cos(angle), math.sin(angle)


def _level(velocity: int) -> float:
    return (velocity / 127.0) ** 1.6


def _add_reverb(dry: np.ndarray, send: np.ndarray, ir: np.ndarray, gain: float) -> None:
    """Convolve the mono send with the stereo room (2, m) at half the sample rate (the room is
    dark anyway), back up by linear interpolation, and add it to `dry` (2, n) in place."""
    half = len(send) // 2
    low = send[0:2 * half:2] + send[1:2 * half:2]
    low *= np.float32(0.5 * gain)
    size = next_fast_len(half + ir.shape[1] - 1, real=True)
    spectrum = rfft(low, size)
    for channel in range(2):
        wet = irfft(spectrum * rfft(ir[channel], size), size)[:half]
        dry[channel, 0:2 * half:2] += wet
        wet[:-1] += wet[1:]
        wet *= np.float32(0.5)
        dry[channel, 1:2 * half - 1:2] += wet[:-1]


def render(piece: Piece, progress: Progress | None = None) -> np.ndarray:
    """The piece as (2, frames) float32 at 44.1 kHz, before loudness normalisation."""
    sr = SAMPLE_RATE
    total = int(round(piece.duration_s * sr))
    dry = np.zeros((2, total), dtype=np.float32)
    send = np.zeros(total, dtype=np.float32)
    synth = Synth(piece.seed, sr)
    notes = piece.notes
    step = max(1, len(notes) // 20)
    for index, note in enumerate(notes):
        t0 = piece.time_at(note.start)
        begin = int(round(t0 * sr))
        if begin >= total:
            continue
        seconds = piece.time_at(note.start + note.duration) - t0
        velocity = note.velocity / 127.0
        bright = piece.control_at("brightness", note.start)
        level = _level(note.velocity)
        wet = REVERB_SEND[note.part] * piece.control_at("reverb", note.start)
        if note.part == "pad":
            stereo = synth.pad(note.pitch, seconds, velocity, bright)
            gain = PART_GAIN["pad"] * level * piece.control_at("pad", note.start)
            end = min(total, begin + stereo.shape[1])
            part = stereo[:, : end - begin] * np.float32(gain)
            dry[:, begin:end] += part
            send[begin:end] += (part[0] + part[1]) * np.float32(0.5 * wet)
        else:
            if note.part == "drums":
                bar = piece.bars[min(len(piece.bars) - 1, int(note.start // piece.beats_per_bar))]
                mono = synth.drum(note.pitch, bar.key_tonic)
                gain = DRUM_GAIN[note.pitch] * level * (0.6 + 0.4 * piece.control_at("rhythm", note.start))
                position = DRUM_PAN[note.pitch]
            else:
                voice = synth.bass if note.part == "bass" else synth.piano
                mono = voice(note.pitch, seconds, velocity, bright)
                gain = PART_GAIN[note.part] * level
                position = {"melody": 0.08, "bass": 0.0}.get(note.part, (note.pitch - 60) / 40.0)
            left, right = _pan(max(-0.6, min(0.6, position)))
            end = min(total, begin + len(mono))
            part = mono[: end - begin] * np.float32(gain)
            dry[0, begin:end] += part * np.float32(left)
            dry[1, begin:end] += part * np.float32(right)
            send[begin:end] += part * np.float32(wet)
        if progress and index % step == 0:
            progress(0.85 * index / len(notes))
    rt60 = 1.2 + 3.0 * float(np.mean(piece.controls["reverb"]))
    _add_reverb(dry, send, synth.impulse_response(rt60, sr // 2), gain=0.7)
    if progress:
        progress(0.95)
    # A gentle fade at both ends (the last chord rings into the fade-out).
    head = int(0.01 * sr)
    dry[:, :head] *= np.linspace(0.0, 1.0, head, dtype=np.float32)
    fade = min(total, int(FADE_OUT_S * sr))
    dry[:, total - fade:] *= (np.cos(np.linspace(0.0, math.pi / 2, fade)) ** 2).astype(np.float32)
    if progress:
        progress(1.0)
    return dry


@dataclass
class Produced:
    ogg: bytes
    mp3: bytes
    midi: bytes
    params: dict
    piece: Piece
    audio: np.ndarray  # the normalised float32 samples that were encoded, (2, frames)


def ogg_serial(seed: int, piece: Piece) -> int:
    """A stable Ogg stream serial number for this piece (same inputs and seed -> same bytes)."""
    key = f"{seed}:{piece.start}:{piece.target}:{piece.duration_s}:{piece.lift}".encode()
    return zlib.crc32(key)


def _one_blas_thread():
    """The matrix products here are small: BLAS threads only spin and fight over the cores (on a
    busy 2-core worker they tripled the CPU time of a 3-minute piece). One thread while we render."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (librosa)
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def produce(*, start: tuple[float, float], target: tuple[float, float], duration_s: float, seed: int,
            lift: bool | None = None, progress: Progress | None = None, measure_true_peak: bool = False
            ) -> Produced:
    """Compose, render, normalise, encode. Progress: 0-0.05 compose, -0.8 synth, -0.88 master,
    -1.0 encode."""
    report = progress or (lambda fraction: None)
    piece = compose(start=start, target=target, duration_s=duration_s, seed=seed, lift=lift)
    report(0.05)
    with _one_blas_thread():
        audio = render(piece, progress=lambda f: report(0.05 + 0.75 * f))
    audio, loudness = normalise(audio, SAMPLE_RATE, target_lufs=TARGET_LUFS, ceiling_dbfs=CEILING_DBFS)
    report(0.88)
    ogg = encode_ogg_vorbis(audio.T, SAMPLE_RATE, serial=ogg_serial(seed, piece))
    mp3 = encode_mp3(audio.T, SAMPLE_RATE)
    midi = midi_bytes(piece)
    params = piece.summary()
    params.update(
        render_version=RENDER_VERSION,
        sample_rate=SAMPLE_RATE,
        loudness=loudness,
        target_lufs=TARGET_LUFS,
        ogg_bytes=len(ogg),
        mp3_bytes=len(mp3),
        midi_bytes=len(midi),
    )
    if measure_true_peak:
        params["loudness"]["true_peak_dbtp"] = round(true_peak_dbtp(audio), 2)
    report(1.0)
    return Produced(ogg=ogg, mp3=mp3, midi=midi, params=params, piece=piece, audio=audio)
