"""Training the text head (train command only): numpy maths and our own L-BFGS.

Loss: cross-entropy against soft targets (a multi-label GoEmotions row is spread evenly over
its labels), each row weighted so that every (language, class) cell carries equal total
weight — GoEmotions is 37% joy and 1.5% fear, and the target is macro-F1, so the rare classes
must not be drowned out — plus L2 penalties on the weights (not the biases): ``l2`` for the
embedding part, ``l2_ngrams`` for the n-gram block. The temperature is fitted afterwards on the
validation splits (Guo et al. 2017), in ``inference.text.calibrate``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from inference.text import ngrams
from inference.text.head import Head


def balanced_weights(targets: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Row weights giving every (group, class) cell the same total weight; mean weight 1."""
    weights = np.zeros(len(targets))
    for group in np.unique(groups):
        rows = groups == group
        mass = targets[rows].sum(axis=0)
        per_class = np.where(mass > 0, 1.0 / np.maximum(mass, 1e-9), 0.0)
        weights[rows] = targets[rows] @ per_class
    return weights * len(targets) / weights.sum()


def lbfgs(function, theta: np.ndarray, *, max_iter: int, memory: int = 10, tol: float = 1e-7) -> np.ndarray:
    """Minimise ``function(theta) -> (value, gradient)``: L-BFGS two-loop recursion with a
    backtracking (Armijo) line search. scipy's L-BFGS-B spends ~0.4 s of bookkeeping per step on
    the n-gram head's 1.8 million parameters; this spends milliseconds."""
    value, grad = function(theta)
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(max_iter):
        direction = grad.copy()
        alphas = []
        for s, y, rho in reversed(history):
            alpha = rho * float(s @ direction)
            direction -= alpha * y
            alphas.append(alpha)
        if history:
            s, y, _ = history[-1]
            direction *= float(s @ y) / float(y @ y)
        else:
            direction /= max(float(np.linalg.norm(grad)), 1e-12)
        for (s, y, rho), alpha in zip(history, reversed(alphas), strict=True):
            beta = rho * float(y @ direction)
            direction += (alpha - beta) * s
        direction = -direction
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            history.clear()
            direction = -grad / max(float(np.linalg.norm(grad)), 1e-12)
            slope = float(grad @ direction)
        step = 1.0
        while True:
            candidate = theta + step * direction
            new_value, new_grad = function(candidate)
            if new_value <= value + 1e-4 * step * slope or step < 1e-8:
                break
            step *= 0.5
        s, y = candidate - theta, new_grad - grad
        sy = float(s @ y)
        if sy > 1e-12:
            history.append((s, y, 1.0 / sy))
            del history[:-memory]
        converged = abs(value - new_value) <= tol * max(1.0, abs(value))
        theta, value, grad = candidate, new_value, new_grad
        if converged or step < 1e-8:
            break
    return theta


def _shapes(dims: list[int]) -> list[tuple[int, int]]:
    return list(zip(dims[:-1], dims[1:], strict=True))


def fit_head(
    embeddings: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    *,
    texts: list[str] | None = None,
    hidden: int = 0,
    l2: float = 1e-3,
    l2_ngrams: float = 1e-4,
    max_iter: int = 500,
    seed: int = 0,
) -> Head:
    """Full-batch L-BFGS on the weighted soft cross-entropy; hidden=0 is logistic regression.

    With ``texts`` the head also learns an n-gram block (idf fitted on these texts)."""
    mean = embeddings.mean(axis=0).astype(np.float32)
    scale = (embeddings.std(axis=0) + 1e-6).astype(np.float32)
    x = ((embeddings - mean) / scale).astype(np.float64)
    y = targets.astype(np.float64)
    y = y / y.sum(axis=1, keepdims=True)
    w = weights.astype(np.float64) / weights.sum()
    classes = y.shape[1]
    idf = grams = grams_t = active = None
    if texts is not None:
        counts = ngrams.counts_matrix(texts)
        idf = ngrams.fit_idf(counts)
        grams = sparse.csr_matrix(ngrams.features(texts, idf, counts), dtype=np.float64)
        # Only buckets seen in training get a gradient (the rest stay at zero under L2), so the
        # optimiser works on those columns alone and the full table is filled in at the end.
        active = np.unique(grams.indices)
        grams = grams[:, active].tocsr()
        grams_t = grams.T.tocsr()
    dims = [x.shape[1], *([hidden] if hidden else []), classes]
    sizes = [a * b + b for a, b in _shapes(dims)]
    n_dense = sum(sizes)

    def unpack(theta):
        layers, at = [], 0
        for a, b in _shapes(dims):
            layers.append((theta[at : at + a * b].reshape(a, b), theta[at + a * b : at + a * b + b]))
            at += a * b + b
        ngram = theta[n_dense:].reshape(-1, classes) if texts is not None else None
        return layers, ngram

    rng = np.random.default_rng(seed)
    theta0 = [
        np.concatenate([rng.normal(0.0, np.sqrt(2.0 / a) if hidden else 0.0, a * b), np.zeros(b)])
        for a, b in _shapes(dims)
    ]
    if texts is not None:
        theta0.append(np.zeros(len(active) * classes))
    theta0 = np.concatenate(theta0)

    def loss_and_grad(theta):
        layers, ngram = unpack(theta)
        activations = [x]
        h = x
        for i, (weights_i, bias_i) in enumerate(layers):
            h = h @ weights_i + bias_i
            if i < len(layers) - 1:
                h = np.maximum(h, 0.0)
                activations.append(h)
        if ngram is not None:
            h = h + grams @ ngram
        h = h - h.max(axis=1, keepdims=True)
        log_p = h - np.log(np.exp(h).sum(axis=1, keepdims=True))
        loss = -float((w[:, None] * y * log_p).sum())
        delta = (np.exp(log_p) - y) * w[:, None]
        grads = []
        if ngram is not None:
            grad_ngram = grams_t @ delta + 2 * l2_ngrams * ngram
            loss += l2_ngrams * float(ngram.ravel() @ ngram.ravel())
        for i in range(len(layers) - 1, -1, -1):
            weights_i, _ = layers[i]
            grads.append(np.concatenate([(activations[i].T @ delta + 2 * l2 * weights_i).ravel(), delta.sum(axis=0)]))
            loss += l2 * float((weights_i**2).sum())
            if i:
                delta = (delta @ weights_i.T) * (activations[i] > 0)
        flat = list(reversed(grads))
        if ngram is not None:
            flat.append(grad_ngram.ravel())
        return loss, np.concatenate(flat)

    layers, ngram = unpack(lbfgs(loss_and_grad, theta0, max_iter=max_iter))
    if texts is not None:
        table = np.zeros((ngrams.BUCKETS, classes), dtype=np.float32)
        table[active] = ngram
        ngram = table
    return Head(
        mean,
        scale,
        [(wt.astype(np.float32), b.astype(np.float32)) for wt, b in layers],
        1.0,
        idf,
        ngram.astype(np.float32) if ngram is not None else None,
    )


def shift_class(head: Head, index: int, bias: float) -> Head:
    """Add ``bias`` to one class's logit (the output layer's bias), before the temperature.

    Used for "neutral": the train command chooses a (negative) shift on diary validation rows
    so that emotional text written like a diary is not read as neutral by default."""
    weights, biases = head.layers[-1]
    biases = biases.copy()
    biases[index] += np.float32(bias)
    head.layers[-1] = (weights, biases)
    return head

