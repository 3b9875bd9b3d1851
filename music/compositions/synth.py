"""A small additive synthesiser in numpy/scipy: piano-like tone, pad, bass, soft percussion.

The core is `partials`: a sum of exponentially decaying sinusoids, computed as one small matrix
product. With n = B*q + r (block length B),

    sum_k A_k e^{-d_k n} sin(w_k n + phi_k) = Im sum_k [A_k e^{i phi_k} z_k^{Bq}] [z_k^r],
    z_k = e^{i w_k - d_k},

so the left factor is (blocks x partials), the right one (partials x B), both computed exactly in
float64 from closed forms and multiplied in float32 by BLAS. Dozens of partials cost about as much
as a couple of passes over the output, and there is no phase drift however long the note.
No Django.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.signal import butter, sosfilt

SAMPLE_RATE = 44100
BLOCK = 256
NYQUIST_GUARD = 0.45 * SAMPLE_RATE


def midi_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


def partials(freqs, amps, decays, phases, n: int, sr: int = SAMPLE_RATE) -> np.ndarray:
    """sum_k amps_k * exp(-decays_k * t) * sin(2 pi freqs_k t + phases_k) for n samples (float32).

    decays are in 1/s (an amplitude time constant of 1/decay seconds).
    """
    freqs = np.asarray(freqs, dtype=np.float64)
    keep = (freqs > 0) & (freqs < NYQUIST_GUARD)
    freqs = freqs[keep]
    amps = np.asarray(amps, dtype=np.float64)[keep]
    decays = np.asarray(decays, dtype=np.float64)[keep]
    phases = np.asarray(phases, dtype=np.float64)[keep]
    if n <= 0 or freqs.size == 0:
        return np.zeros(max(n, 0), dtype=np.float32)
    pole = (1j * 2.0 * math.pi * freqs - decays) / sr  # log of z_k
    blocks = -(-n // BLOCK)
    # Powers by running products (exact to ~1e-13 over a few thousand steps, and no sin/cos/exp
    # per element): right[k, r] = z_k^r, left[q, k] = A_k e^{i phi_k} z_k^{B q}.
    right = np.empty((freqs.size, BLOCK), dtype=np.complex128)
    right[:, 0] = 1.0
    right[:, 1:] = np.exp(pole)[:, None]
    np.cumprod(right, axis=1, out=right)
    left = np.empty((blocks, freqs.size), dtype=np.complex128)
    left[0] = amps * np.exp(1j * phases)
    left[1:] = np.exp(pole * BLOCK)[None, :]
    np.cumprod(left, axis=0, out=left)
    # Far into a decay the partial is silent: exact zeros, no float32 denormals in the product.
    with np.errstate(divide="ignore"):
        silent_from = np.ceil(np.log(np.maximum(amps, 1e-300) / 1e-9) / np.maximum(decays * BLOCK / sr, 1e-12))
    for k, q in enumerate(silent_from):
        if q < blocks:
            left[max(int(q), 0):, k] = 0.0
    lhs = np.concatenate([left.real, left.imag], axis=1).astype(np.float32)
    rhs = np.concatenate([right.imag, right.real], axis=0).astype(np.float32)
    return (lhs @ rhs).reshape(-1)[:n]


@functools.lru_cache(maxsize=64)
def _rise(samples: int) -> np.ndarray:
    """A raised-cosine rise from 0 to 1 over `samples` (read-only, shared)."""
    curve = (0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, samples))).astype(np.float32)
    curve.flags.writeable = False
    return curve


def fade_in(x: np.ndarray, samples: int) -> np.ndarray:
    samples = min(samples, x.shape[-1])
    if samples > 0:
        x[..., :samples] *= _rise(samples)
    return x


def fade_out(x: np.ndarray, samples: int) -> np.ndarray:
    """A short raised-cosine fade over the last samples, so a buffer never ends on a step."""
    samples = min(samples, x.shape[-1])
    if samples > 0:
        x[..., -samples:] *= _rise(samples)[::-1]
    return x


def release(x: np.ndarray, at: int, seconds: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Exponential damping from sample `at` on (a damper or a key release)."""
    if at < x.shape[0]:
        t = np.arange(x.shape[0] - at, dtype=np.float32) / sr
        x[at:] *= np.exp(-t / max(seconds, 1e-3) * 4.6)
    return x


