"""After training: the temperature, the post-hoc class balance and the abstain key fitted on
validation, the metrics, and the export of weights + metadata (imports torch)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from inference.face_model import INPUT_SIZE, MEAN, STD, arch_of_state, build_model
from inference.runtime import autocast_dtype, batched_logits
from inference.training.calibration import fit_temperature, nll
from inference.training.metrics import classification_report, softmax
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS

if TYPE_CHECKING:
    from inference.training.loop import TrainConfig, TrainData

WEIGHTS_FILE = "model.safetensors"
METADATA_FILE = "model.json"


def class_prior(targets: np.ndarray) -> np.ndarray:
    """The training set's class frequencies (mean target), floored so log() stays finite."""
    prior = np.asarray(targets, dtype=np.float64).mean(axis=0)
    prior = np.maximum(prior, 1e-4)
    return prior / prior.sum()


def balance_logits(
    logits: np.ndarray, labels: np.ndarray, prior: np.ndarray, tolerance: float, taus=None
) -> tuple[float, list[dict]]:
    """Post-hoc logit adjustment: the tau for ``logits - tau x log(prior)`` with the highest
    macro-recall among those whose accuracy is within ``tolerance`` of the best accuracy of the
    grid (validation data). Returns (tau, the whole grid's figures)."""
    taus = np.round(np.arange(-1.0, 1.51, 0.1), 2) if taus is None else taus
    labelled = labels >= 0
    log_prior = np.log(prior)
    grid = []
    for tau in taus:
        report = classification_report(labels[labelled], softmax(logits[labelled] - tau * log_prior), EMOTIONS)
        grid.append(
            {
                "tau": float(tau),
                "accuracy": round(report["accuracy"], 4),
                "macro_recall": round(report["macro_recall"], 4),
            }
        )
    best_accuracy = max(g["accuracy"] for g in grid)
    eligible = [g for g in grid if g["accuracy"] >= best_accuracy - tolerance]
    choice = max(eligible, key=lambda g: (g["macro_recall"], -abs(g["tau"])))
    return choice["tau"], grid


def abstain_key(top: np.ndarray, correct: np.ndarray, validation: str, target_accuracy: float = 0.8) -> dict:
    """The metadata's ``abstain`` object (the team's convention, inference/training/abstain.py)."""
    from inference.training.abstain import choose_abstain_threshold

    return choose_abstain_threshold(top, correct, target_accuracy, validation=validation)


@torch.inference_mode()
def predict_logits(
    model, images: np.ndarray, device: torch.device, batch_size: int = 512, autocast: torch.dtype | None = None
) -> np.ndarray:
    """Logits as the runtime computes them (runtime.batched_logits), in numpy."""
    model.eval()
    batches = batched_logits(model, images, device, autocast, batch_size)
    return torch.cat(batches).numpy() if batches else np.zeros((0, len(EMOTIONS)), np.float32)


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy over the labelled rows (label -1 = excluded)."""
    labelled = labels >= 0
    return float((probabilities.argmax(1)[labelled] == labels[labelled]).mean()) if labelled.any() else 0.0


# The shifted validation copy's seed; the shifted test set of evaluate_emotion_model uses 0.
SHIFT_SEED = 1


def aligned_input(data: TrainData) -> bool:
    return "alignment" in data.description


def shifted_validation_logits(model, images: np.ndarray, *, aligned: bool) -> np.ndarray:
    """Logits of a shifted copy of the validation crops, re-aligned first when the model reads
    aligned crops (as evaluate_emotion_model --shift does: distort, then find the landmarks)."""
    from inference.training.shift import shifted

    distorted = shifted(images, seed=SHIFT_SEED)
    if aligned:
        from inference.runtime import face_landmarks_in_crops
        from inference.training.alignment import align_crops

        landmarks, scores = face_landmarks_in_crops(distorted)
        distorted = align_crops(distorted, landmarks, scores)[0]
    return predict_logits(
        model, distorted, torch.device("cpu"), autocast=autocast_dtype(torch, torch.device("cpu"), "auto")
    )


def export(model, out_dir: Path, metadata: dict) -> dict:
    """Write model.safetensors + model.json (with the weights' sha256) into out_dir."""
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().float().contiguous().cpu() if v.is_floating_point() else v.detach().contiguous().cpu()
        for k, v in model.state_dict().items()
    }
    weights = out_dir / WEIGHTS_FILE
    save_file(state, str(weights), metadata={"format": "pt", "version": metadata.get("version", "")})
    metadata = dict(metadata, weights=WEIGHTS_FILE, sha256=file_sha256(weights), size_bytes=weights.stat().st_size)
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    return metadata


