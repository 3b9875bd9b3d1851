"""The issue-21 experiment: does a small network trained here beat the features model on validation?

``run`` trains the network on 4/5 of Emotion6's training images (resuming from its checkpoint),
then reports on the held-out 1/5: the features model (same 4/5, its usual CV choices), the
network alone, and the two combined (``inference.scene.compare``), with the decision rule of the
issue. With ``score_test`` it also scores the split's 396 test images once, for the record; the
test figures choose nothing (the decision is made before they are computed).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from inference.scene import cnn_training, compare, training


def run(data: training.Data, images: np.ndarray, config: cnn_training.Config, *, checkpoint: Path | None,
        max_minutes: float | None = None, fold: int = 0, score_test: bool = False, log=print) -> dict:
    if len(images) != len(data.paths):
        raise ValueError(f"{len(images)} images for {len(data.paths)} labelled photos")
    started = time.monotonic()
    tr = np.flatnonzero(data.split == "train")
    fit, held = (tr[i] for i in compare.validation_split(len(tr), fold=fold))
    tops = [data.tops[i] for i in held]
    log(f"validation split (fold {fold} of {training.FOLDS}, seed 0): fit on {len(fit)}, hold out {len(held)}")
    model, state = cnn_training.train(config, images[fit], data.va[fit], data.shares[fit], checkpoint=checkpoint,
                                      max_minutes=max_minutes, watch=(images[held], data.va[held]), log=log)
    report = {"config": asdict(config), "validation_fold": fold, "fit_images": int(len(fit)),
              "validation_images": int(len(held)), "epochs_done": state["epoch"],
              "train_seconds": state["train_seconds"], "history": state["history"], "finished": state["finished"]}
    if not state["finished"]:
        return report
    va_mean, va_std = np.array(state["va_mean"]), np.array(state["va_std"])

    def network(rows):
        return cnn_training.predict(model, images[rows], va_mean, va_std, size=config.size,
                                    precision=config.precision)

    cnn_va, cnn_mood = network(held)
    feat_va, feat_mood, feat_choice = compare.features_fit_predict(
        data.x[fit], data.va[fit], data.shares[fit], data.x[held], log=lambda line: None)
    comb_va, comb_mood, weights = compare.combine(cnn_va, cnn_mood, feat_va, feat_mood, data.va[held],
                                                  data.shares[held])
    validation = {
        "features": compare.figures(feat_va, feat_mood, data.va[held], data.shares[held], tops),
        "cnn": compare.figures(cnn_va, cnn_mood, data.va[held], data.shares[held], tops),
        "combined": compare.figures(comb_va, comb_mood, data.va[held], data.shares[held], tops)}
    # Whether a difference is more than the noise of 317 images: the decision rule itself is the
    # issue's (point figures), this only says how far to trust it.
    against = {name: {target: compare.paired_bootstrap(pred[:, k], feat_va[:, k], data.va[held, k])
                      for k, target in enumerate(("valence_r", "arousal_r"))}
               for name, pred in (("cnn", cnn_va), ("combined", comb_va))}
    report |= {"features_choices": feat_choice, "combination_weights": weights, "validation": validation,
               "versus_features_bootstrap": against, "decision": compare.decide(validation)}
    if checkpoint is not None:  # the validation predictions, for later analysis (numbers only, no images)
        np.savez(checkpoint.with_suffix(".validation.npz"), rows=held, va=data.va[held], cnn_va=cnn_va,
                 cnn_mood=cnn_mood, features_va=feat_va, features_mood=feat_mood, combined_va=comb_va)
    if score_test:
        te = np.flatnonzero(data.split == "test")
        cnn_va_te, cnn_mood_te = network(te)
        f_va_te, f_mood_te, _ = compare.features_fit_predict(data.x[fit], data.va[fit], data.shares[fit],
                                                             data.x[te], log=lambda line: None)
        w = {k: weights[k]["weight_on_all"] for k in weights}
        comb_va_te = np.stack([w[name] * cnn_va_te[:, k] + (1 - w[name]) * f_va_te[:, k]
                               for k, name in enumerate(("valence", "arousal"))], axis=1)
        comb_mood_te = w["mood"] * cnn_mood_te + (1 - w["mood"]) * f_mood_te
        tops_te = [data.tops[i] for i in te]
        report["test_scored_once"] = {
            "note": "all three fitted on the 4/5 fit part only; the decision above was made before these",
            "images": int(len(te)),
            "features": compare.figures(f_va_te, f_mood_te, data.va[te], data.shares[te], tops_te),
            "cnn": compare.figures(cnn_va_te, cnn_mood_te, data.va[te], data.shares[te], tops_te),
            "combined": compare.figures(comb_va_te, comb_mood_te, data.va[te], data.shares[te], tops_te)}
    report["report_seconds"] = round(time.monotonic() - started, 1)
    return report


def pool(data: training.Data, folds: dict[int, Path]) -> dict:
    """Validation figures over several folds' held-out fifths together (each image once), from the
    predictions ``run`` saved: with all five folds, every training image is scored by a network
    and a features model that never saw it. The combination is recomputed per fold exactly as
    ``run`` did (its weights chosen inside that fold's fifth)."""
    parts = {name: [] for name in ("rows", "cnn_va", "cnn_mood", "features_va", "features_mood",
                                   "combined_va", "combined_mood")}
    for fold, path in sorted(folds.items()):
        if not path.is_file():
            raise ValueError(f"fold {fold} has no saved validation predictions at {path}: run that fold first")
        with np.load(path) as stored:
            rows = stored["rows"]
            expected = np.flatnonzero(data.split == "train")[compare.validation_split(
                int((data.split == "train").sum()), fold=fold)[1]]
            if not np.array_equal(rows, expected):
                raise ValueError(f"{path} was not written for fold {fold} of these training images")
            comb_va, comb_mood, _ = compare.combine(stored["cnn_va"], stored["cnn_mood"], stored["features_va"],
                                                    stored["features_mood"], data.va[rows], data.shares[rows])
            for name in ("rows", "cnn_va", "cnn_mood", "features_va", "features_mood"):
                parts[name].append(stored[name])
        parts["combined_va"].append(comb_va)
        parts["combined_mood"].append(comb_mood)
    got = {name: np.concatenate(values) for name, values in parts.items()}
    rows = got["rows"]
    tops = [data.tops[i] for i in rows]
    validation = {name: compare.figures(got[f"{name}_va"], got[f"{name}_mood"], data.va[rows], data.shares[rows],
                                        tops) for name in ("features", "cnn", "combined")}
    against = {name: {target: compare.paired_bootstrap(got[f"{name}_va"][:, k], got["features_va"][:, k],
                                                       data.va[rows, k])
                      for k, target in enumerate(("valence_r", "arousal_r"))} for name in ("cnn", "combined")}
    return {"folds": sorted(folds), "validation_images": int(len(rows)), "validation": validation,
            "versus_features_bootstrap": against, "decision": compare.decide(validation)}


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
