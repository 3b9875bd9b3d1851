"""Combining the face reading and the text reading of one entry into the distribution the site uses.

Log-linear (geometric) pooling: log p(e) = w_face * log p_face(e) + w_text * log p_text(e) + const,
with w_face + w_text = 1. Pure Python; no model is loaded here.

There is no data set with a face and a text of the same moment, so the weights cannot be fitted
end to end. They follow from each model's own validation data instead: a model's weight is
proportional to the information its calibrated predictions carry about the emotion on its
validation set, log(7) - NLL (nats gained over a uniform guess). A model that knows more gets
more say; a model no better than chance gets none. The weights sum to 1 rather than 2 because
a photo and the words of the same entry are not independent evidence (both come from the same
person and day), so adding their full log-likelihoods would overstate the certainty; with
weights summing to 1 the pooled distribution is no sharper than its parts. The numbers and
their sources are in inference/weights/text/MODEL_CARD.md ("Fusion"); ``fusion_weights``
recomputes them from the two shipped metadata files.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from moodsite.emotions import EMOTIONS, valence_arousal

_WEIGHTS = Path(__file__).resolve().parent / "weights"
# Used only when a metadata file lacks its validation figure: the weights of the models shipped
# with this code (face v7 loss 0.7405, text diary-v7 NLL 1.1528 at temperatures 1.1427 and, for
# Korean windows, 1.4232; MODEL_CARD.md, "Fusion").
DEFAULT_WEIGHTS = {"face": 0.6032, "text": 0.3968}
_FLOOR = 1e-4  # a zero probability from one part must not veto a class outright


@dataclass
class FusedReading:
    probabilities: dict[str, float]
    valence: float
    arousal: float
    emotion: str
    confidence: float
    source: str  # "face" | "text" | "combined"
    weights: dict[str, float]


def information(nll: float) -> float:
    """Nats a calibrated model gains over guessing uniformly among the seven emotions."""
    return max(math.log(len(EMOTIONS)) - nll, 0.0)


def weights_from_nll(face_nll: float, text_nll: float) -> dict[str, float]:
    face, text = information(face_nll), information(text_nll)
    if face + text <= 0:
        return dict(DEFAULT_WEIGHTS)
    return {"face": round(face / (face + text), 4), "text": round(text / (face + text), 4)}


def _validation_nll(metadata_path: Path, keys: tuple[str, ...]) -> float | None:
    try:
        metrics = json.loads(metadata_path.read_text(encoding="utf-8"))["metrics"]
    except (OSError, ValueError, KeyError):
        return None
    for key in keys:
        node = metrics
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            return float(node)
    return None


@lru_cache(maxsize=1)
def fusion_weights() -> dict[str, float]:
    """Weights from the shipped models' validation NLL (face: FER+ validation; text: both languages)."""
    face = _validation_nll(_WEIGHTS / "face" / "model.json", ("validation.nll", "validation.loss"))
    text = _validation_nll(_WEIGHTS / "text" / "head.json", ("validation.nll",))
    if face is None or text is None:
        return dict(DEFAULT_WEIGHTS)
    return weights_from_nll(face, text)


def _normalised(distribution: dict[str, float]) -> list[float]:
    values = [max(float(distribution.get(name, 0.0)), 0.0) for name in EMOTIONS]
    total = sum(values)
    if total <= 0 or not math.isfinite(total):
        raise ValueError("a distribution over the emotions must have positive, finite mass")
    return [v / total for v in values]


def _reading(probabilities: list[float], source: str, weights: dict[str, float]) -> FusedReading:
    named = dict(zip(EMOTIONS, probabilities, strict=True))
    valence, arousal = valence_arousal(named)
    emotion = max(EMOTIONS, key=named.__getitem__)
    return FusedReading(named, valence, arousal, emotion, named[emotion], source, weights)


def fuse(
    *,
    face: dict[str, float] | None,
    text: dict[str, float] | None,
    weights: dict[str, float] | None = None,
) -> FusedReading | None:
    """The combined reading, or None when there is neither a face nor a text reading."""
    if face is None and text is None:
        return None
    if text is None:
        return _reading(_normalised(face), "face", {"face": 1.0, "text": 0.0})
    if face is None:
        return _reading(_normalised(text), "text", {"face": 0.0, "text": 1.0})
    weights = weights or fusion_weights()
    face_p, text_p = _normalised(face), _normalised(text)
    logs = [
        weights["face"] * math.log(max(f, _FLOOR)) + weights["text"] * math.log(max(t, _FLOOR))
        for f, t in zip(face_p, text_p, strict=True)
    ]
    top = max(logs)
    unnormalised = [math.exp(v - top) for v in logs]
    total = sum(unnormalised)
    return _reading([v / total for v in unnormalised], "combined", dict(weights))


# --- A photo without a face: the scene's valence and arousal join the words' ---------------------
#
# The scene reader's seven-mood distribution abstains (no confidence reaches 80% right on its
# validation folds; inference/weights/scene/MODEL_CARD.md), so it cannot join the log-linear pool
# above. What it does measure is valence and arousal. Each coordinate is pooled as a weighted mean,
# the scene's weight being the share of variance its prediction explains on its validation folds
# (r squared: 0 for a reader no better than the average, 1 for a perfect one), the words keeping
# the rest. The scene's arousal (validation r 0.17) therefore moves the reading only a little.


@lru_cache(maxsize=1)
def scene_weights() -> dict[str, float]:
    """{'valence': w, 'arousal': w} from the shipped scene model's cross-validated Pearson r."""
    weights = {}
    for axis in ("valence", "arousal"):
        r = _validation_nll(_WEIGHTS / "scene" / "model.json", (f"validation.{axis}_r",))
        weights[axis] = round(max(r or 0.0, 0.0) ** 2, 4)
    return weights


def fuse_scene(
    *, reading: FusedReading | None, scene_valence: float, scene_arousal: float,
    weights: dict[str, float] | None = None,
) -> tuple[float, float, dict[str, float]]:
    """(valence, arousal, weights) on the site's [-1, 1] scale with the scene's coordinates joined.

    Without a words' reading the scene's own coordinates are the answer (weight 1)."""
    if reading is None:
        return round(scene_valence, 4), round(scene_arousal, 4), {"valence": 1.0, "arousal": 1.0}
    weights = weights or scene_weights()
    valence = (1 - weights["valence"]) * reading.valence + weights["valence"] * scene_valence
    arousal = (1 - weights["arousal"]) * reading.arousal + weights["arousal"] * scene_arousal
    return round(valence, 4), round(arousal, 4), dict(weights)
