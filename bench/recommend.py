"""Music: recommendations for one person from a 100,000-track synthetic catalogue. Prints JSON.

    .venv/bin/python bench/recommend.py [--tracks 100000] [--requests 300] [--seed 0]

The catalogue arrays are built once (as music.services caches them per process); each request
then runs music.matching.recommend for one person with a realistic history: liked and disliked
tracks and artists, skips, recently offered tracks to exclude, language and genre preferences.
Requests cycle through the strategies (match, lift towards each target, calm) with random moods.
Target: 95th percentile ≤ 20 ms.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodsite.settings")
    import django

    django.setup()
    import numpy as np

    from moodsite.emotions import EMOTIONS
    from music import matching
    from music.vocabulary import MOOD_TAGS

    rng = np.random.default_rng(args.seed)
    n = args.tracks
    tags = [matching.TagWords(t.name_en, t.name_ko, t.valence, t.arousal) for t in MOOD_TAGS]
    tag_points = np.array([[t.valence, t.arousal] for t in tags])
    # Tracks sit around one to three tags each, like an imported catalogue.
    first_tag = rng.integers(0, len(tags), n)
    va = np.clip(tag_points[first_tag] + rng.normal(0, 0.12, (n, 2)), -1, 1)
    artists = [f"artist {i}" for i in rng.integers(0, n // 5, n)]
    languages = rng.choice(["ko", "en", "zxx", "ja", "it"], n, p=[0.35, 0.35, 0.2, 0.05, 0.05])
    genres = rng.choice(["pop", "classical", "korean traditional", "folk", "rock", "jazz"], n)
    tempo = rng.uniform(50, 180, n)
    modes = rng.choice(["major", "minor", ""], n)

    started = time.perf_counter()
    records = [
        matching.TrackRecord(
            id=i + 1, artist=artists[i], valence=float(va[i, 0]), arousal=float(va[i, 1]), language=str(languages[i]),
            genre=str(genres[i]), tempo=float(tempo[i]), mode=str(modes[i]), mood_tag=int(first_tag[i]),
        )
        for i in range(n)
    ]
    catalogue = matching.Catalogue.build(records, tags)
    build_seconds = time.perf_counter() - started

    ids = rng.choice(np.arange(1, n + 1), 1200, replace=False).tolist()
    listener = matching.Listener(
        liked_tracks=frozenset(ids[:200]),
        disliked_tracks=frozenset(ids[200:300]),
        skipped_tracks={track: int(rng.integers(1, 4)) for track in ids[300:600]},
        liked_artists=frozenset(artists[i - 1] for i in ids[:50]),
        disliked_artists=frozenset(artists[i - 1] for i in ids[200:220]),
        exclude=frozenset(ids[600:1200]),
        languages=frozenset({"ko", "en"}),
        genres=frozenset({"korean traditional", "classical"}),
    )
    plans = [("match", None, 10), ("lift", "calm", 6), ("lift", "joyful", 6), ("lift", "energised", 6),
             ("calm", None, 10)]
    moods = [dict(zip(EMOTIONS, rng.dirichlet(np.full(len(EMOTIONS), 0.5)).tolist(), strict=True))
             for _ in range(args.requests)]

    for i in range(10):  # warm-up (first-call allocations, the id index)
        strategy, target, count = plans[i % len(plans)]
        matching.recommend(catalogue, moods[i], strategy=strategy, target=target, n=count, listener=listener)

    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    cpu_by: dict[str, list[float]] = {}
    for i, mood in enumerate(moods):
        strategy, target, count = plans[i % len(plans)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        picks = matching.recommend(catalogue, mood, strategy=strategy, target=target, n=count, listener=listener)
        elapsed = (time.perf_counter() - started) * 1000
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert len(picks) == count
        assert not listener.exclude & {p.track_id for p in picks}
        name = f"{strategy}{'-' + target if target else ''}"
        timings.setdefault(name, []).append(elapsed)
        cpu_by.setdefault(name, []).append(cpu[-1])

    every = [t for values in timings.values() for t in values]

    def summary(values: list[float]) -> dict:
        values = sorted(values)
        return {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(float(np.percentile(values, 95)), 2),
            "p99_ms": round(float(np.percentile(values, 99)), 2),
            "max_ms": round(values[-1], 2),
        }

    result = {
        "benchmark": "music_recommend",
        "tracks": n,
        "catalogue_build_seconds": round(build_seconds, 2),
        "all": summary(every),
        # CPU time of the request's thread: what it costs without other processes competing for the CPU.
        "all_cpu_time": summary(cpu),
        "by_strategy": {name: summary(values) for name, values in timings.items()},
        "by_strategy_cpu_time": {name: summary(values) for name, values in cpu_by.items()},
        "target_p95_ms": 20,
        "meets_target": float(np.percentile(every, 95)) <= 20,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "numpy": np.__version__,
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
