"""Training the text head (train command only): numpy maths, scipy's L-BFGS as the optimiser.

Loss: cross-entropy against soft targets (a multi-label GoEmotions row is spread evenly over
its labels), each row weighted so that every (language, class) cell carries equal total
weight — GoEmotions is 37% joy and 1.5% fear, and the target is macro-F1, so the rare classes
must not be drowned out — plus an L2 penalty on the weights (not the biases). Temperature is
fitted afterwards on the validation rows (Guo et al. 2017).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from inference.text.head import Head
from inference.training.calibration import fit_temperature


def balanced_weights(targets: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Row weights giving every (group, class) cell the same total weight; mean weight 1."""
    weights = np.zeros(len(targets))
    cells = 0
    for group in np.unique(groups):
        rows = groups == group
        mass = targets[rows].sum(axis=0)
        present = mass > 0
        cells += int(present.sum())
        per_class = np.where(present, 1.0 / np.maximum(mass, 1e-9), 0.0)
        weights[rows] = targets[rows] @ per_class
    return weights * len(targets) / weights.sum()


def _standardiser(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    return mean.astype(np.float32), scale.astype(np.float32)


def _shapes(dims: list[int]) -> list[tuple[tuple[int, int], tuple[int]]]:
    return [((a, b), (b,)) for a, b in zip(dims[:-1], dims[1:], strict=True)]


def _unpack(theta: np.ndarray, dims: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    layers, at = [], 0
    for w_shape, b_shape in _shapes(dims):
        n = w_shape[0] * w_shape[1]
        weights = theta[at : at + n].reshape(w_shape)
        at += n
        bias = theta[at : at + b_shape[0]]
        at += b_shape[0]
        layers.append((weights, bias))
    return layers


def fit_head(
    features: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    *,
    hidden: int = 0,
    l2: float = 1e-3,
    max_iter: int = 500,
    seed: int = 0,
) -> Head:
    """Full-batch L-BFGS on the weighted soft cross-entropy; hidden=0 is logistic regression."""
    mean, scale = _standardiser(features)
    x = ((features - mean) / scale).astype(np.float64)
    y = targets.astype(np.float64)
    y = y / y.sum(axis=1, keepdims=True)
    w = weights.astype(np.float64) / weights.sum()
    dims = [x.shape[1], *([hidden] if hidden else []), y.shape[1]]
    rng = np.random.default_rng(seed)
    theta0 = []
    for (fan_in, fan_out), _ in _shapes(dims):
        theta0.append(rng.normal(0.0, np.sqrt(2.0 / fan_in) if hidden else 0.0, (fan_in, fan_out)).ravel())
        theta0.append(np.zeros(fan_out))
    theta0 = np.concatenate(theta0)

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        layers = _unpack(theta, dims)
        activations = [x]
        h = x
        for i, (weights_i, bias_i) in enumerate(layers):
            h = h @ weights_i + bias_i
            if i < len(layers) - 1:
                h = np.maximum(h, 0.0)
                activations.append(h)
        h = h - h.max(axis=1, keepdims=True)
        log_p = h - np.log(np.exp(h).sum(axis=1, keepdims=True))
        loss = -float((w[:, None] * y * log_p).sum())
        delta = (np.exp(log_p) - y) * w[:, None]
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            weights_i, _ = layers[i]
            grad_w = activations[i].T @ delta + 2 * l2 * weights_i
            grads.append((grad_w, delta.sum(axis=0)))
            if i:
                delta = (delta @ weights_i.T) * (activations[i] > 0)
        loss += sum(l2 * float((weights_i**2).sum()) for weights_i, _ in layers)
        flat = []
        for grad_w, grad_b in reversed(grads):
            flat += [grad_w.ravel(), grad_b]
        return loss, np.concatenate(flat)

    result = minimize(loss_and_grad, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    layers = [(wt.astype(np.float32), b.astype(np.float32)) for wt, b in _unpack(result.x, dims)]
    return Head(mean, scale, layers, 1.0)


def calibrate(head: Head, features: np.ndarray, labels: np.ndarray) -> Head:
    """Set the temperature minimising NLL of ``labels`` (class indices) on held-out rows."""
    head.temperature = fit_temperature(head.logits(features), labels)
    return head
