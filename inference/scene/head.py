"""Closed-form regression heads on standardised scene features (numpy only).

- ``Ridge``: valence and arousal (1-9 SAM scale), one ridge regression with two outputs.
- ``SoftmaxRegression``: the raters' 7-way vote shares, a multinomial logistic regression trained
  on the shares themselves (soft cross-entropy) with L2, by full-batch gradient descent.
- An optional random-Fourier-feature map (an RBF kernel approximation, Rahimi & Recht 2007) gives
  both heads a smooth non-linearity; whether it is used is chosen by cross-validation.
"""

from __future__ import annotations

import numpy as np


class Standardiser:
    def __init__(self, mean: np.ndarray, scale: np.ndarray):
        self.mean, self.scale = mean, scale

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardiser:
        scale = x.std(axis=0)
        return cls(x.mean(axis=0), np.where(scale > 1e-8, scale, 1.0))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale


class FourierMap:
    """phi(x) = sqrt(2/D) cos(W x + b), W ~ N(0, gamma), appended to x itself."""

    def __init__(self, w: np.ndarray, b: np.ndarray):
        self.w, self.b = w, b

    @classmethod
    def make(cls, dim: int, features: int, gamma: float, seed: int = 0) -> FourierMap:
        rng = np.random.default_rng(seed)
        return cls(rng.normal(0.0, np.sqrt(gamma), (dim, features)), rng.uniform(0, 2 * np.pi, features))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.hstack([x, np.sqrt(2.0 / self.w.shape[1]) * np.cos(x @ self.w + self.b)])


def ridge_fit(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercept minimising |y - xW - c|^2 + alpha |W|^2 (intercept not penalised)."""
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - x_mean, y - y_mean
    gram = xc.T @ xc + alpha * np.eye(x.shape[1])
    w = np.linalg.solve(gram, xc.T @ yc)
    return w, y_mean - x_mean @ w


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_fit(x: np.ndarray, shares: np.ndarray, l2: float, *, steps: int = 400,
                lr: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on soft targets (vote shares), L2 on the weights.

    Full-batch gradient descent with Nesterov momentum; the loss is convex, and on standardised
    features 400 steps converge for the regularisations searched here."""
    n, d = x.shape
    k = shares.shape[1]
    w, c = np.zeros((d, k)), np.log(shares.mean(axis=0) + 1e-6)
    vw, vc = np.zeros_like(w), np.zeros_like(c)
    for _ in range(steps):
        lw, lc = w + 0.9 * vw, c + 0.9 * vc
        p = softmax(x @ lw + lc)
        gw = x.T @ (p - shares) / n + l2 * lw
        gc = (p - shares).mean(axis=0)
        vw, vc = 0.9 * vw - lr * gw, 0.9 * vc - lr * gc
        w, c = w + vw, c + vc
    return w, c


def soft_cross_entropy(p: np.ndarray, shares: np.ndarray) -> float:
    return float(-(shares * np.log(np.clip(p, 1e-9, 1.0))).sum(axis=1).mean())


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float) - np.mean(a), np.asarray(b, float) - np.mean(b)
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    return np.array_split(np.random.default_rng(seed).permutation(n), k)
