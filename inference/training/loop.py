"""The training loop for the face emotion network (imports torch; used by train_emotion_model).

Recipe: soft-label cross-entropy (FER+ vote distributions), SGD with Nesterov momentum, one
warm-up epoch then cosine decay, weight decay on conv/linear weights only, an exponential moving
average (EMA) of the weights that is what gets validated and shipped, and cheap on-the-fly
augmentation done on whole batches (inference.training.augment). On CPUs with bfloat16 support
the forward/backward passes run under bfloat16 autocast (about 1.8x faster here). The best
epoch by validation loss is kept, then finished and exported by inference.training.finalize.
The classifier-only refit of an earlier model lives in inference.training.refit.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from tqdm import tqdm

from inference.face_model import ARCH, arch_of_state, build_model, load_grown, normalise
from inference.runtime import autocast_dtype
from inference.training.augment import augment, augment_selfie
from inference.training.calibration import nll
from inference.training.finalize import accuracy, class_prior, finalize, predict_logits
from inference.training.metrics import softmax


@dataclass
class TrainData:
    train_images: np.ndarray  # N x 48 x 48 uint8
    train_targets: np.ndarray  # N x 7 float distributions
    val_images: np.ndarray
    val_targets: np.ndarray  # distributions (for the validation loss)
    val_labels: np.ndarray  # hard labels for accuracy / temperature, -1 = excluded
    description: dict = field(default_factory=dict)
    # When FER2013's labels are mixed into the targets: its labels of the validation images (-1 = none),
    # reported per epoch, and the unmixed FER+ vote distributions, for the recorded validation loss.
    val_fer2013_labels: np.ndarray | None = None
    val_ferplus_soft: np.ndarray | None = None


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 128
    lr: float = 0.1
    weight_decay: float = 5e-4
    ema_decay: float = 0.998
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"  # auto | fp32 | bf16
    threads: int | None = None
    max_minutes: float | None = None  # wall-time budget: the schedule follows time, training stops at it
    version: str = ""
    name: str = "moodsite-face-emotion"
    # Start from these weights (a model.safetensors of the same architecture) instead of random
    # ones: a warm restart, so a new schedule continues where an earlier, time-limited run stopped.
    init: Path | None = None
    # Blocks per stage (None: those of --init, else ARCH's). More than --init has grows it: the
    # added blocks start as pass-throughs (face_model.load_grown), so training begins from --init's skill.
    layers: tuple[int, ...] | None = None
    # Logit adjustment (Menon et al. 2021, "Long-tail learning via logit adjustment"): the loss sees
    # logits + tau x log(class prior), so the network cannot win by leaning on the frequent classes.
    logit_adjust: float = 0.0
    # "basic": the v2-v4 augmentation; "selfie": stronger jitter plus blur, JPEG, uneven light,
    # masks, glasses and occlusion (augment_selfie).
    augmentation: str = "basic"
    # Continue an interrupted run from its resume checkpoint (checkpoint_path + ".resume").
    resume: bool = False
    # After training, shift the output biases by -tau x log(prior) for the tau (chosen on
    # validation) with the best macro-recall at no more than this loss of validation accuracy.
    balance_tolerance: float | None = None
    shift_calibration: bool = False  # fit the temperature on clean + shifted validation crops
    # Optimiser steps per epoch (validation + checkpoint after each); None = one pass over the data.
    # Short epochs keep "best by validation loss" and resuming meaningful on a starved CPU.
    steps_per_epoch: int | None = None
    # Linear warm-up steps; None = one epoch. A warm start needs only a short one.
    warmup_steps: int | None = None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def pick_device(setting: str) -> torch.device:
    setting = (setting or "auto").lower()
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but CUDA is not available")
    return torch.device(setting)


def pick_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for plain fp32: the runtime's own choice."""
    return autocast_dtype(torch, device, precision)


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return -(targets * F.log_softmax(logits.float(), dim=1)).sum(dim=1).mean()


