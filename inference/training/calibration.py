"""Temperature scaling (Guo et al. 2017) fitted on held-out logits, in numpy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inference.training.metrics import softmax


def nll(logits: np.ndarray, targets: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood; targets are class indices (N,) or distributions (N x C)."""
    log_p = np.log(np.clip(softmax(logits, temperature), 1e-12, 1.0))
    if targets.ndim == 1:
        return float(-log_p[np.arange(len(targets)), targets].mean())
    return float(-(targets * log_p).sum(axis=1).mean())


def fit_temperature(logits: np.ndarray, targets: np.ndarray, low: float = 0.05, high: float = 10.0) -> float:
    """The temperature minimising validation NLL (golden-section search on log T; NLL is unimodal in T)."""
    return minimise_temperature(lambda t: nll(logits, targets, t), low, high)


def minimise_temperature(objective: Callable[[float], float], low: float = 0.05, high: float = 10.0) -> float:
    """The temperature in [low, high] minimising ``objective(T)`` by golden-section search on log T.

    Shared by ``fit_temperature`` and objectives that are not one plain NLL (the text model's
    validation splits, each pooled over sentence windows and weighted equally)."""
    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = objective(float(np.exp(c))), objective(float(np.exp(d)))
    for _ in range(60):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = objective(float(np.exp(c)))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = objective(float(np.exp(d)))
    return float(np.exp((a + b) / 2))
