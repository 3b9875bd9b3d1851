"""Choosing the top probability below which a reading says "I can't tell" instead of guessing.

The rule (the team's shared convention, BRIEF "abstain thresholds in model metadata"): on
VALIDATION data, sort the readings by their top probability (after the model's temperature),
most confident first, and accept the largest most-confident set whose readings are right at
least ``target_accuracy`` of the time. The threshold is the smallest top probability in that set;
a reading abstains when its top probability is below it. Coverage is the share of validation
items accepted.

Readings with the same top probability are accepted or refused together (a threshold cannot
split a tie). Items that gave no reading at all (a text with nothing to read) are passed with a
top probability of 0 and count against coverage, never as accepted.

Pure numpy: imported by the management command that writes the ``abstain`` key into a model's
metadata, and by the training commands of new models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference.training.metrics import expected_calibration_error

DEFAULT_TARGET_ACCURACY = 0.8


def choose_abstain_threshold(
    top_probabilities: Sequence[float] | np.ndarray,
    correct: Sequence[bool] | np.ndarray,
    target_accuracy: float = DEFAULT_TARGET_ACCURACY,
    *,
    validation: str = "",
) -> dict:
    """The lowest threshold whose accepted readings are right >= ``target_accuracy`` of the time.

    Returns the metadata's ``abstain`` object: threshold, target_accuracy, coverage,
    accepted_accuracy, accepted, total, ece (15 equal-width bins, on every item that gave a
    reading) and validation (the ``validation`` argument: which split this was chosen on).
    When not even the single most confident reading meets the target, the threshold is set just
    above the highest top probability, so every reading abstains (coverage 0).
    """
    top = np.asarray(top_probabilities, dtype=np.float64).reshape(-1)
    right = np.asarray(correct, dtype=bool).reshape(-1)
    if top.shape != right.shape:
        raise ValueError(f"{len(top)} top probabilities but {len(right)} correctness flags")
    if not len(top):
        raise ValueError("no validation items to choose a threshold on")
    if not 0.0 < target_accuracy <= 1.0:
        raise ValueError(f"target_accuracy must be in (0, 1], not {target_accuracy}")
    top = np.nan_to_num(top, nan=0.0)
    read = top > 0.0
    right = right & read

    order = np.argsort(-top, kind="stable")
    ranked, ranked_right = top[order], right[order]
    accepted_right = np.cumsum(ranked_right)
    accepted = np.arange(1, len(ranked) + 1)
    accuracy = accepted_right / accepted
    # A cut after position k is possible only where the next reading is strictly less confident.
    cuttable = np.append(ranked[1:] < ranked[:-1], True) & (ranked > 0.0)
    good = np.flatnonzero(cuttable & (accuracy >= target_accuracy - 1e-12))

    result = {"target_accuracy": float(target_accuracy), "total": int(len(top))}
    if len(good):
        k = int(good[-1])
        result |= {
            "threshold": round(float(ranked[k]), 6),
            "coverage": round(float(accepted[k] / len(top)), 4),
            "accepted_accuracy": round(float(accuracy[k]), 4),
            "accepted": int(accepted[k]),
        }
    else:
        highest = float(ranked[0]) if len(ranked) else 0.0
        result |= {
            "threshold": float(np.nextafter(highest, np.inf)),
            "coverage": 0.0,
            "accepted_accuracy": None,
            "accepted": 0,
        }
    result["ece"] = round(expected_calibration_error(top[read], right[read]), 4) if read.any() else None
    result["validation"] = validation
    return result


def coverage_at(
    top_probabilities: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray, threshold: float
) -> dict:
    """Coverage and accepted-reading accuracy of an already chosen threshold on other data (a test
    split, or data unlike the validation set), to report how the choice transfers."""
    top = np.nan_to_num(np.asarray(top_probabilities, dtype=np.float64).reshape(-1), nan=0.0)
    right = np.asarray(correct, dtype=bool).reshape(-1) & (top > 0.0)
    accepted = top >= threshold
    return {
        "coverage": round(float(accepted.mean()), 4) if len(top) else 0.0,
        "accepted_accuracy": round(float(right[accepted].mean()), 4) if accepted.any() else None,
        "accuracy_all": round(float(right.mean()), 4) if len(top) else None,
        "total": int(len(top)),
    }
