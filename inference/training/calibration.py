"""Temperature scaling (Guo et al. 2017) fitted on held-out logits, in numpy."""

from __future__ import annotations

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
    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(logits, targets, np.exp(c)), nll(logits, targets, np.exp(d))
    for _ in range(60):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(logits, targets, np.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(logits, targets, np.exp(d))
    return float(np.exp((a + b) / 2))
