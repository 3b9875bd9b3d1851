"""Milliseconds per photo for the scene reader (decode + non-scene check + features + heads).

    OMP_NUM_THREADS=1 .venv/bin/python bench/scene_latency.py [--photos 200] [--batch 8]

Reads Emotion6 photos when ../shared/datasets/scenes/emotion6 is there (JPEG, 256 px shorter side),
else (or with --synthetic) noisy 1024x768 JPEGs, the size of a phone photo after upload.
Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference.scene import runtime  # noqa: E402


def photos(count: int, synthetic: bool) -> tuple[list[bytes], str]:
    folder = ROOT.parent / "shared" / "datasets" / "scenes" / "emotion6"
    every = sorted(folder.glob("*/*.jpg"))
    paths = every[:: max(1, len(every) // count)][:count]
    if paths and not synthetic:
        return [p.read_bytes() for p in paths], "Emotion6 JPEGs (256 px shorter side)"
    rng = np.random.default_rng(0)
    blobs = []
    for _ in range(count):
        buffer = io.BytesIO()
        Image.fromarray(rng.integers(0, 255, (768, 1024, 3), dtype=np.uint8)).save(buffer, "JPEG", quality=85)
        blobs.append(buffer.getvalue())
    return blobs, "synthetic 1024x768 JPEGs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args()
    blobs, source = photos(args.photos, args.synthetic)
    runtime.load_model()
    runtime.read_scene(Image.open(io.BytesIO(blobs[0])))  # warm up
    per_photo = []
    for start in range(0, len(blobs), args.batch):
        chunk = blobs[start:start + args.batch]
        began = time.perf_counter()
        runtime.read_scenes([Image.open(io.BytesIO(b)) for b in chunk])
        per_photo.append((time.perf_counter() - began) * 1000 / len(chunk))
    print(json.dumps({
        "bench": "scene_latency", "photos": len(blobs), "batch": args.batch, "source": source,
        "ms_per_photo_median": round(statistics.median(per_photo), 2),
        "ms_per_photo_p90": round(float(np.percentile(per_photo, 90)), 2),
        "target_ms": 30,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "omp_threads": os.environ.get("OMP_NUM_THREADS", ""), "load_average_1m": os.getloadavg()[0]},
    }))


if __name__ == "__main__":
    main()
