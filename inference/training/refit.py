"""Retraining only the classifier of an earlier face model on frozen features (imports torch)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from inference.face_model import arch_of_state, build_model, normalise
from inference.training.augment import augment_selfie
from inference.training.finalize import accuracy, class_prior, finalize
from inference.training.loop import TrainConfig, TrainData, pick_dtype, seed_everything, soft_cross_entropy
from moodsite.digests import file_sha256


@torch.inference_mode()
def pooled_features(model, images: np.ndarray, autocast: torch.dtype | None, batch_size: int = 512) -> torch.Tensor:
    """The network's pooled penultimate features (N x 256, float32) for N x 48 x 48 crops or normalised tensors."""
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = images[i : i + batch_size]
        x = x if isinstance(x, torch.Tensor) else torch.from_numpy(normalise(x))
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=autocast or torch.float32, enabled=autocast is not None):
            out.append(model.forward_head(model.forward_features(x), pre_logits=True).float())
    return torch.cat(out)


def refit_head(data: TrainData, config: TrainConfig, out_dir: Path, log: Callable[[str], None] = print) -> dict:
    """Retrain only the classifier (the last linear layer) of ``config.init`` on the training crops as given
    (aligned ones, with ``--align``): for a CPU too busy to fine-tune the whole network.

    The features of each training crop are computed once for two views (as is, and one
    ``augment_selfie`` view: flipped, turned, blurred, masked...); the layer is then trained with
    AdamW on the soft targets under the logit-adjusted loss, and the epoch with the lowest
    validation loss is kept."""
    from safetensors.torch import load_file

    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    started = time.time()
    state = load_file(str(config.init))
    model = build_model(arch_of_state(state))
    model.load_state_dict(state)
    model = model.eval().to(memory_format=torch.channels_last)
    autocast = pick_dtype(config.precision, torch.device("cpu"))
    generator = torch.Generator().manual_seed(config.seed)
    base = torch.from_numpy(normalise(data.train_images))
    selfie = torch.cat([augment_selfie(base[i : i + 512].clone(), generator) for i in range(0, len(base), 512)])
    views = [base, selfie]
    features = torch.cat([pooled_features(model, v, autocast) for v in views])
    targets = torch.from_numpy(np.tile(data.train_targets.astype(np.float32), (len(views), 1)))
    val_features = pooled_features(model, data.val_images, autocast)
    val_targets = torch.from_numpy(data.val_targets.astype(np.float32))
    log(
        f"features of {len(features)} training views and {len(val_features)} validation crops "
        f"in {time.time() - started:.0f} s"
    )
    prior = class_prior(data.train_targets)
    adjustment = config.logit_adjust * torch.log(torch.from_numpy(prior).float())
    head = copy.deepcopy(model.fc).float().train()
    for p in head.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(head.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    best = {"val_loss": float("inf"), "epoch": 0}
    best_state = copy.deepcopy(head.state_dict())
    history = []
    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(len(features), generator=generator)
        for i in range(0, len(order), 512):
            idx = order[i : i + 512]
            loss = soft_cross_entropy(head(features[idx]) + adjustment, targets[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            val_logits = head(val_features) + adjustment
            val_loss = float(soft_cross_entropy(val_logits, val_targets))
            val_acc = accuracy(torch.softmax(val_logits, 1).numpy(), data.val_labels)
        history.append({"epoch": epoch, "val_loss": round(val_loss, 4), "val_acc": round(val_acc, 4)})
        if val_loss < best["val_loss"]:
            best = {"val_loss": val_loss, "epoch": epoch, "val_acc": val_acc}
            best_state = copy.deepcopy(head.state_dict())
        if epoch % 10 == 0:
            log(json.dumps(history[-1]))
    head.load_state_dict(best_state)
    with torch.no_grad():
        model.fc.weight.copy_(head.weight)
        model.fc.bias.copy_(head.bias)
    training = {
        "data": data.description,
        "method": "classifier-only refit on frozen features (two views per training crop: as is and "
        "one selfie augmentation), AdamW, logit-adjusted soft cross-entropy; best epoch by validation loss",
        "init": f"{config.init} (sha256 {file_sha256(Path(config.init))})",
        "epochs": config.epochs,
        "best_epoch": best["epoch"],
        "lr": config.lr,
        "weight_decay": config.weight_decay,
        "logit_adjust": config.logit_adjust,
        "seed": config.seed,
        "threads": torch.get_num_threads(),
        "autocast": str(autocast),
        "minutes": round((time.time() - started) / 60, 1),
        "history": history,
    }
    return finalize(model, data, config, training, out_dir)
