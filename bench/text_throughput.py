"""Text emotion throughput: diary entries of 2-3 sentences read per second, batched, on 2 CPU cores.

    .venv/bin/python bench/text_throughput.py

The process is pinned to two cores (sched_setaffinity) and the encoder to two threads; each
call is ``inference.text.runtime.read_texts`` on a batch of 64 entries (the path the worker
takes: cleaning, windows, encoder, head, pooling). An entry is 2 or 3 consecutive sentences
of one language joined with spaces (alternately), like a short diary entry: Korean from the
single-turn set and English from GoEmotions test when ../shared/datasets (or
``MOODSITE_DATASETS``) is present, else a built-in mixed list. Target (issue 16): >= 100
entries/s. ``BENCH_UNIT=sentence`` times single sentences instead (the earlier figure).

Because other processes may share the CPU, the JSON also gives the process CPU time per
sentence ("sentences_per_cpu_second": twice it is what two idle cores would do) and the load
average while it ran. Progress goes to stderr; one JSON object is the last line of stdout.
"""

import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodsite.settings")
CORES = 2
THREADS = int(os.environ.get("BENCH_THREADS", str(CORES)))  # 1: CPU cost per entry on a loaded machine
os.environ["TEXT_ENCODER_THREADS"] = str(THREADS)

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
BATCH = int(os.environ.get("BENCH_BATCH", "64"))
FALLBACK = [
    "오늘 너무 행복했어",
    "I am furious that they cancelled the trip again.",
    "아침부터 비가 와서 기분이 좀 가라앉았다.",
    "Honestly I'm scared about the results tomorrow.",
    "친구가 깜짝 선물을 보내줘서 정말 놀랐어!",
    "That smell in the kitchen was disgusting.",
    "그냥 평범한 하루였다. 점심은 김밥을 먹었다.",
    "I miss my mother so much today.",
]


def entries(n: int) -> tuple[list[str], str]:
    """``n`` entries of 2-3 sentences each (alternately), one language per entry, languages interleaved."""
    pool, source = sentences(3 * n)
    ko = [t for t in pool if any("\uac00" <= c <= "\ud7a3" for c in t)]
    en = [t for t in pool if t not in set(ko)]
    out, at = [], {"ko": 0, "en": 0}
    for i in range(n):
        language, items = ("ko", ko) if i % 2 == 0 else ("en", en)
        size = 2 + (i // 2) % 2
        start = at[language] % max(len(items) - size, 1)
        out.append(" ".join(_ended(t) for t in items[start : start + size]))
        at[language] += size
    return out, f"2-3 sentence entries from {source}"


def _ended(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence if sentence[-1:] in ".!?…" else sentence + "."


def sentences(n: int) -> tuple[list[str], str]:
    # The same rule as settings.MOODSITE_DATASETS (read before Django is set up: this runs first).
    text = Path(os.environ.get("MOODSITE_DATASETS") or ROOT.parent / "shared" / "datasets") / "text"
    korean = text / "korean_single_turn" / "dataset_utf8.csv"
    english = text / "goemotions" / "data" / "ekman" / "test.tsv"
    if korean.is_file() and english.is_file():
        with open(korean, encoding="utf-8-sig", newline="") as handle:
            ko = [row["Sentence"] for row in csv.DictReader(handle)][-n // 2 :]
        with open(english, encoding="utf-8") as handle:
            en = [line.split("\t")[0] for line in handle][: n - len(ko)]
        mixed = [s for pair in zip(ko, en, strict=False) for s in pair]
        return mixed, "Korean single-turn (last rows) + GoEmotions test (first rows), interleaved"
    return (FALLBACK * (n // len(FALLBACK) + 1))[:n], "built-in mixed Korean/English sentences"


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, allowed[:CORES])
    import django

    django.setup()
    from inference.text import runtime

    unit = os.environ.get("BENCH_UNIT", "entry")
    texts, source = entries(512) if unit == "entry" else sentences(1024)
    runtime.read_texts(texts[:BATCH])  # warm-up: loads the head and maps the encoder
    timings, done, at = [], 0, BATCH
    cpu_start, load_start = time.process_time(), os.getloadavg()[0]
    started = time.perf_counter()
    while time.perf_counter() - started < SECONDS or len(timings) < 3:
        batch = texts[at % len(texts) : at % len(texts) + BATCH] or texts[:BATCH]
        at += len(batch)
        t = time.perf_counter()
        runtime.read_texts(batch)
        timings.append((time.perf_counter() - t) / len(batch))
        done += len(batch)
        print(f"{done} {unit} texts, {1 / timings[-1]:.1f}/s", file=sys.stderr)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_start
    info = runtime.text_model_info()
    import torch
    from django.conf import settings

    from inference.runtime import cpu_autocast_dtype

    dtype = cpu_autocast_dtype(torch)
    print(
        json.dumps(
            {
                "bench": "text_throughput",
                "model": info["version"],
                "unit": unit,
                "texts": done,
                "mean_characters": round(statistics.mean(len(t) for t in texts), 1),
                "batch": BATCH,
                "cores": CORES,
                "threads": THREADS,
                "encoder_backend": settings.TEXT_ENCODER_BACKEND,  # format 1's vectors; a fine-tuned model is torch
                "precision": "float32" if dtype is None else str(dtype).removeprefix("torch."),
                "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                "per_second": round(done / wall, 1),
                "median_batch_per_second": round(1 / statistics.median(timings), 1),
                "per_cpu_second": round(done / cpu, 1) if cpu else None,
                "load_average_1m": [round(load_start, 2), round(os.getloadavg()[0], 2)],
                "target_per_second": 100,
                "source": source,
                "cpu": platform.processor() or platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
