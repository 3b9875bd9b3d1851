"""Loudness (ITU-R BS.1770-4 / EBU R 128) and peak control, in numpy/scipy. No Django.

* `integrated_loudness`: K-weighting (a high shelf and a high pass), mean square over 400 ms
  blocks overlapping by 75%, the absolute gate at -70 LUFS and the relative gate 10 LU below the
  ungated mean. Channels are weighted 1.0 (left, right and centre in the standard).
* The K-weighting filters are the analogue prototypes behind the standard's 48 kHz coefficients
  (shelf 1681.97 Hz, +4.0 dB, Q 0.7072; high pass 38.14 Hz, Q 0.5003; as derived by Brecht De Man
  for pyloudnorm/libebur128), re-discretised with the bilinear transform at any sample rate. At
  48 kHz they reproduce the coefficients printed in BS.1770 to about 1e-8.
* `true_peak_dbtp`: the peak of the signal upsampled 4x (BS.1770-4 Annex 2 asks for at least 4x).
* `limit`: a look-ahead brick-wall limiter whose gain never exceeds what keeps |x| <= ceiling.

Signals are channel-first: shape (channels, frames), or (frames,) for mono. (soundfile reads
(frames, channels): pass `audio.T`.)
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly, sosfilt

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
BLOCK_S = 0.4
STEP_S = 0.1


def k_weighting_sos(sample_rate: float) -> np.ndarray:
    """Second-order sections of the K-weighting pre-filter at `sample_rate`."""
    # Stage 1: the high shelf modelling the acoustic effect of the head.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh ** 0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
        1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0,
    ]
    # Stage 2: the RLB high pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1.0 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def _channels(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return x[None, :] if x.ndim == 1 else x


def block_powers(x: np.ndarray, sample_rate: float) -> np.ndarray:
    """Channel-summed mean square of the K-weighted signal in each 400 ms gating block."""
    x = _channels(x)
    frames = x.shape[1]
    block = int(round(BLOCK_S * sample_rate))
    step = int(round(STEP_S * sample_rate))
    if frames < block:
        return np.zeros(0)
    sos = k_weighting_sos(sample_rate).astype(np.float32)
    if block == 4 * step:
        # Sum squares per 100 ms step, then add four neighbouring steps: the same block sums as a
        # running sum, with no signal-length float64 arrays (less memory, fewer page faults).
        steps = frames // step
        sums = np.zeros(steps)
        for channel in x:  # float32 filtering is plenty for a level measurement
            weighted = sosfilt(sos, np.asarray(channel, dtype=np.float32))
            np.square(weighted, out=weighted)
            sums += weighted[: steps * step].reshape(steps, step).sum(axis=1, dtype=np.float64)
        window = np.lib.stride_tricks.sliding_window_view(sums, 4)
        return window.sum(axis=1) / block
    energy = np.zeros(frames + 1)
    for channel in x:
        weighted = sosfilt(sos, np.asarray(channel, dtype=np.float32))
        energy[1:] += np.cumsum(np.square(weighted, dtype=np.float64))
    starts = np.arange(0, frames - block + 1, step)
    return (energy[starts + block] - energy[starts]) / block


def _loudness(power):
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def integrated_loudness(x: np.ndarray, sample_rate: float) -> float:
    """Gated integrated loudness in LUFS; -inf for silence."""
    powers = block_powers(x, sample_rate)
    powers = powers[_loudness(powers) > ABSOLUTE_GATE_LUFS]
    if powers.size == 0:
        return float("-inf")
    threshold = _loudness(powers.mean()) + RELATIVE_GATE_LU
    gated = powers[_loudness(powers) > threshold]
    return float(_loudness(gated.mean()))


def sample_peak_dbfs(x: np.ndarray) -> float:
    peak = float(np.max(np.abs(x))) if np.size(x) else 0.0
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")


def true_peak_dbtp(x: np.ndarray, oversample: int = 4) -> float:
    """Peak of the 4x-upsampled signal (inter-sample peaks), in dB relative to full scale."""
    up = resample_poly(_channels(x).astype(np.float64), oversample, 1, axis=-1)
    return sample_peak_dbfs(up)


def limit(x: np.ndarray, ceiling: float, sample_rate: float, window_s: float = 0.006) -> np.ndarray:
    """Scale `x` down (in place) wherever |x| would pass `ceiling` (linear), smoothly, without
    overshoot. Returns x.

    The needed gain g[n] = min(1, ceiling / |x[n]|) is spread by a minimum filter of +-w samples
    and then smoothed by a moving average of width w: every average only contains values <= g[n],
    so the result never lets a sample through above the ceiling (look-ahead = w).
    """
    x = _channels(x)
    peak = np.abs(x).max(axis=0)
    if peak.max() <= ceiling:
        return x
    w = max(3, int(window_s * sample_rate) | 1)
    gain = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12)).astype(np.float32)
    gain = minimum_filter1d(gain, size=2 * w + 1)
    gain = uniform_filter1d(gain, size=w)
    gain = np.minimum(gain, np.minimum(1.0, ceiling / np.maximum(peak, 1e-12)))
    x *= gain[None, :].astype(x.dtype)
    return x


def normalise(x: np.ndarray, sample_rate: float, target_lufs: float = -16.0, ceiling_dbfs: float = -1.5,
              tolerance_lu: float = 0.2, rounds: int = 4) -> tuple[np.ndarray, dict]:
    """Bring `x` to `target_lufs`, limiting peaks to `ceiling_dbfs` (sample peak). Returns (y, report)."""
    ceiling = 10.0 ** (ceiling_dbfs / 20.0)
    y = np.array(_channels(x), dtype=np.float32)  # one copy; then in place
    measured = integrated_loudness(y, sample_rate)
    if not math.isfinite(measured):
        return y, {"loudness_lufs": measured, "gain_db": 0.0, "limited": False}
    total_gain_db = 0.0
    limited = False
    for _ in range(rounds):
        gain_db = target_lufs - measured
        total_gain_db += gain_db
        y *= np.float32(10.0 ** (gain_db / 20.0))
        if max(float(y.max()), -float(y.min())) > ceiling:
            y = limit(y, ceiling, sample_rate)
            limited = True
            measured = integrated_loudness(y, sample_rate)
        else:
            measured += gain_db  # a plain gain moves the loudness by exactly that much
        if abs(measured - target_lufs) <= tolerance_lu:
            break
    return y.astype(np.float32), {
        "loudness_lufs": round(measured, 2),
        "gain_db": round(total_gain_db, 2),
        "limited": limited,
        "sample_peak_dbfs": round(sample_peak_dbfs(y), 2),
    }
