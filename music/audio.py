"""Audio analysis of an uploaded track: tempo, key and mode, energy → suggested coordinates.

Runs in a Celery worker (music.tasks.track_audio_analyse_task). librosa reads the file; the key
comes from the mean chroma vector correlated with the Krumhansl–Kessler key profiles (music.keys),
rotated to the 12 tonics.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile

import numpy as np

from diary.storage import storage_unavailable_errors
from music import keys

logger = logging.getLogger(__name__)

SAMPLE_RATE = 22_050
MAX_SECONDS = 120.0  # the first two minutes are enough to read tempo, key and energy

PITCH_NAMES = ("C", "C-sharp", "D", "E-flat", "E", "F", "F-sharp", "G", "A-flat", "A", "B-flat", "B")


def estimate_key(chroma_mean: np.ndarray) -> tuple[str, str, float]:
    """(key name, "major"/"minor", strength) for a 12-bin mean chroma vector (C first).

    strength is the margin of the best correlation over the best of the other mode (0…2)."""
    chroma = np.asarray(chroma_mean, dtype=np.float64)
    if not np.isfinite(chroma).all() or chroma.std() == 0:
        return "", "", 0.0
    best = {"major": (-2.0, 0), "minor": (-2.0, 0)}
    for mode, by_tonic in keys.correlations(chroma).items():
        for tonic, r in enumerate(by_tonic):
            if r > best[mode][0]:
                best[mode] = (r, tonic)
    mode = "major" if best["major"][0] >= best["minor"][0] else "minor"
    other = "minor" if mode == "major" else "major"
    strength = best[mode][0] - best[other][0]
    return f"{PITCH_NAMES[best[mode][1]]} {mode}", mode, round(strength, 4)


def energy_from_rms(rms: np.ndarray) -> float:
    """Mean loudness mapped to 0…1: -40 dBFS and below is 0, -8 dBFS and above is 1."""
    mean = float(np.sqrt(np.mean(np.square(rms)))) if len(rms) else 0.0
    db = 20 * math.log10(max(mean, 1e-6))
    return round(min(1.0, max(0.0, (db + 40.0) / 32.0)), 3)


def suggest_coordinates(*, tempo: float, mode: str, mode_strength: float, energy: float) -> tuple[float, float]:
    """Valence and arousal from the audio features (a deliberately simple, explainable rule):
    arousal rises with tempo and energy; valence with a clear major mode and a livelier tempo."""
    tempo_term = math.tanh((tempo - 105.0) / 35.0) if tempo else 0.0
    arousal = 0.55 * tempo_term + 0.45 * (2 * energy - 1)
    mode_sign = 1.0 if mode == "major" else -1.0 if mode == "minor" else 0.0
    clarity = min(1.0, 0.5 + 4 * max(mode_strength, 0.0))
    valence = 0.5 * mode_sign * clarity + 0.25 * tempo_term + 0.1 * (2 * energy - 1)
    return round(max(-1.0, min(1.0, valence)), 3), round(max(-1.0, min(1.0, arousal)), 3)


def analyse_signal(y: np.ndarray, sr: int) -> dict:
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if y.size < sr // 2:
        raise ValueError("The audio is shorter than half a second.")
    onset = librosa.onset.onset_strength(y=y, sr=sr)
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=sr))[0])
    chroma = librosa.feature.chroma_stft(y=y, sr=sr)
    key, mode, strength = estimate_key(chroma.mean(axis=1))
    energy = energy_from_rms(librosa.feature.rms(y=y)[0])
    valence, arousal = suggest_coordinates(tempo=tempo, mode=mode, mode_strength=strength, energy=energy)
    return {
        "tempo": round(tempo, 1),
        "key": key,
        "mode": mode,
        "mode_strength": strength,
        "energy": energy,
        "valence": valence,
        "arousal": arousal,
        "seconds": round(y.size / sr, 1),
    }


def analyse_file(path: str) -> dict:
    import warnings

    import librosa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa warns before falling back to audioread
        y, sr = librosa.load(path, sr=SAMPLE_RATE, mono=True, duration=MAX_SECONDS)
    return analyse_signal(y, sr)


def track_audio_analyse(*, track_id: int) -> None:
    """Analyse a track's audio file and store the suggestions (idempotent per file)."""
    from music.models import Track

    track = Track.objects.filter(pk=track_id).first()
    if track is None:
        return
    if not track.audio:
        Track.objects.filter(pk=track_id).update(analysis_status=Track.AnalysisStatus.NONE)
        return
    if track.analysis_status == Track.AnalysisStatus.DONE and (track.analysis or {}).get("file") == track.audio.name:
        return
    storage, name = track.audio.storage, track.audio.name
    suffix = os.path.splitext(name)[1]
    try:
        # Through the storage, never by local path (the worker may be on another machine than the
        # upload): a temporary copy, because the decoders want a file with its suffix.
        with storage.open(name, "rb") as source, tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                copy.write(chunk)
            copy.flush()
            result = analyse_file(copy.name)
    except storage_unavailable_errors():
        raise  # the store is down: the task retries; the file is not to blame
    except Exception as error:  # noqa: BLE001 - any decoding error is the file's, reported to the curator
        message = f"The file could not be read as audio ({error.__class__.__name__}: {error})".replace(": )", ")")
        logger.warning("Audio analysis of track %s failed: %s", track_id, message)
        Track.objects.filter(pk=track_id).update(
            analysis_status=Track.AnalysisStatus.FAILED, analysis={"file": name, "error": message[:300]}
        )
        return
    result["file"] = name
    Track.objects.filter(pk=track_id, audio=name).update(
        analysis_status=Track.AnalysisStatus.DONE,
        analysis=result,
        suggested_valence=result["valence"],
        suggested_arousal=result["arousal"],
    )
