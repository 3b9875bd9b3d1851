"""Features model vs the scene network vs both combined, on one held-out validation part of train.

numpy only. Emotion6's 1,584 training images are split once (seeded, 80 / 20: fold ``fold`` of
``head.folds``); the features model is chosen by its own 5-fold CV inside the 80 % and fitted
there, the network is trained on the same 80 %, and both predict the 20 %. The combination is
a weighted mean of the two predictions; its weight is chosen by an inner 5-fold split of the
validation part, so every combined figure is on images that did not choose its weight. The test
split is never used here.
"""

from __future__ import annotations

import numpy as np

from inference.scene import head, training

WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))  # share of the network in the mean
INNER_FOLDS = 5


def validation_split(n: int, *, fold: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(fit, held) indices into the training images: 4/5 and 1/5, fixed by the seed."""
    if not 0 <= fold < training.FOLDS:
        raise ValueError(f"the validation fold must be 0-{training.FOLDS - 1}, got {fold}")
    held = np.sort(head.folds(n, training.FOLDS, seed)[fold])
    fit = np.setdiff1d(np.arange(n), held)
    return fit, held


def features_fit_predict(x_fit: np.ndarray, va_fit: np.ndarray, shares_fit: np.ndarray, x_eval: np.ndarray,
                         log=print) -> tuple[np.ndarray, np.ndarray, dict]:
    """The shipped recipe (map and regularisation by 5-fold CV on x_fit), fitted on x_fit, predicting x_eval."""
    chosen = training.choose(x_fit, va_fit, shares_fit, log=log)
    std, dim = head.Standardiser.fit(x_fit), x_fit.shape[1]
    va_map, mood_map = training.make_map(chosen["va"]["map"], dim), training.make_map(chosen["mood"]["map"], dim)
    w, c = head.ridge_fit(training._expand(std(x_fit), va_map), va_fit, chosen["va"]["alpha"])
    mw, mc = head.softmax_fit(training._expand(std(x_fit), mood_map), shares_fit, chosen["mood"]["l2"])
    va = np.clip(training._expand(std(x_eval), va_map) @ w + c, 1.0, 9.0)
    mood = head.softmax(training._expand(std(x_eval), mood_map) @ mw + mc)
    return va, mood, {"va": {k: chosen["va"][k] for k in ("map", "alpha")},
                      "mood": {k: chosen["mood"][k] for k in ("map", "l2")}}


def _best_weight(a: np.ndarray, b: np.ndarray, score) -> float:
    return min(WEIGHTS, key=lambda w: score(w * a + (1 - w) * b))


def blend(cnn: np.ndarray, feats: np.ndarray, target: np.ndarray, score, *, seed: int = 1) -> tuple[np.ndarray, dict]:
    """Out-of-inner-fold weighted means (weight chosen on the other inner folds) and the weight on all."""
    if cnn.shape != feats.shape or len(cnn) != len(target) or len(target) < INNER_FOLDS:
        raise ValueError("the two predictions and the target must have the same shape and enough rows")
    out, chosen = np.zeros_like(cnn), []
    for held in head.folds(len(target), INNER_FOLDS, seed):
        mask = np.ones(len(target), bool)
        mask[held] = False
        w = _best_weight(cnn[mask], feats[mask], lambda p, m=mask: score(p, target[m]))
        chosen.append(w)
        out[held] = w * cnn[held] + (1 - w) * feats[held]
    return out, {"inner_fold_weights": chosen, "weight_on_all": _best_weight(cnn, feats, lambda p: score(p, target))}


def _mse(p: np.ndarray, t: np.ndarray) -> float:
    return float(np.mean((p - t) ** 2))


def combine(cnn_va: np.ndarray, cnn_mood: np.ndarray, feat_va: np.ndarray, feat_mood: np.ndarray,
            va: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Valence and arousal blended separately (by squared error), the mood distribution by soft cross-entropy."""
    columns, weights = [], {}
    for k, name in enumerate(("valence", "arousal")):
        col, weights[name] = blend(cnn_va[:, k], feat_va[:, k], va[:, k], _mse)
        columns.append(col)
    mood, weights["mood"] = blend(cnn_mood, feat_mood, shares, head.soft_cross_entropy)
    return np.stack(columns, axis=1), mood, weights


def figures(va_pred: np.ndarray, mood_pred: np.ndarray, va: np.ndarray, shares: np.ndarray,
            tops: list[set[int]]) -> dict:
    return training.va_figures(va_pred, va) | {
        "top_vote": training.top_vote_agreement(mood_pred.argmax(axis=1), tops),
        "soft_cross_entropy": round(head.soft_cross_entropy(mood_pred, shares), 4)}


def paired_bootstrap(pred: np.ndarray, base: np.ndarray, target: np.ndarray, *, draws: int = 2000,
                     seed: int = 0) -> dict:
    """The difference in Pearson r (pred minus base) on the same images, with a 95 % percentile interval
    from resampling the images: how much of a validation difference a 317-image split can carry."""
    if pred.shape != base.shape or pred.shape != target.shape:
        raise ValueError("the predictions and the target must have the same shape")
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(draws):
        rows = rng.integers(0, len(target), len(target))
        diffs.append(head.pearson(pred[rows], target[rows]) - head.pearson(base[rows], target[rows]))
    low, high = np.percentile(diffs, (2.5, 97.5))
    return {"difference": round(head.pearson(pred, target) - head.pearson(base, target), 4),
            "ci95": [round(float(low), 4), round(float(high), 4)], "draws": draws}


def decide(validation: dict) -> dict:
    """Ship the network or the combination only if it beats the features model on validation valence r
    and is not worse on arousal r (issue 21's rule); otherwise the features model stays."""
    base = validation["features"]
    candidates = [name for name in ("cnn", "combined")
                  if validation[name]["valence_r"] > base["valence_r"]
                  and validation[name]["arousal_r"] >= base["arousal_r"]]
    if not candidates:
        return {"ship": "features", "why": "neither the network nor the combination beats the features model "
                                           "on validation valence r without losing arousal r"}
    best = max(candidates, key=lambda name: validation[name]["valence_r"])
    return {"ship": best, "why": f"{best} beats the features model on validation valence r "
                                 f"({validation[best]['valence_r']} vs {base['valence_r']}) "
                                 "and is not worse on arousal r"}
