"""Classification and calibration metrics in plain numpy (testable without torch)."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows = true class, columns = predicted class. A prediction of -1 (no face) counts nowhere."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for true, pred in zip(labels, predictions, strict=True):
        if pred >= 0:
            matrix[int(true), int(pred)] += 1
    return matrix


def per_class_prf(labels: np.ndarray, predictions: np.ndarray, num_classes: int):
    """(precision, recall, f1, support) arrays. Missing predictions (-1) lower recall only."""
    labels = np.asarray(labels)
    predictions = np.asarray(predictions)
    precision = np.zeros(num_classes)
    recall = np.zeros(num_classes)
    f1 = np.zeros(num_classes)
    support = np.zeros(num_classes, dtype=np.int64)
    for c in range(num_classes):
        tp = int(np.sum((predictions == c) & (labels == c)))
        predicted = int(np.sum(predictions == c))
        actual = int(np.sum(labels == c))
        support[c] = actual
        precision[c] = tp / predicted if predicted else 0.0
        recall[c] = tp / actual if actual else 0.0
        denom = precision[c] + recall[c]
        f1[c] = 2 * precision[c] * recall[c] / denom if denom else 0.0
    return precision, recall, f1, support


def expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """ECE with equal-width confidence bins (Guo et al. 2017): sum_b |B|/N * |acc(B) - conf(B)|."""
    confidences = np.asarray(confidences, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidences) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidences > lo) & (confidences <= hi)
        if lo == 0.0:
            in_bin |= confidences == 0.0
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidences[in_bin].mean())
    return float(ece)


def classification_report(
    labels: np.ndarray,
    probabilities: np.ndarray | None,
    class_names: list[str] | tuple[str, ...],
    predictions: np.ndarray | None = None,
) -> dict:
    """All the numbers the evaluate command prints.

    ``probabilities`` is N x C (rows of images with no face may be NaN); ``predictions`` defaults
    to its argmax, with -1 for rows without probabilities (no face found: counted as wrong).
    """
    labels = np.asarray(labels, dtype=np.int64)
    num_classes = len(class_names)
    if predictions is None:
        if probabilities is None:
            raise ValueError("need probabilities or predictions")
        valid = ~np.isnan(probabilities).any(axis=1)
        predictions = np.where(valid, np.nan_to_num(probabilities).argmax(axis=1), -1)
    predictions = np.asarray(predictions, dtype=np.int64)
    correct = predictions == labels
    precision, recall, f1, support = per_class_prf(labels, predictions, num_classes)
    present = support > 0
    report = {
        "accuracy": float(correct.mean()) if len(labels) else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        # Balanced accuracy: the mean of the per-class recalls, so a model that answers the
        # majority class for everything cannot score well (FER+ is 1/3 neutral, 1/4 happy).
        "macro_recall": float(recall[present].mean()) if present.any() else 0.0,
        "ece": None,
        "per_class": {
            name: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, name in enumerate(class_names)
        },
        "confusion_matrix": confusion_matrix(labels, predictions, num_classes).tolist(),
        "images": int(len(labels)),
        "no_face": int(np.sum(predictions < 0)),
    }
    if probabilities is not None:
        found = predictions >= 0
        conf = np.nan_to_num(probabilities).max(axis=1)
        # Images with no face have no confidence to calibrate; ECE is over the faces found.
        report["ece"] = expected_calibration_error(conf[found], correct[found])
    return report
