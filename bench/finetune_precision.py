"""Fine-tuning step time of the text model, float32 against bfloat16 autocast, on this CPU.

    MOODSITE_DATASETS=/work/shared/datasets OMP_NUM_THREADS=1 taskset -c 1 .venv/bin/python bench/finetune_precision.py

One thread. The same 22 batches of 32 training rows (the fine-tune's per-batch quotas, drawn at
random, cut to 96 tokens, not length-sorted) go through ``finetune_text_emotion_model``'s step —
forward (plain, or under ``finetune.autocast("bf16")``), float32 soft-target loss, backward,
AdamW — for each precision, from the same initial weights (2 warm-up steps, 20 timed). The
losses of both runs are printed so that a precision that breaks training shows. Needs the shared
text datasets (``MOODSITE_DATASETS`` or ../shared/datasets). One JSON object is the last line.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodsite.settings")
FROZEN = int(os.environ.get("BENCH_FROZEN", "2"))
STEPS, WARMUP = 20, 2


def main() -> None:
    import django

    django.setup()
    import numpy as np
    import torch
    import torch.nn.functional as F  # noqa: N812
    from django.conf import settings

    from inference.text import classifier, e5_torch, finetune, training

    torch.set_num_threads(1)
    try:
        data = training.read_all(Path(settings.MOODSITE_DATASETS) / "text")
    except FileNotFoundError as error:
        sys.exit(f"{error} Set MOODSITE_DATASETS to the shared datasets folder.")
    train, _ = finetune.with_diaries({k: v["train"] for k, v in data.items()}, {k: v["val"] for k, v in data.items()})
    quotas = finetune.QUOTAS
    rng = np.random.default_rng(0)
    tokenizer, _ = classifier.build(6, FROZEN)
    batches = []
    for _ in range(WARMUP + STEPS):
        rows, targets = [], []
        for name, quota in quotas.items():
            for i in rng.choice(len(train[name]), quota, replace=False):
                rows.append(tokenizer.encode(train[name].texts[i], 96))
                targets.append(train[name].targets[i])
        batches.append((rows, np.stack(targets)))
    result = {"frozen": FROZEN, "steps": STEPS, "rows_per_step": sum(quotas.values()), "threads": 1}
    result["mean_tokens"] = round(float(np.mean([len(r) for rows, _ in batches for r in rows])), 1)
    result["load_before"] = os.getloadavg()[0]
    for precision in finetune.PRECISIONS:
        torch.manual_seed(0)
        _, model = classifier.build(6, FROZEN)
        model.train()
        optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        losses = []
        for n, (rows, targets) in enumerate(batches):
            if n == WARMUP:
                started = time.perf_counter()
            ids, attention = e5_torch.pad(rows, tokenizer.pad)
            target = torch.tensor(targets / targets.sum(1, keepdims=True), dtype=torch.float32)
            with finetune.autocast(precision, "cpu"):
                logits = model(ids, attention)
            loss = -(target * F.log_softmax(logits.float(), 1)).sum(1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(round(float(loss.detach()), 4))
        seconds = time.perf_counter() - started
        result[precision] = {"seconds_per_step": round(seconds / STEPS, 3), "losses": losses}
        print(f"{precision}: {seconds / STEPS:.3f} s/step", file=sys.stderr)
    result["load_after"] = os.getloadavg()[0]
    result["bf16_speedup"] = round(result["fp32"]["seconds_per_step"] / result["bf16"]["seconds_per_step"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
