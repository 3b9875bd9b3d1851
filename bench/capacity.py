"""What one entry costs the shared parts, and how many entries one CPU worker reads a second: the
figures behind the capacity estimate in bench/README.md (issue 18).

    .venv/bin/python bench/capacity.py [--entries 96] [--database-url URL]

Measures, with real parts (PostgreSQL, a private redis-server on a free port so that its command
counter is ours alone, one Celery worker `-Q inference --concurrency 1` on the CPU, the shipped
face model, FER2013 PrivateTest faces at 256 px):
  web         SQL queries and Redis commands of one upload through the API (POST /api/v1/entries/
              with a photo: token check, entry, job, on_commit enqueue), and of one status poll
  worker      SQL queries per entry of the worker's own code path (inference.pipeline.batch_run,
              in this process, batches of --batch-size), and PostgreSQL transactions per entry of
              the real worker process (pg_stat_database)
  broker      Redis commands per entry, upload to stored plus the default queue's follow-up tasks
              (recommendations, alerts), raw and with the idle workers' polling subtracted
  throughput  entries read per second by that one worker, a burst of --entries saved at once

Uses its own PostgreSQL database (created if missing, emptied each run). Skips with a reason (in
the JSON) when PostgreSQL, redis-server, the face model or the photos are missing. Progress goes to
stderr; one JSON object is the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pipeline  # noqa: E402 - bench/pipeline.py: the same database and upload helpers


def log(message: str) -> None:
    print(f"[capacity bench] {message}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moodsite_bench_capacity"))
    parser.add_argument("--entries", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=16)
    return parser.parse_args()


def redis_commands(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).info("stats")["total_commands_processed"])


def pg_counters(database_url: str) -> dict[str, int]:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_fetched FROM pg_stat_database"
            " WHERE datname = %s", [name]).fetchone()
    return dict(zip(("transactions", "inserted", "updated", "fetched"), map(int, row), strict=True))


def measure_web(person_token: str, photos: list[bytes], redis_url: str) -> dict:
    """One upload and one status poll through the API, in this process (no worker running)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {person_token}")
    uploads, polls, commands = [], [], []
    for photo in photos:
        body, content_type = pipeline.multipart({"text": "오늘은 조금 피곤했어요"}, {"photo": ("selfie.jpg", photo)})
        before = redis_commands(redis_url)
        with CaptureQueriesContext(connection) as queries:
            response = client.generic("POST", "/api/v1/entries/", body, content_type=content_type)
        # Two commands of our own (INFO before and after) are not the upload's.
        commands.append(redis_commands(redis_url) - before - 1)
        assert response.status_code == 201, response.content[:300]
        uploads.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/entries/{response.json()['id']}/analysis/").status_code == 200
        polls.append(len(queries))
    import statistics

    # The first upload of the process opens the broker connection: the median is the steady state.
    return {"queries_per_upload": statistics.median(uploads), "queries_per_upload_max": max(uploads),
            "queries_per_status_poll": statistics.median(polls),
            "redis_commands_per_upload": statistics.median(commands), "redis_commands_per_upload_max": max(commands),
            "uploads": len(photos)}


