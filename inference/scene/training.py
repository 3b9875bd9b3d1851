"""Training and evaluating the scene reader on Emotion6 (used by ``manage.py train_scene_model``).

Train on the 1,584 train images of split_seed0.csv; every choice (feature map, regularisation,
abstain threshold) is made by 5-fold cross-validation inside train; the 396 test images are only
scored, once, beside the colour baseline on the same images.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from inference.scene import baseline, features, head
from inference.training.abstain import choose_abstain_threshold, coverage_at
from moodsite.emotions import EMOTIONS

SHARES = [f"p_{name}" for name in EMOTIONS]  # Emotion6 has the same seven moods, neutral last
ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
L2S = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
MAPS = ({"kind": "linear"}, {"kind": "fourier", "features": 512, "gamma_per_dim": 0.5},
        {"kind": "fourier", "features": 512, "gamma_per_dim": 1.0})
FOLDS = 5


class DatasetMissing(Exception):
    pass


@dataclass
class Data:
    paths: list[str]
    split: np.ndarray  # "train" / "test"
    x: np.ndarray
    brightness: np.ndarray
    saturation: np.ndarray
    va: np.ndarray  # (n, 2) valence, arousal on 1-9
    shares: np.ndarray  # (n, 7)
    tops: list[set[int]]  # the raters' top vote(s)


def load(root: Path, cache: Path | None = None, log=print) -> Data:
    labels, split = root / "labels.csv", root / "split_seed0.csv"
    if not labels.is_file() or not split.is_file():
        raise DatasetMissing(f"Emotion6 not found: {root} needs labels.csv and split_seed0.csv "
                             "(see ../shared/datasets/README.md)")
    with split.open(newline="") as handle:
        which = {row["path"]: row["split"] for row in csv.DictReader(handle)}
    with labels.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["path"] in which]
    rows.sort(key=lambda row: row["path"])
    paths = [row["path"] for row in rows]
    key = hashlib.sha256(("\n".join(paths) + f"|v{features.FEATURE_VERSION}|{features.SIDE}").encode()).hexdigest()[:16]
    x = bs = None
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            x, bs = stored["x"], stored["bs"]
    if x is None:
        started, x, bs = time.monotonic(), [], []
        for i, path in enumerate(paths):
            rgb = features.prepare(Image.open(root / path))
            x.append(features.extract(rgb))
            bs.append(features.brightness_saturation(rgb))
            if (i + 1) % 400 == 0:
                log(f"  features: {i + 1}/{len(paths)} ({time.monotonic() - started:.0f} s)")
        x, bs = np.stack(x), np.asarray(bs)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, key=key, x=x, bs=bs)
    shares = np.array([[float(row[s]) for s in SHARES] for row in rows])
    shares = shares / shares.sum(axis=1, keepdims=True)
    tops = [set(np.flatnonzero(np.isclose(s, s.max())).tolist()) for s in shares]
    return Data(paths, np.array([which[p] for p in paths]), x.astype(np.float64), bs[:, 0], bs[:, 1],
                np.array([[float(r["valence"]), float(r["arousal"])] for r in rows]), shares, tops)


def make_map(spec: dict, dim: int):
    if spec["kind"] == "linear":
        return None
    return head.FourierMap.make(dim, spec["features"], spec["gamma_per_dim"] / dim, seed=0)


def _expand(x: np.ndarray, fmap) -> np.ndarray:
    return x if fmap is None else fmap(x)


def _oof(x: np.ndarray, fit_predict, n_out: int) -> np.ndarray:
    """Out-of-fold predictions over the training set (the standardiser is fitted per fold too)."""
    out = np.zeros((len(x), n_out))
    for held in head.folds(len(x), FOLDS):
        mask = np.ones(len(x), bool)
        mask[held] = False
        std = head.Standardiser.fit(x[mask])
        out[held] = fit_predict(std(x[mask]), std(x[held]), mask)
    return out


def choose(train_x: np.ndarray, va: np.ndarray, shares: np.ndarray, log=print) -> dict:
    """The feature map and regularisation of each head, by 5-fold CV on train."""
    dim = train_x.shape[1]
    best_va = best_mood = None
    for spec in MAPS:
        fmap = make_map(spec, dim)
        for alpha in ALPHAS:
            def fit_predict(a, b, mask, alpha=alpha, fmap=fmap):
                w, c = head.ridge_fit(_expand(a, fmap), va[mask], alpha)
                return _expand(b, fmap) @ w + c
            pred = _oof(train_x, fit_predict, 2)
            score = float(np.mean(((pred - va) / va.std(axis=0)) ** 2))
            if best_va is None or score < best_va[0]:
                best_va = (score, spec, alpha, pred)
        for l2 in L2S:
            def fit_predict(a, b, mask, l2=l2, fmap=fmap):
                w, c = head.softmax_fit(_expand(a, fmap), shares[mask], l2)
                return head.softmax(_expand(b, fmap) @ w + c)
            pred = _oof(train_x, fit_predict, len(EMOTIONS))
            score = head.soft_cross_entropy(pred, shares)
            if best_mood is None or score < best_mood[0]:
                best_mood = (score, spec, l2, pred)
        log(f"  map {spec}: best so far va {best_va[1]} alpha={best_va[2]} (mse {best_va[0]:.4f}); "
            f"mood {best_mood[1]} l2={best_mood[2]} (ce {best_mood[0]:.4f})")
    return {"va": {"map": best_va[1], "alpha": best_va[2], "cv_standardised_mse": round(best_va[0], 4),
                   "oof": best_va[3]},
            "mood": {"map": best_mood[1], "l2": best_mood[2], "cv_soft_cross_entropy": round(best_mood[0], 4),
                     "oof": best_mood[3]}}


def top_vote_agreement(predicted: np.ndarray, tops: list[set[int]]) -> dict:
    """Share of images whose predicted top mood is the raters' top vote, images with a tied top vote excluded."""
    clear = [i for i, t in enumerate(tops) if len(t) == 1]
    hits = sum(int(predicted[i]) in tops[i] for i in clear)
    return {"agreement": round(hits / len(clear), 4) if clear else None, "images": len(clear)}


