"""Scoring text predictions (train and evaluate commands).

Multi-label rule (GoEmotions): a prediction equal to any of a row's gold labels is right and the
row then counts as that label; otherwise the row counts against its first listed label. A text
with nothing to read (no result) counts as wrong. Accuracy, macro-F1, per-class figures and
ECE (15 equal-width bins, confidence = top probability) all follow from that.
"""

from __future__ import annotations

import time

import numpy as np

from inference.text import runtime, segment
from inference.text.training import TextSet
from inference.training.metrics import classification_report, expected_calibration_error
from moodsite.emotions import EMOTIONS

MULTI_LABEL_RULE = (
    "multi-label rows: a prediction equal to any gold label counts as right (the row takes that label); "
    "otherwise the row counts against its first listed label; texts with no result count as wrong"
)


def predict_set(data: TextSet, embed=None) -> np.ndarray:
    """N x 7 probabilities through the runtime path (windows, pooling); NaN rows = no result."""
    vectors = runtime.predict(data.texts, embed=embed)
    return np.stack([v if v is not None else np.full(len(EMOTIONS), np.nan) for v in vectors])


def score(data: TextSet, probabilities: np.ndarray) -> dict:
    valid = ~np.isnan(probabilities).any(axis=1)
    predictions = np.where(valid, np.nan_to_num(probabilities).argmax(axis=1), -1)
    first = data.first_labels
    labels = np.array(
        [pred if pred in gold else lead for pred, gold, lead in zip(predictions, data.gold, first, strict=True)]
    )
    report = classification_report(labels, probabilities, EMOTIONS, predictions=predictions)
    report["rows"] = report.pop("images")
    report["no_result"] = report.pop("no_face")
    report["multi_label_rows"] = int(sum(len(g) > 1 for g in data.gold))
    report["rule"] = MULTI_LABEL_RULE
    found = valid
    nll = -np.log(np.clip(probabilities[found][np.arange(found.sum()), first[found]], 1e-12, 1.0))
    report["nll"] = float(nll.mean()) if found.any() else None
    return report


def ece_noise_floor(confidences: np.ndarray, draws: int = 1000, seed: int = 0) -> dict:
    """The ECE a perfectly calibrated model would still show on this many texts with these
    confidences (each reading right with probability equal to its confidence), over ``draws``
    simulated labellings: on a few hundred texts it is ~0.05, so two models' ECEs closer than
    this cannot be told apart (session 13: rules J and K compared such figures)."""
    confidences = np.asarray(confidences, dtype=np.float64)
    if not len(confidences):
        return {"median": 0.0, "p90": 0.0, "draws": 0}
    rng = np.random.default_rng(seed)
    simulated = [expected_calibration_error(confidences, rng.random(len(confidences)) < confidences)
                 for _ in range(draws)]  # fmt: skip
    return {"median": round(float(np.median(simulated)), 4), "p90": round(float(np.percentile(simulated, 90)), 4),
            "draws": draws}  # fmt: skip


def at_abstain_thresholds(data: TextSet, probabilities: np.ndarray, thresholds) -> dict:
    """What a writer sees of the model: the share of texts whose reading the site keeps (confidence at
    or above the threshold for the text's language, ``segment.language_of``, as the worker chooses it)
    and how many of those kept readings are right (the multi-label rule). ``thresholds`` is an
    ``abstaining.Thresholds``; a model without thresholds keeps every reading it has."""
    valid = ~np.isnan(probabilities).any(axis=1)
    clean = np.nan_to_num(probabilities)
    predictions, confidences = clean.argmax(axis=1), clean.max(axis=1)
    limits = [thresholds.for_text(segment.language_of(text)) for text in data.texts]
    kept = valid & np.array([limit is None or c >= limit for c, limit in zip(confidences, limits, strict=True)])
    right = np.array([p in gold for p, gold in zip(predictions, data.gold, strict=True)]) & valid
    return {
        "rows": len(data),
        "kept": int(kept.sum()),
        "coverage": round(float(kept.mean()), 4) if len(data) else 0.0,
        "kept_accuracy": round(float(right[kept].mean()), 4) if kept.any() else None,
        "rule": "a reading is kept when its confidence reaches the model's abstain threshold for the text's "
        "language (segment.language_of), else its overall one; kept readings are scored by the multi-label rule",
    }


def sentences_per_second(texts: list[str], batch_size: int = 64) -> float:
    """Throughput of read_texts on ``texts`` with the real encoder, in batches (no cache)."""
    runtime.read_texts(texts[:4])  # load the head and the encoder outside the timing
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        runtime.read_texts(texts[start : start + batch_size])
    return len(texts) / (time.perf_counter() - started)


def format_report(name: str, report: dict) -> str:
    lines = [
        f"{name}: {report['rows']} rows ({report['multi_label_rows']} multi-label, {report['no_result']} no result)",
        f"  accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}   ECE {report['ece']:.4f}"
        + (f"   NLL {report['nll']:.4f}" if report.get("nll") is not None else ""),
        f"  {'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for cls, row in report["per_class"].items():
        lines.append(
            f"  {cls:<10}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}{row['support']:>10d}"
        )
    lines.append(f"  rule: {report['rule']}")
    return "\n".join(lines)