class Synth:
    """The instruments, with a seeded generator for detuning, phases and noise.

    Each voice returns roughly unit peak; `velocity` (0..1) shapes the timbre (a harder strike is
    brighter) and the caller scales the level."""

    def __init__(self, seed: int, sr: int = SAMPLE_RATE):
        self.sr = sr
        self.rng = np.random.default_rng([int(seed), 0x5EED])
        self._drums: dict[int, np.ndarray] = {}

    # --- tonal voices ----------------------------------------------------------------------------
    def piano(self, pitch: int, seconds: float, velocity: float, brightness: float) -> np.ndarray:
        """A struck string: slightly inharmonic partials, two detuned strings per partial (beating
        and a two-stage decay), higher partials dying faster, brighter when played harder."""
        f0 = midi_hz(pitch)
        hardness = min(1.0, max(0.0, 0.25 + 0.45 * brightness + 0.35 * velocity))
        count = int(min(14, NYQUIST_GUARD // f0))
        k = np.arange(1, count + 1, dtype=np.float64)
        inharmonicity = 0.00012 * 2.0 ** ((pitch - 60) / 18.0)
        fk = k * f0 * np.sqrt(1.0 + inharmonicity * k * k)
        strike = np.abs(np.sin(math.pi * k / 7.3))  # hammer at ~1/7 of the string
        ak = strike / k ** (2.7 - 1.5 * hardness)
        ak *= np.exp(-np.maximum(fk - 2500.0, 0.0) / (1500.0 + 5000.0 * hardness))
        t60 = min(14.0, max(1.2, 11.0 * (261.6 / f0) ** 0.7))
        dk = 6.9 / t60 * (1.0 + 0.35 * (k - 1.0) + fk / 3000.0)
        cents = self.rng.uniform(0.4, 1.2)
        detune = 2.0 ** (cents / 1200.0)
        ph = self.rng.uniform(0.0, 2.0 * math.pi, size=count)
        freqs = np.concatenate([fk, fk * detune])
        amps = np.concatenate([ak * 0.55, ak * 0.45])
        decays = np.concatenate([dk * 2.8, dk])  # prompt sound, then the aftersound
        phases = np.concatenate([ph, ph + 0.3])
        length = int(min(seconds + 0.5, t60 * 0.8) * self.sr)
        x = partials(freqs, amps, decays, phases, length, self.sr)
        fade_in(x, int(0.0015 * self.sr))
        release(x, int(seconds * self.sr), 0.25 + 0.2 * (261.6 / f0) ** 0.5, self.sr)
        fade_out(x, int(0.01 * self.sr))
        return x * np.float32(0.9 / max(ak.sum(), 1e-6))

    def pad(self, pitch: int, seconds: float, velocity: float, brightness: float) -> np.ndarray:
        """A warm ensemble pad: detuned copies of a soft saw-like spectrum, slow envelope.
        Returns (2, frames): the two channels get different detunings and phases (width)."""
        f0 = midi_hz(pitch)
        count = int(min(8, NYQUIST_GUARD // f0))
        k = np.arange(1, count + 1, dtype=np.float64)
        ak = 1.0 / k ** (2.3 - 1.0 * brightness)
        ak *= np.exp(-np.maximum(k * f0 - 500.0, 0.0) / (300.0 + 3500.0 * brightness))
        attack = 0.9 - 0.5 * brightness
        length = int((seconds + 1.4) * self.sr)
        x = np.empty((2, length), dtype=np.float32)
        for channel, centre in enumerate((-4.0, 4.0)):
            cents = np.array([centre - 5.0, centre + 5.0]) + self.rng.uniform(-2.0, 2.0, 2)
            freqs = np.concatenate([k * f0 * 2.0 ** (c / 1200.0) for c in cents])
            phases = self.rng.uniform(0.0, 2.0 * math.pi, size=freqs.size)
            x[channel] = partials(freqs, np.tile(ak, 2), np.full(freqs.size, 0.05), phases, length, self.sr)
        rise = min(int(attack * self.sr), length)
        x[:, :rise] *= np.linspace(0.0, 1.0, rise, dtype=np.float32) ** 2
        at = int(seconds * self.sr)
        if at < length:
            t = np.arange(length - at, dtype=np.float32) / self.sr
            x[:, at:] *= np.exp(-t / 1.2 * 4.6)
        fade_out(x, int(0.02 * self.sr))
        return x * np.float32(1.0 / (2.0 * ak.sum()))

    def bass(self, pitch: int, seconds: float, velocity: float, brightness: float) -> np.ndarray:
        """A round finger-played bass: few partials, a soft attack, a short release."""
        f0 = midi_hz(pitch)
        k = np.arange(1, 7, dtype=np.float64)
        ak = np.array([1.0, 0.5, 0.28, 0.14, 0.07, 0.035]) * (0.6 + 0.8 * brightness) ** (k - 1.0)
        ak[0] = 1.0
        dk = 0.9 + 0.9 * (k - 1.0)
        ph = self.rng.uniform(0.0, 0.2, size=k.size)
        length = int((seconds + 0.15) * self.sr)
        x = partials(k * f0, ak, dk, ph, length, self.sr)
        fade_in(x, int(0.006 * self.sr))
        release(x, int(seconds * self.sr), 0.08, self.sr)
        fade_out(x, int(0.005 * self.sr))
        return x * np.float32(1.0 / ak.sum())

    # --- soft percussion -------------------------------------------------------------------------
    def _noise(self, seconds: float) -> np.ndarray:
        return self.rng.standard_normal(int(seconds * self.sr))

    def drum(self, key: int, tonic: int) -> np.ndarray:
        """One seeded sample per instrument, key and piece (velocity only scales it). The pitched
        parts are tuned to the key (the kick settles on the tonic, the stick rings on the fifth)
        so that the percussion does not colour the harmony."""
        if (key, tonic) not in self._drums:
            self._drums[key, tonic] = self._make_drum(key, tonic % 12).astype(np.float32)
        return self._drums[key, tonic]

    def _make_drum(self, key: int, tonic: int) -> np.ndarray:
        sr = self.sr
        if key == 36:  # soft kick: a sine falling onto the tonic, with a felt beater's click
            t = np.arange(int(0.4 * sr)) / sr
            settle = midi_hz(24 + tonic)
            settle = settle * 2.0 if settle < 40.0 else settle
            freq = settle + 64.0 * np.exp(-t / 0.035)
            phase = 2.0 * math.pi * np.cumsum(freq) / sr
            body = np.sin(phase) * np.exp(-t / 0.16)
            click = sosfilt(butter(2, 1800, "low", fs=sr, output="sos"), self._noise(0.4))
            x = body + 0.08 * click * np.exp(-t / 0.004)
        elif key == 37:  # side stick / brush tap
            t = np.arange(int(0.18 * sr)) / sr
            noise = sosfilt(butter(2, [1200, 5000], "band", fs=sr, output="sos"), self._noise(0.18))
            ring = midi_hz(72 + (tonic + 7) % 12)
            x = 0.7 * noise * np.exp(-t / 0.03) + 0.3 * np.sin(2 * math.pi * ring * t) * np.exp(-t / 0.02)
        elif key == 70:  # shaker
            t = np.arange(int(0.14 * sr)) / sr
            noise = sosfilt(butter(2, [4500, 11000], "band", fs=sr, output="sos"), self._noise(0.14))
            env = np.minimum(1.0, t / 0.012) * np.exp(-t / 0.04)
            x = noise * env
        else:  # closed hat, soft
            t = np.arange(int(0.12 * sr)) / sr
            noise = sosfilt(butter(2, 7000, "high", fs=sr, output="sos"), self._noise(0.12))
            x = noise * np.exp(-t / 0.025)
        x = fade_out(x, int(0.3 * len(x)))
        return x / np.max(np.abs(x))

    # --- room ------------------------------------------------------------------------------------
    def impulse_response(self, rt60: float, sr: int) -> np.ndarray:
        """A stereo room (2, frames) at `sr`: decorrelated noise decaying by 60 dB in rt60 seconds,
        darker as it decays (a low band with the full rt60, a bright band with half of it), a short
        pre-delay and a few early reflections. Unit energy per channel."""
        length = int(rt60 * sr)
        t = np.arange(length) / sr
        low = butter(1, 2500, "low", fs=sr, output="sos")
        rumble = butter(2, 90, "high", fs=sr, output="sos")  # no boom from the bass in the room
        channels = []
        for _ in range(2):
            noise = self.rng.standard_normal(length)
            dark = sosfilt(low, noise) * np.exp(-6.9 * t / rt60)
            bright = noise * np.exp(-6.9 * t / (0.45 * rt60)) * 0.35
            ir = sosfilt(rumble, dark + bright)
            ir *= np.minimum(1.0, t / 0.03)  # the diffuse tail builds up
            predelay = int(0.012 * sr)
            ir = np.concatenate([np.zeros(predelay), ir])[:length]
            for delay, gain in zip(self.rng.uniform(0.008, 0.045, 5), (0.5, 0.4, 0.35, 0.3, 0.25),
                                   strict=True):
                ir[int(delay * sr)] += gain * np.sqrt(np.mean(ir[: int(0.1 * sr)] ** 2)) * 8.0
            channels.append(ir / np.sqrt(np.sum(ir * ir)))
        return np.stack(channels).astype(np.float32)