def finalize(model, data: TrainData, config: TrainConfig, training: dict, out_dir: Path) -> dict:
    """Fit the temperature on validation, measure, and export weights + metadata."""
    final = model.cpu().eval().to(memory_format=torch.channels_last)
    # Fit the temperature on logits computed exactly as inference.runtime computes them on a CPU.
    logits = predict_logits(
        final, data.val_images, torch.device("cpu"), autocast=autocast_dtype(torch, torch.device("cpu"), "auto")
    )
    # The recorded loss is against the annotators' votes alone, so it means the same with or without
    # FER2013's labels mixed in (the fusion weights are argued from it, inference/fusion.py).
    mixed = data.val_ferplus_soft is not None
    labelled = data.val_labels >= 0
    prior = class_prior(data.train_targets)
    balance = None
    if config.balance_tolerance is not None and labelled.any():
        # Fold the chosen post-hoc adjustment into the classifier's bias, so the runtime needs
        # nothing new: logits - tau x log(prior) is then what the network outputs.
        tau, grid = balance_logits(logits, data.val_labels, prior, config.balance_tolerance)
        with torch.no_grad():
            final.fc.bias -= torch.from_numpy(tau * np.log(prior)).float()
        logits = logits - tau * np.log(prior)
        balance = {
            "tau": tau,
            "tolerance": config.balance_tolerance,
            "prior": [round(float(v), 4) for v in prior],
            "rule": "output bias shifted by -tau x log(training class prior); tau with the best validation "
            "macro-recall among those within `tolerance` of the best validation accuracy",
            "grid": grid,
        }
    val_loss = nll(logits, data.val_ferplus_soft if mixed else data.val_targets, 1.0)
    shifted_logits = None
    if config.shift_calibration and labelled.any():
        shifted_logits = shifted_validation_logits(final, data.val_images[labelled], aligned=aligned_input(data))
        if balance is not None:
            shifted_logits = shifted_logits - balance["tau"] * np.log(prior)
        # One temperature for clean and selfie-like faces alike: the validation crops and their
        # shifted copies count equally (clean-only fitting left the model over-confident under shift).
        temperature = fit_temperature(
            np.concatenate([logits[labelled], shifted_logits]), np.tile(data.val_labels[labelled], 2)
        )
    else:
        temperature = fit_temperature(logits[labelled], data.val_labels[labelled]) if labelled.any() else 1.0
    val_report = classification_report(data.val_labels[labelled], softmax(logits[labelled], temperature), EMOTIONS)
    raw_report = classification_report(data.val_labels[labelled], softmax(logits[labelled]), EMOTIONS)
    metadata = {
        "name": config.name,
        "version": config.version or f"{config.name}-{time.strftime('%Y%m%d%H%M', time.gmtime())}",
        "classes": list(EMOTIONS),
        "arch": arch_of_state(model.state_dict()),
        "input": {
            "size": INPUT_SIZE,
            "channels": 1,
            "mean": MEAN,
            "std": STD,
            # Trained on crops warped onto inference.faces.TEMPLATE (five landmarks): read aligned crops.
            "aligned": aligned_input(data),
        },
        "temperature": round(temperature, 4),
        "training": training,
        "metrics": {
            "validation": {
                "split": data.description.get("validation", "validation"),
                "loss": round(val_loss, 4),
                "accuracy": round(val_report["accuracy"], 4),
                "macro_f1": round(val_report["macro_f1"], 4),
                "macro_recall": round(val_report["macro_recall"], 4),
                "recall": {name: val_report["per_class"][name]["recall"] for name in EMOTIONS},
                "ece": round(val_report["ece"], 4),
                "ece_before_temperature": round(raw_report["ece"], 4),
                **({"loss_mixed_targets": round(nll(logits, data.val_targets, 1.0), 4)} if mixed else {}),
            }
        },
    }
    # The temperature is rounded in the metadata: use exactly that value everywhere.
    metadata["temperature"] = float(metadata["temperature"])
    if shifted_logits is not None:
        shifted_report = classification_report(
            data.val_labels[labelled], softmax(shifted_logits, metadata["temperature"]), EMOTIONS
        )
        metadata["metrics"]["validation_shifted"] = {
            "split": f"the validation crops shifted (inference/training/shift.py, seed {SHIFT_SEED})",
            "accuracy": round(shifted_report["accuracy"], 4),
            "macro_recall": round(shifted_report["macro_recall"], 4),
            "ece": round(shifted_report["ece"], 4),
            "temperature_fitted_on": "validation and its shifted copy together",
        }
    if balance is not None:
        metadata["balance"] = balance
    if labelled.any():
        probabilities = softmax(logits[labelled], metadata["temperature"])
        metadata["abstain"] = abstain_key(
            probabilities.max(axis=1),
            probabilities.argmax(axis=1) == data.val_labels[labelled],
            data.description.get("validation", "validation"),
        )
    return export(final, out_dir, metadata)


def export_checkpoint(checkpoint: Path, data: TrainData, config: TrainConfig, out_dir: Path, note: str = "") -> dict:
    """Export a checkpoint saved during training (e.g. to ship an early model while training goes on)."""
    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = build_model(saved.get("arch"))
    model.load_state_dict(saved["state_dict"])
    training = {"data": data.description, "checkpoint_epoch": saved.get("epoch"), "note": note}
    return finalize(model, data, config, training, out_dir)
