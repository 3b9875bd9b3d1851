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

Two temperatures (``fit_language_temperatures``, session 12): Korean windows
(``segment.language_of``) get their own, the rest the other, both minimising the same pooled
objective. One shared temperature (1.143 for diary-v6) left English over-confident and Korean
under-confident: ECE 0.063 on GoEmotions dev and on Korean validation, against 0.040 and 0.039
with 1.070 / 1.235. A temperature does not change any window's top emotion, so accuracy and
macro-F1 are unchanged.
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
    "temperatures (one for Korean windows, one for the rest) minimising the mean over validation splits "
    "(GoEmotions dev, Korean validation, diary validation) of each split's mean NLL of the first label, "
    "entries read as the runtime reads them (sentence windows pooled by letter count); each split counts "
    "equally whatever its size"
)
STORED_FIELDS = ("accuracy", "macro_f1", "ece", "nll", "rows", "no_result", "multi_label_rows", "per_class")


@dataclass
class WindowedSplit:
    """One split's window logits (before the temperature) and how its windows pool into entries."""

    name: str
    data: TextSet
    logits: np.ndarray  # windows x classes
    pooling: sparse.csr_matrix  # entries x windows; a row sums to 1, or is empty (nothing to read)
    korean: np.ndarray  # windows: True where segment.language_of says Korean

    @property
    def readable(self) -> np.ndarray:
        return np.diff(self.pooling.indptr) > 0

    def probabilities(self, temperature: float, korean_temperature: float | None = None) -> np.ndarray:
        """Entries x classes as the runtime would give them at ``temperature`` (Korean windows at
        ``korean_temperature`` when given, as ``Head.temperatures``); NaN rows = no result."""
        if korean_temperature is not None:
            temperature = np.where(self.korean, korean_temperature, temperature)[:, None]
        pooled = np.asarray(self.pooling @ softmax(self.logits / temperature))
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
    korean = np.array([segment.language_of(w) == "ko" for w in flat], dtype=bool)
    return WindowedSplit(name, data, np.asarray(logits, dtype=np.float64), pooling, korean)


def split_nll(split: WindowedSplit, temperature: float, korean_temperature: float | None = None) -> float:
    """Mean NLL of the first label over the entries that have something to read."""
    readable = split.readable
    if not readable.any():
        raise ValueError(f"{split.name}: no entry has anything to read; it cannot calibrate the temperature")
    p = split.probabilities(temperature, korean_temperature)[readable]
    first = split.data.first_labels[readable]
    return float(-np.log(np.clip(p[np.arange(len(first)), first], 1e-12, 1.0)).mean())


def pooled_nll(splits: list[WindowedSplit], temperature: float, korean_temperature: float | None = None) -> float:
    return float(np.mean([split_nll(s, temperature, korean_temperature) for s in splits]))


def fit_pooled_temperature(splits: list[WindowedSplit]) -> float:
    """The temperature minimising ``pooled_nll`` (each split counting equally)."""
    if not splits:
        raise ValueError("no validation split to fit the temperature on")
    return minimise_temperature(lambda t: pooled_nll(splits, t))


def fit_language_temperatures(splits: list[WindowedSplit], rounds: int = 3) -> tuple[float, float | None]:
    """(temperature, Korean windows' temperature) minimising ``pooled_nll`` together, by
    coordinate descent from the one pooled temperature (each round fits one with the other
    fixed; they act mostly on different splits, so three rounds settle them). Korean is None when
    the splits hold no Korean window or nothing else (one temperature is all they can fit)."""
    pooled = fit_pooled_temperature(splits)
    korean = np.concatenate([s.korean for s in splits])
    if not korean.any() or korean.all():
        return pooled, None
    temperature = korean = pooled
    for _ in range(rounds):
        temperature = minimise_temperature(lambda t, k=korean: pooled_nll(splits, t, k))
        korean = minimise_temperature(lambda k, t=temperature: pooled_nll(splits, t, k))
    return temperature, korean


def report(split: WindowedSplit, temperature: float, korean_temperature: float | None = None) -> dict:
    """The evaluation report (accuracy, macro-F1, ECE, NLL, per class) at the temperature(s)."""
    return score(split.data, split.probabilities(temperature, korean_temperature))


def stored(report: dict) -> dict:
    """The fields of a report head.json keeps, floats rounded to 4 places."""
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.items() if k in STORED_FIELDS}