class EMA:
    """Exponential moving average of parameters and buffers."""

    def __init__(self, model, decay: float):
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model, decay: float | None = None):
        d = self.decay if decay is None else decay
        for ema_v, v in zip(self.model.state_dict().values(), model.state_dict().values(), strict=True):
            if ema_v.dtype.is_floating_point:
                ema_v.mul_(d).add_(v.detach(), alpha=1 - d)
            else:
                ema_v.copy_(v)


def train(
    data: TrainData,
    config: TrainConfig,
    out_dir: Path,
    log: Callable[[str], None] = print,
    checkpoint_path: Path | None = None,
) -> dict:
    seed_everything(config.seed)
    device = pick_device(config.device)
    if device.type == "cpu" and config.threads:
        torch.set_num_threads(config.threads)
    autocast_dtype = pick_dtype(config.precision, device)
    log(
        f"device {device}, threads {torch.get_num_threads()}, autocast {autocast_dtype}, "
        f"{len(data.train_images)} training / {len(data.val_images)} validation images"
    )

    init_state = None
    if config.init:
        from safetensors.torch import load_file

        init_state = load_file(str(config.init))
    arch = arch_of_state(init_state) if init_state is not None else dict(ARCH)
    if config.layers:
        arch["layers"] = list(config.layers)
    model = build_model(arch)
    if init_state is not None:
        added = load_grown(model, init_state)
        grown = f", blocks {', '.join(added)} added as pass-throughs" if added else ""
        log(f"starting from {config.init}{grown}")
    model = model.to(device).to(memory_format=torch.channels_last)
    ema = EMA(model, config.ema_decay)
    decay, no_decay = [], []
    for _name, p in model.named_parameters():
        (decay if p.ndim > 1 else no_decay).append(p)
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr,
        momentum=0.9,
        nesterov=True,
    )
    steps_per_epoch = max(1, len(data.train_images) // config.batch_size)
    if config.steps_per_epoch:
        steps_per_epoch = min(steps_per_epoch, config.steps_per_epoch)
    total_steps = steps_per_epoch * config.epochs
    warmup = min(steps_per_epoch, total_steps // 5 or 1)
    if config.warmup_steps is not None:
        warmup = max(1, min(config.warmup_steps, total_steps))

    budget = config.max_minutes * 60 if config.max_minutes else None

    def progress_at(step: int) -> float:
        """Fraction of training done: by steps, or by wall time when a time budget is set (whichever is further)."""
        by_steps = (step - warmup) / max(1, total_steps - warmup)
        if budget is None:
            return by_steps
        return max(by_steps, (time.time() - started) / budget)

    def lr_at(step: int) -> float:
        if step < warmup:
            return config.lr * (step + 1) / warmup
        return config.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress_at(step))))

    train_x = torch.from_numpy(normalise(data.train_images))
    train_y = torch.from_numpy(data.train_targets.astype(np.float32))
    generator = torch.Generator().manual_seed(config.seed)
    augment_batch = augment_selfie if config.augmentation == "selfie" else augment
    prior = class_prior(data.train_targets)
    adjustment = (config.logit_adjust * torch.log(torch.from_numpy(prior).float())).to(device)

    best = {"val_loss": float("inf"), "epoch": -1}
    best_state = None
    history = []
    step = 0
    first_epoch = 1
    started = time.time()
    resume_path = Path(str(checkpoint_path) + ".resume") if checkpoint_path else None
    if config.resume and resume_path and resume_path.is_file():
        saved = torch.load(resume_path, map_location="cpu", weights_only=False)
        model.load_state_dict(saved["model"])
        ema.model.load_state_dict(saved["ema"])
        optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["generator"])
        step, first_epoch, history = saved["step"], saved["epoch"] + 1, saved["history"]
        best, best_state = saved["best"], saved["best_state"]
        started = time.time() - saved["elapsed"]  # the time budget counts the earlier run's minutes
        log(f"resumed from {resume_path} after epoch {saved['epoch']} ({saved['elapsed'] / 60:.1f} minutes)")
    elif config.resume:
        log(f"no resume checkpoint at {resume_path}: starting afresh")
    for epoch in range(first_epoch, config.epochs + 1):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        bar = tqdm(
            range(steps_per_epoch),
            desc=f"epoch {epoch}/{config.epochs}",
            unit="batch",
            dynamic_ncols=True,
            mininterval=2.0,
        )
        seen = correct = 0
        loss_sum = 0.0
        for b in bar:
            if budget is not None and step >= warmup and progress_at(step) >= 1.0:
                break  # time budget spent: the learning rate has reached zero
            idx = order[b * config.batch_size : (b + 1) * config.batch_size]
            x = augment_batch(train_x[idx].to(device), generator).contiguous(memory_format=torch.channels_last)
            y = train_y[idx].to(device)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
            with torch.autocast(device.type, dtype=autocast_dtype or torch.float32, enabled=autocast_dtype is not None):
                logits = model(x)
            loss = soft_cross_entropy(logits.float() + adjustment, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            # Ramp the EMA in over the first epoch so early random weights do not linger.
            ema.update(model, min(config.ema_decay, (1 + step) / (10 + step)))
            step += 1
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            correct += int((logits.argmax(1) == y.argmax(1)).sum())
            bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.3f}", lr=f"{lr_at(step):.3g}")
        bar.close()
        logits = predict_logits(ema.model, data.val_images, device)
        # With logit adjustment the network's estimate of the (skewed) validation distribution is
        # logits + tau x log(prior): what the loss trained, so what the checkpoint is chosen by.
        logits = logits + adjustment.cpu().numpy()
        p = softmax(logits)
        val_loss = nll(logits, data.val_targets, 1.0)
        val_acc = accuracy(p, data.val_labels)
        record = {
            "epoch": epoch,
            "train_loss": round(loss_sum / seen, 4),
            "train_acc": round(correct / seen, 4),
            "val_loss": round(val_loss, 4),
            "val_acc": round(val_acc, 4),
            "minutes": round((time.time() - started) / 60, 1),
        }
        if data.val_fer2013_labels is not None:
            record["val_acc_fer2013"] = round(accuracy(p, data.val_fer2013_labels), 4)
        history.append(record)
        log(json.dumps(record))
        if val_loss < best["val_loss"]:
            best = {"val_loss": val_loss, "epoch": epoch, "val_acc": val_acc}
            best_state = copy.deepcopy(ema.model.state_dict())
            if checkpoint_path:
                Path(checkpoint_path).parent.mkdir(parents=True, exist_ok=True)
                torch.save({"state_dict": best_state, "epoch": epoch, "arch": arch}, checkpoint_path)
        if resume_path:
            # Everything needed to continue after this epoch (written to a temporary name first,
            # so a run killed mid-write leaves the previous checkpoint intact).
            state = {
                "model": model.state_dict(),
                "ema": ema.model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "generator": generator.get_state(),
                "step": step,
                "epoch": epoch,
                "history": history,
                "best": best,
                "best_state": best_state,
                "elapsed": time.time() - started,
            }
            resume_path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(state, str(resume_path) + ".tmp")
            os.replace(str(resume_path) + ".tmp", resume_path)
        if budget is not None and progress_at(step) >= 1.0:
            log(f"time budget of {config.max_minutes} minutes spent after epoch {epoch}")
            break

    if best_state is None:  # --epochs 0: refit the bias, temperature and abstain key of --init only
        best_state = copy.deepcopy(ema.model.state_dict())
    ema.model.load_state_dict(best_state)
    training = {
        "data": data.description,
        "epochs": config.epochs,
        "epochs_run": len(history),
        "max_minutes": config.max_minutes,
        "init": str(config.init) if config.init else None,
        "layers": arch["layers"],
        "best_epoch": best["epoch"],
        "batch_size": config.batch_size,
        "lr": config.lr,
        "weight_decay": config.weight_decay,
        "ema_decay": config.ema_decay,
        "seed": config.seed,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "autocast": str(autocast_dtype),
        "augmentation": config.augmentation,
        "steps_per_epoch": steps_per_epoch,
        "warmup_steps": warmup,
        "logit_adjust": config.logit_adjust,
        "minutes": round((time.time() - started) / 60, 1),
        "history": history,
    }
    return finalize(ema.model, data, config, training, out_dir)
