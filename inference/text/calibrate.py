"""The format-1 text head's temperature, fitted on all the validation splits at once.

Used by ``train_text_emotion_model`` (after choosing a head) and ``calibrate_text_emotion_model``
(refitting only the temperature of a shipped head).

Why pooled: a temperature fitted on GoEmotions dev and the Korean validation split alone left
the diary validation rows, the kind of writing the site reads, at ECE 0.159 against 0.043 and
0.017 on the public splits (issue 16). So every validation split is scored as the runtime reads
it: each entry cut into sentence windows, each window's ``softmax(logits / T)``, pooled by letter
count exactly as ``runtime.pool`` does; the loss is the NLL of the entry's first label.

Weighting: each split's *mean* NLL counts equally (a row weighs 1 / rows of its split), so the
5,426 GoEmotions rows do not drown the 336 diary rows. The splits are GoEmotions dev, the
Korean validation split and diary validation (its English and Korean rows together, as the
``diary_val`` figure in head.json). Test splits never enter the fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from inference.text import segment
from inference.text.evaluation import score
from inference.text.training import TextSet
from inference.training.calibration import minimise_temperature
from inference.training.metrics import softmax
from moodsite.emotions import EMOTIONS

RULE = (
    "temperature minimising the mean over validation splits (GoEmotions dev, Korean validation, diary "
    "validation) of each split's mean NLL of the first label, entries read as the runtime reads them "
    "(sentence windows pooled by letter count); each split counts equally whatever its size"
)
STORED_FIELDS = ("accuracy", "macro_f1", "ece", "nll", "rows", "no_result", "multi_label_rows", "per_class")


@dataclass
class WindowedSplit:
    """One split's window logits (before the temperature) and how its windows pool into entries."""

    name: str
    data: TextSet
    logits: np.ndarray  # windows x classes
    pooling: sparse.csr_matrix  # entries x windows; a row sums to 1, or is empty (nothing to read)

    @property
    def readable(self) -> np.ndarray:
        return np.diff(self.pooling.indptr) > 0

    def probabilities(self, temperature: float) -> np.ndarray:
        """Entries x classes as the runtime would give them at ``temperature``; NaN rows = no result."""
        pooled = np.asarray(self.pooling @ softmax(self.logits, temperature))
        pooled[~self.readable] = np.nan
        return pooled


def windowed(name: str, data: TextSet, logits_for: Callable[[list[str]], np.ndarray]) -> WindowedSplit:
    """Cut ``data``'s entries into windows and compute their logits once (``logits_for(windows)``)."""
    rows, columns, weights, flat = [], [], [], []
    for row, text in enumerate(data.texts):
        windows = segment.windows(text)
        # The same weights as runtime.pool: letters per window, at least 1.
        letters = np.array([max(segment.letter_count(w), 1) for w in windows], dtype=np.float64)
        rows += [row] * len(windows)
        columns += range(len(flat), len(flat) + len(windows))
        weights += list(letters / letters.sum()) if len(windows) else []
        flat += windows
    pooling = sparse.csr_matrix((weights, (rows, columns)), shape=(len(data), len(flat)))
    logits = logits_for(flat) if flat else np.zeros((0, len(EMOTIONS)))
    return WindowedSplit(name, data, np.asarray(logits, dtype=np.float64), pooling)


def split_nll(split: WindowedSplit, temperature: float) -> float:
    """Mean NLL of the first label over the entries that have something to read."""
    readable = split.readable
    if not readable.any():
        raise ValueError(f"{split.name}: no entry has anything to read; it cannot calibrate the temperature")
    p = split.probabilities(temperature)[readable]
    first = split.data.first_labels[readable]
    return float(-np.log(np.clip(p[np.arange(len(first)), first], 1e-12, 1.0)).mean())


def pooled_nll(splits: list[WindowedSplit], temperature: float) -> float:
    return float(np.mean([split_nll(s, temperature) for s in splits]))


def fit_pooled_temperature(splits: list[WindowedSplit]) -> float:
    """The temperature minimising ``pooled_nll`` (each split counting equally)."""
    if not splits:
        raise ValueError("no validation split to fit the temperature on")
    return minimise_temperature(lambda t: pooled_nll(splits, t))


def report(split: WindowedSplit, temperature: float) -> dict:
    """The evaluation report (accuracy, macro-F1, ECE, NLL, per class) at ``temperature``."""
    return score(split.data, split.probabilities(temperature))


def stored(report: dict) -> dict:
    """The fields of a report head.json keeps, floats rounded to 4 places."""
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.items() if k in STORED_FIELDS}