def measure_worker_queries(person, photos: list[bytes], batch_size: int) -> dict:
    """The worker's code path in this process: queries per entry over whole batches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inference import pipeline as inference_pipeline
    from inference.models import AnalysisJob

    pipeline.save_entries(person, photos, at_once=True)
    # (the web measurement's uploads are pending too: no worker ran; they are read here as well)
    assert AnalysisJob.objects.filter(status="pending").count() >= len(photos)
    read, queries_total = 0, 0
    while True:
        with CaptureQueriesContext(connection) as queries:
            counts = inference_pipeline.batch_run(size=batch_size, max_wait=0)
        if not counts.get("claimed"):
            break
        read += counts["claimed"]
        queries_total += len(queries)
    return {"entries": read, "batch_size": batch_size, "queries_per_entry": round(queries_total / read, 2)}


def _queue_length(url: str, queue: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).llen(queue))


def main() -> None:
    args = parse_args()
    from tests.inference import pipeline_fixtures as real

    tmp = Path(tempfile.mkdtemp(prefix="moodsite-bench-capacity-"))
    report: dict = {"benchmark": "capacity", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                         "load_average_1m": os.getloadavg()[0]}}
    redis = real.PrivateRedis(tmp / "redis")
    if redis.binary is None:
        report["skipped"] = "redis-server is not installed"
        print(json.dumps(report))
        return
    redis.start()
    args.redis_url = redis.url
    pipeline.prepare_environment(args, tmp)
    try:
        if reason := pipeline.skip_reason(args):
            report["skipped"] = reason
            print(json.dumps(report))
            return
        pipeline.create_database(args.database_url)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from inference import runtime

        report["model"] = runtime.model_info()["version"]
        log("picking face photos")
        photos = real.face_photos(48, size=256)
        person, token = pipeline.make_person()

        log("web: queries and Redis commands of one upload")
        report["web"] = measure_web(token, photos[:10], redis.url)
        log(f"web: {report['web']}")
        real.redis_flush(redis.url)

        log("worker: queries per entry, in this process")
        report["worker_code_path"] = measure_worker_queries(person, photos[:32], args.batch_size)
        log(f"worker: {report['worker_code_path']}")
        real.redis_flush(redis.url)

        worker = real.Worker(broker_url=redis.url, database_url=args.database_url, private_root=tmp / "private",
                             media_root=tmp / "media", log_path=tmp / "worker.log", name="bench-capacity",
                             env={"INFERENCE_BATCH_SIZE": str(args.batch_size)}).start()
        # The default queue too (recommendations, alerts after each reading), as in production.
        default = real.Worker(broker_url=redis.url, database_url=args.database_url, private_root=tmp / "private",
                              media_root=tmp / "media", log_path=tmp / "default.log", name="bench-default")
        default.command[default.command.index("inference")] = "default"
        default.start()
        try:
            warm = pipeline.save_entries(person, photos[:4])
            pipeline.wait_all_final(warm, 120)
            # The idle worker's own traffic (BRPOP timeouts, heartbeats), to subtract.
            idle_start, idle_commands = time.perf_counter(), redis_commands(redis.url)
            time.sleep(10)
            idle_rate = (redis_commands(redis.url) - idle_commands - 1) / (time.perf_counter() - idle_start)
            burst = [photos[i % len(photos)] for i in range(args.entries)]
            log(f"throughput: a burst of {args.entries} entries")
            pg_before, commands_before = pg_counters(args.database_url), redis_commands(redis.url)
            started = time.perf_counter()
            entry_ids = pipeline.save_entries(person, burst, at_once=True)
            committed = time.perf_counter()
            if not pipeline.wait_all_final(entry_ids, 900):
                raise TimeoutError("the burst was not drained in 15 minutes")
            drained = time.perf_counter()
            # and the default queue's follow-up tasks for them
            real.wait_for(lambda: _queue_length(redis.url, "default") == 0, 300, interval=0.2,
                          what="the default queue to empty")
            time.sleep(2)
            settled = time.perf_counter()
            commands = redis_commands(redis.url) - commands_before - 1
        finally:
            worker.stop()  # its database connections close: their statistics are flushed
            default.stop()
        time.sleep(1.5)
        pg_after = pg_counters(args.database_url)
        counts = pipeline.tally(entry_ids, [worker.log()])
        elapsed = settled - started
        report["throughput"] = {
            "entries": args.entries, "batch_size": args.batch_size,
            "entries_per_s": round(args.entries / (drained - committed), 2),
            "drain_s": round(drained - committed, 2), "lost": counts["lost"], "duplicated": counts["duplicated"],
        }
        report["broker"] = {
            "redis_commands_per_entry_raw": round(commands / args.entries, 1),
            # An idle worker polls; a busy one polls less, so this is the lower bound.
            "redis_commands_per_entry_idle_subtracted": round((commands - idle_rate * elapsed) / args.entries, 1),
            "idle_workers_commands_per_s": round(idle_rate, 2),
            "window_s": round(elapsed, 2),
        }
        # The saving side ran in this process too (save_entries), so these include it.
        report["database"] = {f"{key}_per_entry": round((pg_after[key] - pg_before[key]) / args.entries, 1)
                              for key in pg_after}
        report["database"]["note"] = ("pg_stat_database for the bench's own database: saving the entries (this "
                                      "process), the inference worker and the default worker's follow-up tasks")
    finally:
        redis.stop()
    report["machine"]["load_average_1m_end"] = os.getloadavg()[0]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