def va_figures(pred: np.ndarray, va: np.ndarray) -> dict:
    return {"valence_r": round(head.pearson(pred[:, 0], va[:, 0]), 4),
            "valence_mae": round(float(np.abs(pred[:, 0] - va[:, 0]).mean()), 4),
            "arousal_r": round(head.pearson(pred[:, 1], va[:, 1]), 4),
            "arousal_mae": round(float(np.abs(pred[:, 1] - va[:, 1]).mean()), 4)}


def nearest_centroid(va_pred: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return np.argmin(((va_pred[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)


def train_and_evaluate(data: Data, log=print) -> tuple[dict, dict]:
    """(arrays to ship, metadata with every figure)."""
    tr, te = data.split == "train", data.split == "test"
    x_tr, x_te = data.x[tr], data.x[te]
    tops_tr = [t for t, m in zip(data.tops, tr, strict=True) if m]
    tops_te = [t for t, m in zip(data.tops, te, strict=True) if m]
    log(f"train {tr.sum()} / test {te.sum()} images, {data.x.shape[1]} features")
    chosen = choose(x_tr, data.va[tr], data.shares[tr], log=log)

    std = head.Standardiser.fit(x_tr)
    dim = x_tr.shape[1]
    va_map, mood_map = make_map(chosen["va"]["map"], dim), make_map(chosen["mood"]["map"], dim)
    va_w, va_c = head.ridge_fit(_expand(std(x_tr), va_map), data.va[tr], chosen["va"]["alpha"])
    mood_w, mood_c = head.softmax_fit(_expand(std(x_tr), mood_map), data.shares[tr], chosen["mood"]["l2"])
    va_pred = np.clip(_expand(std(x_te), va_map) @ va_w + va_c, 1.0, 9.0)
    mood_pred = head.softmax(_expand(std(x_te), mood_map) @ mood_w + mood_c)

    # Abstain threshold on the train out-of-fold mood distributions (BRIEF: chosen on validation data).
    oof = chosen["mood"]["oof"]
    clear_tr = np.array([len(t) == 1 for t in tops_tr])
    right_tr = np.array([int(np.argmax(p)) in t for p, t in zip(oof, tops_tr, strict=True)])
    abstain = choose_abstain_threshold(oof.max(axis=1)[clear_tr], right_tr[clear_tr],
                                       validation="Emotion6 train, 5-fold out-of-fold, tied top votes excluded")
    clear_te = np.array([len(t) == 1 for t in tops_te])
    right_te = np.array([int(np.argmax(p)) in t for p, t in zip(mood_pred, tops_te, strict=True)])
    abstain_test = coverage_at(mood_pred.max(axis=1)[clear_te], right_te[clear_te], abstain["threshold"])

    # The colour baseline on the same images, its lines fitted on train.
    p_tr, a_tr = baseline.pleasure_arousal(data.brightness[tr], data.saturation[tr])
    p_te, a_te = baseline.pleasure_arousal(data.brightness[te], data.saturation[te])
    line_v = baseline.line_fit(p_tr, data.va[tr, 0])
    line_a = baseline.line_fit(a_tr, data.va[tr, 1])
    base_pred = np.stack([line_v[0] * p_te + line_v[1], line_a[0] * a_te + line_a[1]], axis=1)
    # The formula gives no mood distribution: its top vote is the mood whose train images' mean
    # (valence, arousal) is nearest to its (valence, arousal).
    top_tr = np.array([min(t) for t in tops_tr])
    centroids = np.array([data.va[tr][top_tr == k].mean(axis=0) if (top_tr == k).any() else [99.0, 99.0]
                          for k in range(len(EMOTIONS))])
    majority = int(np.bincount(top_tr[clear_tr], minlength=len(EMOTIONS)).argmax())

    model_figures = va_figures(va_pred, data.va[te]) | {
        "top_vote": top_vote_agreement(mood_pred.argmax(axis=1), tops_te),
        "soft_cross_entropy": round(head.soft_cross_entropy(mood_pred, data.shares[te]), 4)}
    baseline_figures = va_figures(base_pred, data.va[te]) | {
        "top_vote": top_vote_agreement(nearest_centroid(base_pred, centroids), tops_te),
        "lines": {"valence": [round(v, 4) for v in line_v], "arousal": [round(v, 4) for v in line_a]}}
    cv_va = va_figures(chosen["va"]["oof"], data.va[tr])
    targets = {"valence_r>=0.60": model_figures["valence_r"] >= 0.60,
               "valence_mae<=1.0": model_figures["valence_mae"] <= 1.0,
               "arousal_r>=0.40": model_figures["arousal_r"] >= 0.40,
               "beats_baseline_valence_r_by_0.10":
                   model_figures["valence_r"] - baseline_figures["valence_r"] >= 0.10}
    arrays = {"mean": std.mean, "scale": std.scale, "va_w": va_w, "va_c": va_c, "mood_w": mood_w, "mood_c": mood_c}
    for name, fmap in (("va", va_map), ("mood", mood_map)):
        if fmap is not None:
            arrays[f"{name}_fourier_w"], arrays[f"{name}_fourier_b"] = fmap.w, fmap.b
    metadata = {
        "classes": list(EMOTIONS),
        "features": {"version": features.FEATURE_VERSION, "side": features.SIDE, "names": features.feature_names()},
        "heads": {"va": {"map": chosen["va"]["map"], "alpha": chosen["va"]["alpha"],
                         "cv_standardised_mse": chosen["va"]["cv_standardised_mse"]},
                  "mood": {"map": chosen["mood"]["map"], "l2": chosen["mood"]["l2"],
                           "cv_soft_cross_entropy": chosen["mood"]["cv_soft_cross_entropy"]}},
        "abstain": abstain,
        "metrics": {"validation": {"split": "Emotion6 train, 5-fold out-of-fold", **cv_va,
                                   "nll": chosen["mood"]["cv_soft_cross_entropy"]},
                    "test": {"split": "Emotion6 split_seed0 test", "images": int(te.sum()), **model_figures,
                             "abstain_at_threshold": abstain_test},
                    "baseline_test": baseline_figures,
                    "majority_top_vote_test": top_vote_agreement(np.full(int(te.sum()), majority), tops_te),
                    "targets_met": targets},
        "training": {"train_images": int(tr.sum()), "test_images": int(te.sum()), "folds": FOLDS,
                     "dataset": "Emotion6 (Peng et al., CVPR 2015), split_seed0.csv"},
    }
    return arrays, metadata


def write(out: Path, arrays: dict, metadata: dict, *, version: str) -> Path:
    """weights.npz and model.json, each written to a temporary name and renamed."""
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})
    blob = buffer.getvalue()
    (out / "weights.npz.tmp").write_bytes(blob)
    os.replace(out / "weights.npz.tmp", out / "weights.npz")
    document = {"name": "moodsite-scene", "version": version, "format": 1, "weights": "weights.npz",
                "sha256": hashlib.sha256(blob).hexdigest(), **metadata}
    (out / "model.json.tmp").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(out / "model.json.tmp", out / "model.json")
    return out / "model.json"
