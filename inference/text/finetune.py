"""Fine-tuning the text classifier's top encoder layers and head (the finetune command only).

Data: every text set (``training.read_all``): GoEmotions Ekman (English), GoEmotions-Korean,
dair-ai emotion (English; no neutral), the Korean single-turn set, and the team's diary-style
rows (``training.read_diaries``: only their training part; diary validation is never trained
on). Each batch takes a fixed quota from every source (``QUOTAS``), so every batch mixes the two
languages (18 of 32 rows Korean by default) and holds diary writing in both; each source is read
in a seeded permutation, pass after pass.

Loss: soft-target cross-entropy with label smoothing, on logit-adjusted logits (Menon et al.
2021, "Long-tail learning via logit adjustment"): during training ``tau * log prior`` is added
to the logits, where prior is the class distribution of the training mixture, so the model's
own logits learn the balanced (class-prior-free) decision rule and "neutral" (31% of
GoEmotions) does not become the default for emotional text. At inference the plain logits are
used, divided by a temperature fitted on the validation splits.

Checkpoints (``var/text_finetune/<run>/``): ``last.pt`` (trained tensors, optimiser, sampler
positions, step, RNG state) every ``checkpoint_every`` steps and at the end, written atomically
so a killed run resumes where it stopped; ``best.pt`` the trained tensors with the best
validation score so far (``SELECTION``: mean of GoEmotions macro-F1, Korean single-turn accuracy,
dair-ai macro-F1 and diary validation macro-F1, on fixed validation subsets, every entry read as
the runtime reads it: sentence windows pooled by letter count). Test splits are never read here.

Precision: ``fp32``, or ``bf16`` (``torch.autocast`` on the forward pass; weights, optimiser and
loss stay float32). Which one a run used is in its settings, hence in every checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from inference.text import calibrate, classifier, e5_torch, training
from inference.text.training import TextSet
from moodsite.emotions import EMOTIONS

# Rows per batch of 32. The Korean single-turn quota went from 11 to 12 because the first run read
# Korean anger as disgust (validation anger recall 0.06); 2 + 2 diary rows make ~4,000 steps about
# 12 passes over each language's 672 diary training rows, which diary validation watches.
QUOTAS = {"goemotions": 8, "dair": 4, "korean": 12, "goemotions_ko": 4, "diary_en": 2, "diary_ko": 2}
GROUP = 4  # batches drawn together and sorted by length (checkpoint_every is a multiple of it)
SELECTION = (("goemotions", "macro_f1"), ("korean", "accuracy"), ("dair", "macro_f1"), ("diary", "macro_f1"))
PRECISIONS = ("fp32", "bf16")


@dataclass
class Settings:
    layers: int = 6
    frozen: int = 3
    steps: int = 12000
    lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: int = 100
    label_smoothing: float = 0.1
    tau: float = 1.0
    dropout: float = 0.1
    max_tokens: int = 96
    eval_every: int = 1000
    eval_rows: int = 400
    checkpoint_every: int = 200
    seed: int = 0
    precision: str = "fp32"
    quotas: dict[str, int] = field(default_factory=lambda: dict(QUOTAS))

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        if not self.quotas or any(q < 0 for q in self.quotas.values()) or sum(self.quotas.values()) <= 0:
            raise ValueError(f"quotas must be non-negative rows per batch with a positive total: {self.quotas}")


def parse_quotas(overrides: list[str]) -> dict[str, int]:
    """``QUOTAS`` with ``source=rows`` overrides (the command's ``--quota``); unknown sources and
    non-numbers are refused with the list of valid sources."""
    quotas = dict(QUOTAS)
    for item in overrides:
        source, _, rows = item.partition("=")
        if source not in QUOTAS or not rows.strip().isdigit():
            raise ValueError(f"--quota takes SOURCE=ROWS with SOURCE one of {', '.join(QUOTAS)}, not {item!r}")
        quotas[source] = int(rows)
    return quotas


def autocast(precision: str, device: str):
    """The forward pass's precision context: bf16 autocast, or nothing for fp32."""
    if precision == "bf16":
        return torch.autocast(device_type=device, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def training_attention(device: str):
    """The attention kernel for training steps. On the CPU, torch's fused (flash) attention has a
    slow backward pass for these short sequences: it took 45% of a bf16 step, and the plain
    matmul-softmax-matmul kernel makes a step 25% faster (measured on 32 x 60 tokens, one core,
    AMX). Reading (inference) keeps torch's own choice."""
    if device == "cpu":
        from torch.nn.attention import SDPBackend, sdpa_kernel

        return sdpa_kernel(SDPBackend.MATH)
    return contextlib.nullcontext()


def selection_score(reports: dict) -> float:
    """The checkpoint-selection score: the mean of the ``SELECTION`` measures (each counts equally)."""
    missing = [name for name, _ in SELECTION if name not in reports]
    if missing:
        raise ValueError(f"the selection score needs validation reports for {', '.join(missing)}")
    return float(np.mean([reports[name][measure] for name, measure in SELECTION]))


class Sampler:
    """Per-source seeded permutations; state = (pass, position) per source."""

    def __init__(self, sizes: dict[str, int], seed: int, state: dict | None = None):
        self.sizes, self.seed = sizes, seed
        self.state = {name: [0, 0] for name in sizes} if state is None else {k: list(v) for k, v in state.items()}
        self._orders: dict[str, tuple[int, np.ndarray]] = {}

    def _order(self, name: str, passes: int) -> np.ndarray:
        cached = self._orders.get(name)
        if cached is None or cached[0] != passes:
            source = sorted(self.sizes).index(name)
            order = np.random.default_rng([self.seed, source, passes]).permutation(self.sizes[name])
            self._orders[name] = cached = (passes, order)
        return cached[1]

    def take(self, name: str, count: int) -> list[int]:
        out = []
        while len(out) < count:
            passes, position = self.state[name]
            order = self._order(name, passes)
            grab = order[position : position + count - len(out)]
            out.extend(int(i) for i in grab)
            position += len(grab)
            if position >= len(order):
                passes, position = passes + 1, 0
            self.state[name] = [passes, position]
        return out


def with_diaries(
    train_sets: dict[str, TextSet], val_sets: dict[str, TextSet], folder: Path = training.DIARY_DIR
) -> tuple[dict[str, TextSet], dict[str, TextSet]]:
    """The public sets plus the diary rows: ``diary_<language>`` training sets, cut into the
    runtime's windows (each with its entry's mood), and one ``diary`` validation set of every
    language's held-out entries (whole entries; ``evaluate`` windows them as the runtime does)."""
    diaries = training.read_diaries(folder)
    if not diaries:
        raise FileNotFoundError(f"no diary_train_<language>.tsv in {folder}: the fine-tune mixture needs them.")
    train_sets, val_sets = dict(train_sets), dict(val_sets)
    for language, (train_part, _) in diaries.items():
        train_sets[f"diary_{language}"] = training.as_windows(train_part)
    val_sets["diary"] = training.joined([val for _, val in diaries.values()])
    return train_sets, val_sets


def group_rows(
    sampler: Sampler, quotas: dict[str, int], length: Callable[[str, int], int], seed: int, step: int
) -> list[list[tuple[str, int]]]:
    """GROUP batches of (source, row index) at once: each source's rows sorted by length and dealt
    out in order, so a batch holds every source's quota (both languages, diary rows included) at
    similar lengths (less padding); the batches' order is shuffled by (seed, step)."""
    batches: list[list[tuple[str, int]]] = [[] for _ in range(GROUP)]
    for name, quota in quotas.items():
        picked = sorted(sampler.take(name, quota * GROUP), key=lambda i: length(name, i))
        for b in range(GROUP):
            batches[b].extend((name, index) for index in picked[b * quota : (b + 1) * quota])
    order = np.random.default_rng([seed, 7, step]).permutation(GROUP)
    return [batches[i] for i in order]


def mixture_prior(train: dict[str, TextSet], quotas: dict[str, int]) -> np.ndarray:
    total = sum(quotas.values())
    prior = sum(train[name].targets.mean(axis=0) * quota / total for name, quota in quotas.items())
    return np.clip(prior / prior.sum(), 1e-4, None)


def learning_rate_factor(step: int, settings: Settings) -> float:
    """Linear warm-up, then cosine decay to 10% at ``settings.steps``."""
    if step < settings.warmup:
        return (step + 1) / settings.warmup
    progress = min((step - settings.warmup) / max(settings.steps - settings.warmup, 1), 1.0)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def validation_subsets(val: dict[str, TextSet], rows: int, seed: int) -> dict[str, TextSet]:
    out = {}
    for name, data in val.items():
        if len(data) > rows:
            index = np.sort(np.random.default_rng([seed, 99]).choice(len(data), rows, replace=False))
            data = data.subset(index)
        out[name] = data
    return out


def evaluate(tokenizer, model, sets: dict[str, TextSet], device: str, temperature: float = 1.0) -> dict:
    """Reports per set, each entry read as the runtime reads it (windows pooled by letters)."""
    reports = {}
    for name, data in sets.items():
        split = calibrate.windowed(
            name, data, lambda texts: classifier.logits_for(tokenizer, model, texts, device=device)
        )
        reports[name] = calibrate.report(split, temperature)
    reports["selection"] = selection_score(reports)
    return reports


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _atomic_save(payload, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def train(
    train_sets: dict[str, TextSet],
    val_sets: dict[str, TextSet],
    run_dir: Path,
    settings: Settings,
    *,
    max_minutes: float,
    device: str = "cpu",
    log: Callable[[str], None] = print,
) -> dict:
    """Train (resuming from ``run_dir/last.pt`` when present) until ``settings.steps`` or the time
    budget; returns {"step", "best_selection", "best_step", "stopped"}."""
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(settings.seed)
    tokenizer, model = classifier.build(settings.layers, settings.frozen, settings.dropout)
    model.to(device)
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": settings.lr, "base": settings.lr},
            {"params": list(model.head.parameters()), "lr": settings.head_lr, "base": settings.head_lr},
        ],
        weight_decay=settings.weight_decay,
    )
    sampler = Sampler({name: len(train_sets[name]) for name in settings.quotas}, settings.seed)
    step, best, best_step, history = 0, -1.0, -1, []
    last = run_dir / "last.pt"
    if last.exists():
        checkpoint = torch.load(last, map_location=device, weights_only=False)
        if checkpoint["settings"] != asdict(settings):
            log("note: settings differ from the checkpoint's; resuming with the checkpoint's model state")
        model.load_trained(checkpoint["trained"])
        optimiser.load_state_dict(checkpoint["optimiser"])
        sampler = Sampler(sampler.sizes, settings.seed, checkpoint["sampler"])
        step, best, best_step = checkpoint["step"], checkpoint["best"], checkpoint["best_step"]
        history = checkpoint.get("history", [])
        torch.set_rng_state(checkpoint["rng"])
        log(f"resumed at step {step} (best validation score {best:.4f} at step {best_step})")
    (run_dir / "settings.json").write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")

    prior = torch.tensor(np.log(mixture_prior(train_sets, settings.quotas)), dtype=torch.float32, device=device)
    val_small = validation_subsets(val_sets, settings.eval_rows, settings.seed)
    encoded: dict[str, dict[int, list[int]]] = {name: {} for name in settings.quotas}

    def tokens(name: str, index: int) -> list[int]:
        cache = encoded[name]
        if index not in cache:
            cache[index] = tokenizer.encode(train_sets[name].texts[index], settings.max_tokens)
        return cache[index]

    def save_last() -> None:
        _atomic_save(
            {
                "trained": model.trained_state(),
                "optimiser": optimiser.state_dict(),
                "sampler": sampler.state,
                "step": step,
                "best": best,
                "best_step": best_step,
                "history": history,
                "rng": torch.get_rng_state(),
                "settings": asdict(settings),
            },
            last,
        )

    def validate() -> None:
        nonlocal best, best_step
        started = time.perf_counter()
        reports = evaluate(tokenizer, model, val_small, device)
        figures = {f"{name}_{m}": round(reports[name][m], 4) for name, m in SELECTION}
        figures["goemotions_ko_macro_f1"] = round(reports["goemotions_ko"]["macro_f1"], 4)
        history.append({"step": step, "selection": round(reports["selection"], 4), **figures})
        marker = ""
        if reports["selection"] > best:
            best, best_step, marker = reports["selection"], step, "  (best so far)"
            _atomic_save(
                {"trained": model.trained_state(), "step": step, "settings": asdict(settings)}, run_dir / "best.pt"
            )
        log(
            f"step {step}: validation {figures} score {reports['selection']:.4f}{marker} "
            f"({time.perf_counter() - started:.0f}s)"
        )

    def next_batches() -> list[tuple[list[list[int]], list[np.ndarray]]]:
        picked = group_rows(sampler, settings.quotas, lambda name, i: len(tokens(name, i)), settings.seed, step)
        return [
            ([tokens(name, i) for name, i in rows], [train_sets[name].targets[i] for name, i in rows])
            for rows in picked
        ]

    pending: list = []
    started = time.perf_counter()
    deadline = started + max_minutes * 60
    model.train()
    losses, seen, window_start = [], 0, time.perf_counter()
    stopped = "steps"
    while step < settings.steps:
        if time.perf_counter() >= deadline:
            stopped = "time"
            break
        if not pending:
            pending.extend(next_batches())
        rows, targets = pending.pop(0)
        ids, attention = e5_torch.pad(rows, tokenizer.pad)
        target = torch.tensor(np.stack(targets), dtype=torch.float32, device=device)
        target = target / target.sum(dim=1, keepdim=True)
        target = (1 - settings.label_smoothing) * target + settings.label_smoothing / len(EMOTIONS)
        factor = learning_rate_factor(step, settings)
        for group in optimiser.param_groups:
            group["lr"] = group["base"] * factor
        with training_attention(device), autocast(settings.precision, device):
            logits = model(ids.to(device), attention.to(device))
        logits = logits.float()  # the loss and its softmax in float32 whatever the forward's precision
        loss = -(target * F.log_softmax(logits + settings.tau * prior, dim=1)).sum(dim=1).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in optimiser.param_groups for p in g["params"]], 1.0)
        optimiser.step()
        step += 1
        losses.append(float(loss.detach()))
        seen += len(rows)
        if step % 50 == 0:
            rate = seen / max(time.perf_counter() - window_start, 1e-9)
            left = (deadline - time.perf_counter()) / 60
            log(
                f"step {step}/{settings.steps} loss {np.mean(losses):.4f} lr x{factor:.2f} "
                f"{rate:.0f} rows/s, {left:.0f} min left"
            )
            losses, seen, window_start = [], 0, time.perf_counter()
        if step % settings.checkpoint_every == 0:
            save_last()
        if step % settings.eval_every == 0:
            validate()
    if not history or history[-1]["step"] != step:
        validate()
    save_last()
    return {"step": step, "best_selection": best, "best_step": best_step, "stopped": stopped, "history": history}
