"""Honest readings: when the reader says "I can't tell", and what it does when face and words disagree.

Pure Python (no model): the reading pipeline calls ``decide`` once per entry with what each model
read. The rules, in order:

1. Each part (face, words) abstains when its top probability (after the model's temperature) is
   below the threshold chosen for that model on validation data (the ``abstain`` key of its
   metadata, inference/training/abstain.py). For words, the threshold of the text's language when
   the metadata has one (``by_language``), else the model's. A face the quality check refused
   (inference.face_quality) was never read, so it is not a part at all.
2. Only confident parts are combined: a confident text with an unsure face reads from the text
   alone (and the other way round); nothing confident means the reading abstains, keeping the
   (unsure) probabilities to show but no emotion, valence or arousal to act on.
3. When both parts are confident but their top emotions lie on opposite sides of the circumplex
   (one pleasant, one unpleasant; neutral is neither), the reading is a disagreement: both are
   shown, and the entry gets no automatic emotion - unless one side clearly dominates, i.e. the
   pooled distribution (the usual log-linear fusion) still puts at least ``DOMINANT_PROBABILITY``
   on one of the two parts' own top emotions. That is the same 80% the accepted readings must
   reach, and it can only be the answer of one of the parts, never a third emotion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from moodsite.emotions import CIRCUMPLEX, EMOTIONS

DOMINANT_PROBABILITY = 0.8

FACE_UNSURE = "face_unsure"
TEXT_UNSURE = "text_unsure"
UNSURE = "unsure"
DISAGREE = "disagree"
# A face the quality check refused, when there is nothing else to read: "face_" + its problem.
FACE_QUALITY_PREFIX = "face_"


@dataclass(frozen=True)
class Thresholds:
    face: float | None = None
    text: float | None = None
    text_by_language: Mapping[str, float] = field(default_factory=dict)

    def for_text(self, language: str | None) -> float | None:
        return self.text_by_language.get(language or "", self.text)


def _threshold(abstain) -> float | None:
    if not isinstance(abstain, Mapping):
        return None
    value = abstain.get("threshold")
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def thresholds_from(*, face_info: Mapping | None, text_info: Mapping | None) -> Thresholds:
    """Thresholds from the models' info (runtime.model_info() / text_model_info()); a model
    without an ``abstain`` key never abstains (its readings are kept as before)."""
    face = _threshold((face_info or {}).get("abstain"))
    text_abstain = (text_info or {}).get("abstain") or {}
    by_language = {}
    if isinstance(text_abstain, Mapping):
        for language, choice in (text_abstain.get("by_language") or {}).items():
            if (value := _threshold(choice)) is not None:
                by_language[language] = value
    return Thresholds(face=face, text=_threshold(text_abstain), text_by_language=by_language)


def top_emotion(probabilities: Mapping[str, float]) -> str:
    return max(EMOTIONS, key=lambda name: probabilities.get(name, 0.0))


def _confident(probabilities: Mapping[str, float] | None, threshold: float | None) -> bool:
    if probabilities is None:
        return False
    return threshold is None or max(probabilities.get(name, 0.0) for name in EMOTIONS) >= threshold


def opposite_valence(a: str, b: str) -> bool:
    return CIRCUMPLEX[a][0] * CIRCUMPLEX[b][0] < 0


@dataclass(frozen=True)
class Reading:
    """What is stored as the entry's combined reading; emotion "" and no valence when abstained."""

    probabilities: dict[str, float]
    valence: float | None
    arousal: float | None
    emotion: str
    confidence: float
    source: str


@dataclass(frozen=True)
class Verdict:
    reading: Reading | None
    abstained: bool = False
    reason: str = ""
    face_abstained: bool = False
    text_abstained: bool = False
    disagreement: bool = False


def _kept(fused) -> Reading:
    return Reading(dict(fused.probabilities), fused.valence, fused.arousal, fused.emotion,
                   float(fused.confidence), fused.source)


def _withheld(fused) -> Reading:
    return Reading(dict(fused.probabilities), None, None, "", float(fused.confidence), fused.source)


def decide(
    *,
    face: Mapping[str, float] | None,
    text: Mapping[str, float] | None,
    thresholds: Thresholds,
    fuse: Callable,
    text_language: str | None = None,
    face_quality: str = "",
) -> Verdict | None:
    """The entry's reading under the rules of the module docstring; None when nothing was read
    and no face was refused (the caller's "no face / nothing to read")."""
    face_ok = _confident(face, thresholds.face)
    text_ok = _confident(text, thresholds.for_text(text_language))
    face_abstained, text_abstained = face is not None and not face_ok, text is not None and not text_ok
    flags = {"face_abstained": face_abstained, "text_abstained": text_abstained}

    if face is None and text is None:
        if face_quality:
            return Verdict(None, abstained=True, reason=FACE_QUALITY_PREFIX + face_quality)
        return None
    if face_ok and text_ok:
        fused = fuse(face=dict(face), text=dict(text))
        face_top, text_top = top_emotion(face), top_emotion(text)
        if not opposite_valence(face_top, text_top):
            return Verdict(_kept(fused), **flags)
        dominant = fused.emotion in (face_top, text_top) and fused.confidence >= DOMINANT_PROBABILITY
        if dominant:
            return Verdict(_kept(fused), disagreement=True, **flags)
        return Verdict(_withheld(fused), abstained=True, reason=DISAGREE, disagreement=True, **flags)
    if face_ok:
        return Verdict(_kept(fuse(face=dict(face), text=None)), **flags)
    if text_ok:
        return Verdict(_kept(fuse(face=None, text=dict(text))), **flags)
    fused = fuse(face=dict(face) if face is not None else None, text=dict(text) if text is not None else None)
    reason = UNSURE if face is not None and text is not None else (FACE_UNSURE if face is not None else TEXT_UNSURE)
    return Verdict(_withheld(fused), abstained=True, reason=reason, **flags)
