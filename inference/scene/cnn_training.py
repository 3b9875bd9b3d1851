"""Training the small scene network from scratch on one core (``train_scene_model --model cnn``).

torch is imported here and in ``inference.scene.augment`` only (the training code); the web
modules never import this module. One run trains on the train part of a fixed seeded
validation split of Emotion6's 1,584 training images and predicts the held-out part; the
comparison with the features model is in ``inference.scene.compare``.

Resumable: after every epoch the model, optimiser, epoch and history go to ``checkpoint`` (a
temporary name, then a rename, so a killed run leaves the previous epoch intact). A run with
``max_minutes`` stops after the epoch that crosses the budget (at least one epoch per call) and
can be continued later. The
learning rate follows the epoch count, not the clock, so a resumed run ends where one unbroken
run would. Augmentation is seeded by (seed, epoch): a resumed epoch sees the same crops.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from inference.scene import augment, cnn


@dataclass(frozen=True)
class Config:
    arch: str = "resnet10t"
    jitter: str = "safe"
    epochs: int = 30
    batch: int = 32
    lr: float = 2e-3
    weight_decay: float = 0.05
    warmup_epochs: int = 2
    seed: int = 0
    precision: str = "fp32"  # fp32 | bf16 (autocast), chosen by timing_steps on this CPU
    size: int = cnn.INPUT_SIZE

    def check(self) -> None:
        if self.arch not in cnn.ARCHS:
            raise ValueError(f"unknown scene network {self.arch!r}; choose one of {', '.join(cnn.ARCHS)}")
        if self.jitter not in augment.JITTERS:
            raise ValueError(f"unknown colour jitter {self.jitter!r}; choose one of {', '.join(augment.JITTERS)}")
        if self.precision not in ("fp32", "bf16"):
            raise ValueError(f"unknown precision {self.precision!r}; choose fp32 or bf16")
        if self.epochs < 1 or self.batch < 2:
            raise ValueError("epochs must be at least 1 and the batch at least 2")


def load_images(root: Path, paths: list[str], cache: Path | None = None, log=print) -> np.ndarray:
    """N x 128 x 128 x 3 uint8 centre squares of the photos, cached (keyed by the paths)."""
    key = hashlib.sha256(("\n".join(paths) + f"|{cnn.CACHE_SIDE}").encode()).hexdigest()[:16]
    if cache is not None and cache.is_file():
        with np.load(cache) as stored:
            if str(stored["key"]) == key:
                return stored["images"]
    started, images = time.monotonic(), []
    for i, path in enumerate(paths):
        with Image.open(root / path) as image:
            images.append(cnn.square(image))
        if (i + 1) % 500 == 0:
            log(f"  images: {i + 1}/{len(paths)} ({time.monotonic() - started:.0f} s)")
    stacked = np.stack(images) if images else np.zeros((0, cnn.CACHE_SIDE, cnn.CACHE_SIDE, 3), np.uint8)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, key=key, images=stacked)
    return stacked


def _tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0


def _normalise(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(cnn.MEAN).view(1, 3, 1, 1)
    std = torch.tensor(cnn.STD).view(1, 3, 1, 1)
    return (x - mean) / std


def _autocast(precision: str):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")


def _loss(out: torch.Tensor, va_z: torch.Tensor, shares: torch.Tensor) -> torch.Tensor:
    """Squared error on the standardised valence/arousal plus soft cross-entropy on the vote shares."""
    out = out.float()
    mse = ((out[:, :2] - va_z) ** 2).sum(dim=1).mean()
    soft_ce = -(shares * F.log_softmax(out[:, 2:], dim=1)).sum(dim=1).mean()
    return mse + soft_ce


def _lr(config: Config, step: int, steps_per_epoch: int) -> float:
    total, warm = config.epochs * steps_per_epoch, config.warmup_epochs * steps_per_epoch
    if step < warm:
        return config.lr * (step + 1) / warm
    return config.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def _make(config: Config):
    torch.manual_seed(config.seed)
    model = cnn.build_model(config.arch)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    return model, optimiser


@torch.inference_mode()
def predict(model, images: np.ndarray, va_mean: np.ndarray, va_std: np.ndarray, *, size: int = cnn.INPUT_SIZE,
            precision: str = "fp32", batch: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """(valence/arousal on 1-9, 7-way vote-share probabilities) for N x 128 x 128 x 3 uint8 squares."""
    model.eval()
    va, probs = [], []
    for start in range(0, len(images), batch):
        x = F.interpolate(_tensor(images[start:start + batch]), size=(size, size), mode="bilinear",
                          antialias=True, align_corners=False)
        with _autocast(precision):
            out = model(_normalise(x)).float()
        va.append(out[:, :2].numpy() * va_std + va_mean)
        probs.append(torch.softmax(out[:, 2:], dim=1).numpy())
    return np.clip(np.concatenate(va).astype(np.float64), 1.0, 9.0), np.concatenate(probs).astype(np.float64)


def _save(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, str(path) + ".tmp")
    os.replace(str(path) + ".tmp", path)


def train(config: Config, images: np.ndarray, va: np.ndarray, shares: np.ndarray, *,
          checkpoint: Path | None = None, max_minutes: float | None = None,
          watch: tuple[np.ndarray, np.ndarray] | None = None, log=print) -> tuple[object, dict]:
    """Train (or continue training) the network; returns (model, state without the weights).

    ``watch`` (images, valence/arousal) is only logged after each epoch to show the curve: it
    chooses nothing (the last epoch is what is evaluated)."""
    config.check()
    if len(images) != len(va) or len(images) != len(shares) or len(images) < config.batch:
        raise ValueError(f"need at least one batch ({config.batch}) of images with labels, got {len(images)}")
    va_mean, va_std = va.mean(axis=0), va.std(axis=0) + 1e-6
    model, optimiser = _make(config)
    state = {"config": asdict(config), "epoch": 0, "history": [], "va_mean": va_mean.tolist(),
             "va_std": va_std.tolist(), "train_seconds": 0.0}
    if checkpoint is not None and checkpoint.is_file():
        stored = torch.load(checkpoint, map_location="cpu", weights_only=False)
        if stored["config"] != asdict(config):
            raise ValueError(f"{checkpoint} was written by another configuration ({stored['config']}); "
                             "choose another --checkpoint or delete it")
        model.load_state_dict(stored["model"])
        optimiser.load_state_dict(stored["optimiser"])
        state = {k: v for k, v in stored.items() if k not in ("model", "optimiser")}
        log(f"resumed from {checkpoint} after epoch {state['epoch']}")
    x_all = _tensor(images)
    va_z = torch.from_numpy(((va - va_mean) / va_std).astype(np.float32))
    targets = torch.from_numpy(shares.astype(np.float32))
    steps_per_epoch = len(images) // config.batch  # the last partial batch is dropped (BatchNorm)
    started = time.monotonic()
    while state["epoch"] < config.epochs:
        epoch, epoch_started = state["epoch"], time.monotonic()
        generator = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
        order = torch.randperm(len(images), generator=generator)
        model.train()
        total = 0.0
        for step in range(steps_per_epoch):
            for group in optimiser.param_groups:
                group["lr"] = _lr(config, epoch * steps_per_epoch + step, steps_per_epoch)
            index = order[step * config.batch:(step + 1) * config.batch]
            x = _normalise(augment.augment(x_all[index], config.size, config.jitter, generator))
            with _autocast(config.precision):
                out = model(x)
            loss = _loss(out, va_z[index], targets[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.detach().item()
        line = {"epoch": epoch + 1, "train_loss": round(total / steps_per_epoch, 4),
                "seconds": round(time.monotonic() - epoch_started, 1)}
        if watch is not None:
            pred, _ = predict(model, watch[0], va_mean, va_std, size=config.size, precision=config.precision)
            line |= {"watch_valence_r": round(float(np.corrcoef(pred[:, 0], watch[1][:, 0])[0, 1]), 4),
                     "watch_arousal_r": round(float(np.corrcoef(pred[:, 1], watch[1][:, 1])[0, 1]), 4)}
        state["epoch"] = epoch + 1
        state["history"].append(line)
        state["train_seconds"] = round(state["train_seconds"] + time.monotonic() - epoch_started, 1)
        if checkpoint is not None:
            _save(checkpoint, {**state, "model": model.state_dict(), "optimiser": optimiser.state_dict()})
        log(f"  epoch {line}")
        spent = max_minutes is not None and time.monotonic() - started >= max_minutes * 60
        if spent and state["epoch"] < config.epochs:
            log(f"time budget of {max_minutes} min spent after epoch {state['epoch']}: stopping; "
                "run the same command again to continue")
            break
    state["finished"] = state["epoch"] >= config.epochs
    return model, state


def time_steps(arch: str, precision: str, *, steps: int = 20, batch: int = 32, size: int = cnn.INPUT_SIZE,
               warmup: int = 3) -> dict:
    """Seconds per training step (forward, backward, AdamW) on random data, after ``warmup`` steps."""
    config = Config(arch=arch, precision=precision, batch=batch, size=size)
    config.check()
    model, optimiser = _make(config)
    model.train()
    x = torch.rand(batch, 3, size, size)
    va_z, shares = torch.randn(batch, 2), torch.softmax(torch.randn(batch, 7), dim=1)
    losses, started = [], 0.0
    for i in range(warmup + steps):
        if i == warmup:
            started = time.perf_counter()
        with _autocast(precision):
            out = model(_normalise(x))
        loss = _loss(out, va_z, shares)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.detach().item())
    seconds = time.perf_counter() - started
    return {"arch": arch, "precision": precision, "batch": batch, "size": size, "steps": steps,
            "seconds_per_step": round(seconds / steps, 4), "first_loss": round(losses[0], 4),
            "last_loss": round(losses[-1], 4), "finite": bool(np.isfinite(losses).all()),
            "threads": torch.get_num_threads()}
