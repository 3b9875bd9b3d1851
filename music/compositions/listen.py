"""Measuring what a piece sounds like, with librosa: tempo, mode, brightness, loudness, peaks.

Used by the test suite and by `bench/compose.py --listen`; never at render time (librosa is not
needed to make music). No Django.

Mode: the mean chroma of the piece is correlated with the 24 rotations of the Krumhansl-Kessler
key profiles (music.keys); the best-correlated key gives tonic and mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from music import keys

ANALYSIS_RATE = 22050


@dataclass(frozen=True)
class KeyEstimate:
    tonic: int
    mode: str
    correlation: float
    margin: float  # best correlation minus the best of the other mode


def estimate_key(chroma_mean: np.ndarray) -> KeyEstimate:
    scores = [(r, tonic, mode) for mode, by_tonic in keys.correlations(chroma_mean).items()
              for tonic, r in enumerate(by_tonic)]
    scores.sort(reverse=True)
    best = scores[0]
    other = max(s for s in scores if s[2] != best[2])
    return KeyEstimate(best[1], best[2], best[0], best[0] - other[0])


def mono(audio: np.ndarray, rate: int) -> np.ndarray:
    """(frames, channels) or (frames,) at `rate` -> mono float32 at ANALYSIS_RATE."""
    import librosa

    y = audio.mean(axis=1) if audio.ndim == 2 else audio
    return librosa.resample(np.ascontiguousarray(y, dtype=np.float32), orig_sr=rate, target_sr=ANALYSIS_RATE)


def tempo(y: np.ndarray) -> float:
    import librosa

    return float(librosa.feature.tempo(y=y, sr=ANALYSIS_RATE)[0])


def key(y: np.ndarray) -> KeyEstimate:
    import librosa

    return estimate_key(librosa.feature.chroma_cqt(y=y, sr=ANALYSIS_RATE).mean(axis=1))


def centroid(y: np.ndarray) -> float:
    """Brightness: the spectral centroid (Hz) averaged over frames weighted by their energy, so
    that near-silent frames (the fade at the end) do not count as dark ones."""
    import librosa

    spectrum = np.abs(librosa.stft(y)) ** 2
    per_frame = librosa.feature.spectral_centroid(S=np.sqrt(spectrum), sr=ANALYSIS_RATE)[0]
    energy = spectrum.sum(axis=0)
    return float(np.sum(per_frame * energy) / max(np.sum(energy), 1e-12))


def thirds(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(y) // 3
    return y[:n], y[-n:]
