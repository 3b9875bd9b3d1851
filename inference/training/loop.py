"""The training loop for the face emotion network (imports torch; used by train_emotion_model).

Recipe: soft-label cross-entropy (FER+ vote distributions), SGD with Nesterov momentum, one
warm-up epoch then cosine decay, weight decay on conv/linear weights only, an exponential moving
average (EMA) of the weights that is what gets validated and shipped, and cheap on-the-fly
augmentation done on whole batches (one affine warp: flip, rotation up to 10 degrees, scale
+-10 %, shift +-2 px; brightness/contrast jitter; random erasing). On CPUs with bfloat16 support
the forward/backward passes run under bfloat16 autocast (about 1.8x faster here). The best
epoch by validation loss is kept.
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

from inference.face_model import ARCH, INPUT_SIZE, MEAN, STD, build_model, normalise
from inference.runtime import autocast_dtype
from inference.training.calibration import fit_temperature, nll
from inference.training.metrics import classification_report, softmax
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS

WEIGHTS_FILE = "model.safetensors"
METADATA_FILE = "model.json"


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
    # Optimiser steps per epoch (validation + checkpoint after each); None = one pass over the data.
    # Short epochs keep "best by validation loss" and resuming meaningful on a starved CPU.
    steps_per_epoch: int | None = None
    # Linear warm-up steps; None = one epoch. A warm start needs only a short one.
    warmup_steps: int | None = None


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


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random flip/rotation/scale/shift, brightness/contrast jitter and erasing, for a whole batch."""
    n = x.size(0)
    dev = x.device

    def uniform(lo, hi):
        return torch.rand(n, generator=generator).to(dev) * (hi - lo) + lo

    angle = uniform(-math.radians(10), math.radians(10))
    scale = uniform(0.9, 1.1)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dev)
    shift = 2 * 2.0 / INPUT_SIZE  # +-2 pixels in normalised grid units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, uniform(-shift, shift)], dim=1),
            torch.stack([sin * flip, cos, uniform(-shift, shift)], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    # Brightness / contrast in pixel units: pixel' = (pixel - 0.5) * c + 0.5 + b, done in normalised space.
    contrast = uniform(0.75, 1.25).view(n, 1, 1, 1)
    bright = uniform(-0.12, 0.12).view(n, 1, 1, 1) / STD
    centre = (0.5 - MEAN) / STD
    x = (x - centre) * contrast + centre + bright
    # Random erasing: half the images lose one rectangle of 8-20 px per side.
    erase = torch.rand(n, generator=generator) < 0.5
    if erase.any():
        idx = erase.nonzero().flatten().tolist()
        hs = torch.randint(8, 21, (len(idx),), generator=generator).tolist()
        ws = torch.randint(8, 21, (len(idx),), generator=generator).tolist()
        ys = torch.randint(0, INPUT_SIZE, (len(idx),), generator=generator).tolist()
        xs = torch.randint(0, INPUT_SIZE, (len(idx),), generator=generator).tolist()
        fill = (torch.rand(len(idx), generator=generator) - MEAN) / STD
        for k, i in enumerate(idx):
            x[i, :, ys[k] : ys[k] + hs[k], xs[k] : xs[k] + ws[k]] = fill[k]
    return x


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(round(2.5 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-(t**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    x = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1))
    return F.conv2d(x, kernel.view(1, 1, -1, 1))


def augment_selfie(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Augmentation for real selfies, on a whole batch of normalised 48x48 crops.

    * one affine warp: flip, rotation +-20 degrees, scale 0.85-1.2, shift +-3 px (what is left of
      a tilted head or a loose crop after alignment);
    * brightness +-0.15, contrast x0.7-1.3, and for 40% uneven light: a linear ramp of up to
      +-0.3 across the face in a random direction (side light, a window);
    * occlusion: 12% a surgical mask over nose and mouth (light grey or blue-grey, random height),
      10% glasses (dark rims and a bridge at eye height, lenses lightly tinted), 35% one random
      8-20 px rectangle (a hand, hair, a phone);
    * 25% blur (Gaussian, sigma 0.6-1.6: a soft or small face), then 25% JPEG artefacts (quality
      15-60) on the 8-bit image.

    The crops are grayscale already (the runtime converts colour photos to grey with the same
    luma weights as PIL's ``convert("L")`` the training images were made with).
    """
    import cv2

    n = x.size(0)
    dev = x.device

    def uniform(lo, hi, size=n):
        return torch.rand(size, generator=generator).to(dev) * (hi - lo) + lo

    def chosen(p):
        return (torch.rand(n, generator=generator) < p).nonzero().flatten().tolist()

    angle = uniform(-math.radians(20), math.radians(20))
    scale = uniform(0.85, 1.2)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dev)
    shift = 3 * 2.0 / INPUT_SIZE
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, uniform(-shift, shift)], dim=1),
            torch.stack([sin * flip, cos, uniform(-shift, shift)], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    # Work in pixel units (0-1) from here on.
    x = x * STD + MEAN
    contrast = uniform(0.7, 1.3).view(n, 1, 1, 1)
    bright = uniform(-0.15, 0.15).view(n, 1, 1, 1)
    x = (x - 0.5) * contrast + 0.5 + bright
    idx = chosen(0.4)
    if idx:
        direction = uniform(0, 2 * math.pi, len(idx))
        strength = uniform(-0.3, 0.3, len(idx))
        coords = torch.linspace(-0.5, 0.5, INPUT_SIZE, device=dev)
        yy, xx = torch.meshgrid(coords, coords, indexing="ij")
        ramp = torch.cos(direction).view(-1, 1, 1) * xx + torch.sin(direction).view(-1, 1, 1) * yy
        x[idx] = x[idx] + (strength.view(-1, 1, 1) * ramp)[:, None]
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    for i in chosen(0.12):  # a mask over nose and mouth
        top = int(rng.integers(26, 32))
        shade = float(rng.uniform(0.55, 0.95))
        x[i, :, top:, int(rng.integers(3, 9)) : int(rng.integers(40, 46))] = shade
        x[i, :, top - 2 : top, 12:36] = shade  # the rounded top over the nose
    for i in chosen(0.10):  # glasses: rims, tinted lenses, bridge
        y0 = int(rng.integers(13, 17))
        rim = float(rng.uniform(0.0, 0.25))
        tint = float(rng.uniform(0.0, 0.35))
        for lx in (int(rng.integers(7, 10)), int(rng.integers(26, 29))):
            x[i, :, y0 : y0 + 9, lx : lx + 14] = x[i, :, y0 : y0 + 9, lx : lx + 14] * (1 - tint)
            x[i, :, y0, lx : lx + 14] = rim
            x[i, :, y0 + 8, lx : lx + 14] = rim
            x[i, :, y0 : y0 + 9, lx] = rim
            x[i, :, y0 : y0 + 9, lx + 13] = rim
        x[i, :, y0 + 2, 21:28] = rim
    for i in chosen(0.35):  # one random rectangle
        h, w = int(rng.integers(8, 21)), int(rng.integers(8, 21))
        y, xx0 = int(rng.integers(0, INPUT_SIZE)), int(rng.integers(0, INPUT_SIZE))
        x[i, :, y : y + h, xx0 : xx0 + w] = float(rng.uniform(0, 1))
    for i in chosen(0.25):
        x[i : i + 1] = _gaussian_blur(x[i : i + 1], float(rng.uniform(0.6, 1.6)))
    x = x.clamp(0, 1)
    for i in chosen(0.25):
        pixels = (x[i, 0] * 255).round().byte().cpu().numpy()
        ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 61))])
        if ok:
            x[i, 0] = torch.from_numpy(cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)).to(dev, x.dtype) / 255.0
    return (x - MEAN) / STD


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return -(targets * F.log_softmax(logits.float(), dim=1)).sum(dim=1).mean()


@torch.inference_mode()
def predict_logits(
    model, images: np.ndarray, device: torch.device, batch_size: int = 512, autocast: torch.dtype | None = None
) -> np.ndarray:
    """Logits as the runtime computes them (channels-last, optional autocast), in numpy."""
    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(images), batch_size):
            x = torch.from_numpy(normalise(images[i : i + batch_size])).to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=autocast or torch.float32, enabled=autocast is not None):
                out.append(model(x).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(EMOTIONS)), np.float32)


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy over the labelled rows (label -1 = excluded)."""
    labelled = labels >= 0
    return float((probabilities.argmax(1)[labelled] == labels[labelled]).mean()) if labelled.any() else 0.0


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

    model = build_model()
    if config.init:
        from safetensors.torch import load_file

        model.load_state_dict(load_file(str(config.init)))
        log(f"starting from {config.init}")
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
                torch.save({"state_dict": best_state, "epoch": epoch, "arch": ARCH}, checkpoint_path)
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
    model = build_model()
    model.load_state_dict(load_file(str(config.init)))
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


def finalize(model, data: TrainData, config: TrainConfig, training: dict, out_dir: Path) -> dict:
    """Fit the temperature on validation, measure, and export weights + metadata."""
    final = model.cpu().eval().to(memory_format=torch.channels_last)
    # Fit the temperature on logits computed exactly as inference.runtime computes them on a CPU.
    logits = predict_logits(
        final, data.val_images, torch.device("cpu"), autocast=pick_dtype("auto", torch.device("cpu"))
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
    temperature = fit_temperature(logits[labelled], data.val_labels[labelled]) if labelled.any() else 1.0
    val_report = classification_report(data.val_labels[labelled], softmax(logits[labelled], temperature), EMOTIONS)
    raw_report = classification_report(data.val_labels[labelled], softmax(logits[labelled]), EMOTIONS)
    metadata = {
        "name": config.name,
        "version": config.version or f"{config.name}-{time.strftime('%Y%m%d%H%M', time.gmtime())}",
        "classes": list(EMOTIONS),
        "arch": ARCH,
        "input": {
            "size": INPUT_SIZE,
            "channels": 1,
            "mean": MEAN,
            "std": STD,
            # Trained on crops warped onto inference.faces.TEMPLATE (five landmarks): read aligned crops.
            "aligned": "alignment" in data.description,
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
