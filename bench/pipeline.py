"""The analysis pipeline end to end, with real parts: PostgreSQL, Redis, gunicorn, one Celery
worker on the CPU, the shipped face model and real faces (FER2013 PrivateTest, upscaled).

    .venv/bin/python bench/pipeline.py [--uploads 100] [--concurrency 10] [--jobs 96]
    .venv/bin/python bench/pipeline.py --storage compare     # S3 store vs local disk (issue 18)

Measures (issue 4 targets in brackets):
  latency     upload -> result visible: 100 uploads through the API at concurrency 10, each client
              polling GET /api/v1/entries/{id}/analysis/ every 50 ms (median <= 1.0 s, p95 <= 2.5 s)
  throughput  a burst of --jobs entries drained by one warm worker, batching (INFERENCE_BATCH_SIZE,
              up to 8 batches a task) vs one job per task (batch size 1, one batch a task), same
              run (>= 3x)
  recovery    jobs lost or duplicated when the worker is SIGKILLed mid-batch, when entries are
              saved while Redis is down, and when Redis restarts with messages queued (0)
  storage     (--storage compare) the latency run twice in the same run, photos on the local disk
              and in an S3 store (the environment's S3_*, else a SeaweedFS started here), the web
              and the worker with separate media folders in the S3 run (p50 ratio <= 1.3); and
              each time the owner fetching photos through /diary/<id>/photo/ (S3: p95 <= 50 ms)

Uses its own PostgreSQL database (--database-url, created if missing, emptied each run), its own
Redis database number on the machine's Redis, and a private redis-server for the restarts. Skips
with a reason (in the JSON) when PostgreSQL, Redis, the face model or the photos are missing.
Progress goes to stderr; one JSON object is the last line of stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FINAL = {"done", "no_face", "failed"}


def log(message: str) -> None:
    print(f"[pipeline bench] {message}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moodsite_bench_pipeline"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=96, help="burst size for the throughput comparison")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--skip-recovery", action="store_true")
    parser.add_argument("--storage", choices=["local", "s3", "compare"], default="local",
                        help="where the photos go in the latency run; compare: both, same run (then the "
                             "throughput and recovery parts are skipped)")
    parser.add_argument("--fetches", type=int, default=200, help="photo fetches through the owner view")
    parser.add_argument("--rounds", type=int, default=2, help="--storage compare: pairs of runs (S3/local)")
    return parser.parse_args()


def prepare_environment(args: argparse.Namespace, tmp: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "moodsite.settings",
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": args.redis_url,
        "REDIS_URL": "",
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "MEDIA_ROOT": str(tmp / "media"),
        "MOODSITE_VAR_DIR": str(tmp / "var"),
        "INFERENCE_DEVICE": os.environ.get("INFERENCE_DEVICE", "cpu"),
    })


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def skip_reason(args: argparse.Namespace) -> str | None:
    from tests.inference import pipeline_fixtures as real

    if reason := real.redis_reachable(args.redis_url):
        return reason
    if reason := real.face_photos_missing():
        return reason
    try:
        import psycopg

        psycopg.connect(args.database_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception as error:
        return f"PostgreSQL is not reachable ({error})"
    from inference import runtime

    try:
        runtime.read_metadata()
    except Exception as error:
        return f"the face model is not installed: {error}"
    return None


# --- Helpers on the database side -----------------------------------------------------------------


def make_person():
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.tokens import api_token_issue

    user = User.objects.create_user(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password=uuid.uuid4().hex)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, api_token_issue(user=user)[1]


def save_entries(person, photos: list[bytes], *, at_once: bool = False) -> list[int]:
    """Save entries through the diary's service. at_once: one transaction, so every job becomes
    pending (and every task is sent) at the same instant."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from diary import services
    from diary.photos import clean_photo

    cleaned = [clean_photo(SimpleUploadedFile("selfie.jpg", data, content_type="image/jpeg")) for data in photos]
    if at_once:
        with transaction.atomic():
            return [services.entry_create(owner=person, photo=photo).pk for photo in cleaned]
    return [services.entry_create(owner=person, photo=photo).pk for photo in cleaned]


def statuses(entry_ids: list[int]) -> dict[int, str]:
    from inference.models import AnalysisJob

    return dict(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "status"))


def wait_all_final(entry_ids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = statuses(entry_ids)
        if len(current) == len(entry_ids) and set(current.values()) <= FINAL:
            return True
        time.sleep(0.05)
    return False


def tally(entry_ids: list[int], worker_logs: list[str]) -> dict:
    """lost: jobs that never got a result; duplicated: stored twice, or more than one result row."""
    from django.db.models import Count

    from inference.models import AnalysisJob, AnalysisResult
    from tests.inference import pipeline_fixtures as real

    current = statuses(entry_ids)
    rows = dict(AnalysisResult.objects.filter(entry_id__in=entry_ids).values("entry_id")
                .annotate(n=Count("id")).values_list("entry_id", "n"))
    job_ids = dict(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "pk"))
    stored = real.stored_counts(worker_logs)
    return {
        "jobs": len(entry_ids),
        "done": sum(1 for s in current.values() if s == "done"),
        "lost": sum(1 for eid in entry_ids if current.get(eid) not in {"done", "no_face"}),
        "duplicated": sum(1 for eid in entry_ids if rows.get(eid, 0) > 1 or stored.get(job_ids.get(eid), 0) > 1),
    }


# --- HTTP client (urllib: no extra dependency) ---------------------------------------------------


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def http(method: str, url: str, token: str, body: bytes | None = None, content_type: str | None = None) -> dict:
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - our own local server
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept", "application/json")
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


# Ten clients polling every 50 ms would be 200 requests a second on the same two cores as the
# worker; the page's own script polls every second or more. 200 ms is the resolution of "visible".
POLL_SECONDS = float(os.environ.get("BENCH_POLL_SECONDS", "0.2"))


def upload_and_wait(base: str, token: str, photo: bytes, timeout: float = 60) -> tuple[float, float]:
    """(seconds until the API showed the result, seconds until the worker stored it)."""
    body, content_type = multipart({"text": ""}, {"photo": ("selfie.jpg", photo)})
    started, started_wall = time.perf_counter(), time.time()
    entry = http("POST", f"{base}/api/v1/entries/", token, body, content_type)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        analysis = http("GET", f"{base}/api/v1/entries/{entry['id']}/analysis/", token)
        if analysis["status"] in FINAL:
            visible = time.perf_counter() - started
            finished = datetime.datetime.fromisoformat(analysis["finished_at"]).timestamp()
            return visible, finished - started_wall
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"entry {entry['id']} was not read within {timeout}s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- The measurements ----------------------------------------------------------------------------


# The local run: no S3 settings at all, whatever the environment holds (the embedded default).
LOCAL_STORAGE = {"S3_BUCKET": "", "S3_ENDPOINT_URL": "", "S3_ACCESS_KEY_ID": "", "S3_SECRET_ACCESS_KEY": ""}


def cpu_seconds(root_pid: int | None) -> float:
    """CPU seconds (user + system) used so far by a process and its living descendants (/proc)."""
    if root_pid is None:
        return 0.0
    children: dict[int, list[int]] = {}
    used: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = int(fields[11]) + int(fields[12])
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += used.get(pid, 0)
        stack += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def measure_latency(args, tmp: Path, photos: list[bytes], *, storage: dict | None = None,
                    name: str = "latency", store_pid: int | None = None) -> dict:
    """storage: S3_* settings for the web and the worker (then each has a media folder of its own,
    as on two machines); None: both on the same local private folder."""
    from tests.inference import pipeline_fixtures as real

    person, token = make_person()
    split = storage is not None and bool(storage.get("S3_BUCKET"))
    storage = storage if storage is not None else LOCAL_STORAGE
    worker_private = tmp / name / "worker-private" if split else tmp / "private"
    web_private = tmp / name / "web-private" if split else tmp / "private"
    worker = real.Worker(broker_url=args.redis_url, database_url=args.database_url,
                         private_root=worker_private, media_root=tmp / "media", log_path=tmp / f"{name}.log",
                         name=f"bench-{name}", env={"INFERENCE_BATCH_SIZE": str(args.batch_size), **storage}).start()
    port = real.free_port()
    web = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "moodsite.wsgi", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **storage, "PRIVATE_MEDIA_ROOT": str(web_private)},
        stdout=subprocess.DEVNULL, stderr=open(tmp / f"gunicorn-{name}.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        real.wait_for(lambda: _up(base), 30, what="gunicorn")
        # Warm up: the worker's model and the web processes' imports.
        for photo in photos[:3]:
            upload_and_wait(base, token, photo)
        log(f"latency: {args.uploads} uploads at concurrency {args.concurrency}")
        chosen = [photos[i % len(photos)] for i in range(args.uploads)]
        processes = {"web": web.pid, "worker": worker.process.pid, "store": store_pid}
        cpu_before = {key: cpu_seconds(pid) for key, pid in processes.items()}
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            timings = list(pool.map(lambda p: upload_and_wait(base, token, p), chosen))
        wall = time.perf_counter() - started
        # What each upload cost each process (the clients' polling included in the web's share).
        cpu_ms = {key: round(1000 * (cpu_seconds(pid) - cpu_before[key]) / args.uploads, 1)
                  for key, pid in processes.items() if pid is not None}
        latencies = [visible for visible, _ in timings]
        stored = [at for _, at in timings]
        fetch = measure_photo_fetch(base, person, args.fetches) if args.fetches else None
    finally:
        web.terminate()
        web.wait(10)
        worker.stop()
    batches = _batch_sizes(worker.log())
    return {
        "uploads": args.uploads,
        "concurrency": args.concurrency,
        "median_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
        "poll_s": POLL_SECONDS,
        "stored_median_s": round(statistics.median(stored), 3),
        "stored_p95_s": round(percentile(stored, 0.95), 3),
        "uploads_per_s": round(args.uploads / wall, 2),
        "mean_batch": round(statistics.mean(batches), 2) if batches else None,
        "target": {"median_s": 1.0, "p95_s": 2.5},
        "photo_fetch": fetch,
        "cpu_ms_per_upload": cpu_ms,
        "load_average_1m": os.getloadavg()[0],
        "_latencies": latencies,
        "files_on_worker_disk": sum(1 for p in worker_private.rglob("*") if p.is_file()) if split else None,
    }


def measure_photo_fetch(base: str, person, fetches: int) -> dict:
    """The owner (signed in: a session cookie) fetching their photos through /diary/<id>/photo/,
    one after another: the owner check, the read from storage and the streaming."""
    from django.test import Client

    from diary.models import Entry

    client = Client()
    client.force_login(person)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    ids = list(Entry.objects.filter(owner=person).exclude(photo="").values_list("pk", flat=True))
    timings, sizes = [], set()
    for i in range(fetches):
        request = urllib.request.Request(f"{base}/diary/{ids[i % len(ids)]}/photo/", headers={"Cookie": cookie})  # noqa: S310
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            sizes.add(len(response.read()))
        timings.append(time.perf_counter() - started)
    return {
        "fetches": fetches,
        "p50_ms": round(1000 * statistics.median(timings), 1),
        "p95_ms": round(1000 * percentile(timings, 0.95), 1),
        "max_ms": round(1000 * max(timings), 1),
        "photo_kb": round(statistics.mean(sizes) / 1024, 1),
    }


def s3_for_bench(tmp: Path) -> tuple[dict, object | None]:
    """S3_* settings for the S3 run: the environment's store, else a SeaweedFS started here."""
    if os.environ.get("S3_BUCKET"):
        keys = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
                "S3_SERVER_SIDE_ENCRYPTION")
        env, server = {k: os.environ[k] for k in keys if k in os.environ}, None
    else:
        from tests.s3_server import SeaweedS3

        server = SeaweedS3(tmp / "s3").start()
        env = server.env()
    return {**env, "S3_PREFIX": f"bench-{uuid.uuid4().hex[:8]}/"}, server


def measure_storage(args, tmp: Path, photos: list[bytes]) -> dict:
    """The latency run on the S3 store and on the local disk, in the same run: --rounds pairs in
    the order S3, local, local, S3, ... so that a machine whose load drifts favours neither."""
    s3, server = s3_for_bench(tmp)
    runs: dict[str, list[dict]] = {"s3": [], "local": []}
    try:
        for round_ in range(args.rounds):
            for mode in (("s3", "local") if round_ % 2 == 0 else ("local", "s3")):
                log(f"storage: round {round_ + 1}, latency with photos {'in S3' if mode == 's3' else 'on local disk'}")
                result = measure_latency(args, tmp, photos, storage=s3 if mode == "s3" else None,
                                         name=f"latency-{mode}-{round_}",
                                         store_pid=server.process.pid if server and mode == "s3" else None)
                log(f"storage: {mode} {({k: v for k, v in result.items() if k != '_latencies'})}")
                runs[mode].append(result)
                real_flush(args)
    finally:
        if server is not None:
            server.stop()
    summary = {}
    for mode, results in runs.items():
        pooled = [value for result in results for value in result.pop("_latencies")]
        summary[mode] = {"median_s": round(statistics.median(pooled), 3), "p95_s": round(percentile(pooled, 0.95), 3),
                         "uploads": len(pooled), "runs": results}
    return {
        **summary,
        "p50_ratio_s3_to_local": round(summary["s3"]["median_s"] / summary["local"]["median_s"], 3),
        "p95_ratio_s3_to_local": round(summary["s3"]["p95_s"] / summary["local"]["p95_s"], 3),
        "order": "S3, local, local, S3, ..." if args.rounds > 1 else "S3, local",
        "store": "environment" if server is None else "SeaweedFS 4.48 (weed server -s3) on 127.0.0.1, SSE-S3 on",
        "target": {"p50_ratio": 1.3, "s3_photo_fetch_p95_ms": 50},
    }


def real_flush(args) -> None:
    from tests.inference import pipeline_fixtures as real

    real.redis_flush(args.redis_url)


def _up(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/health/", timeout=2).read()  # noqa: S310
    except Exception:
        return False
    return True


def _batch_sizes(text: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r"analysis batch: {'claimed': (\d+)", text) if int(n)]


def measure_throughput(args, tmp: Path, photos: list[bytes]) -> dict:
    from tests.inference import pipeline_fixtures as real

    person, _ = make_person()
    results = {}
    # One job per task: batches of one, and a task never goes on to a second batch.
    for mode, size, per_task in (("batched", args.batch_size, 8), ("one_per_task", 1, 1)):
        real.redis_flush(args.redis_url)
        worker = real.Worker(broker_url=args.redis_url, database_url=args.database_url,
                             private_root=tmp / "private", media_root=tmp / "media",
                             log_path=tmp / f"throughput-{mode}.log", name=f"bench-{mode}",
                             env={"INFERENCE_BATCH_SIZE": str(size),
                                  "INFERENCE_TASK_MAX_BATCHES": str(per_task)}).start()
        try:
            warm = save_entries(person, photos[:2])
            wait_all_final(warm, 120)
            burst = [photos[i % len(photos)] for i in range(args.jobs)]
            log(f"throughput: {args.jobs} jobs, {mode} (batch size {size})")
            started = time.perf_counter()
            entry_ids = save_entries(person, burst, at_once=True)
            committed = time.perf_counter()
            if not wait_all_final(entry_ids, 600):
                raise TimeoutError(f"{mode}: the burst was not drained in 10 minutes")
            drained = time.perf_counter()
        finally:
            worker.stop()
        counts = tally(entry_ids, [worker.log()])
        batches = _batch_sizes(worker.log())
        results[mode] = {
            "batch_size": size,
            "batches_per_task": per_task,
            "jobs_per_s": round(args.jobs / (drained - committed), 2),
            "drain_s": round(drained - committed, 2),
            "save_s": round(committed - started, 2),
            "mean_batch": round(statistics.mean(batches), 2) if batches else None,
            "lost": counts["lost"],
            "duplicated": counts["duplicated"],
        }
    results["speedup"] = round(results["batched"]["jobs_per_s"] / results["one_per_task"]["jobs_per_s"], 2)
    results["target_speedup"] = 3.0
    return results


def measure_recovery(args, tmp: Path, photos: list[bytes]) -> dict:
    from tests.inference import pipeline_fixtures as real

    person, _ = make_person()
    outcome = {}
    fast_recovery = {"INFERENCE_RECOVERY_INTERVAL": "1", "INFERENCE_PENDING_STALE_AFTER": "2",
                     "INFERENCE_BATCH_SIZE": "8", "INFERENCE_BATCH_MAX_WAIT": "0.5"}

    def worker(name: str, broker: str, **kwargs) -> real.Worker:
        return real.Worker(broker_url=broker, database_url=args.database_url, private_root=tmp / "private",
                           media_root=tmp / "media", log_path=tmp / f"{name}.log", name=name,
                           env=fast_recovery, **kwargs).start()

    # 1. SIGKILL mid-batch, then a new worker.
    real.redis_flush(args.redis_url)
    doomed = worker("bench-doomed", args.redis_url)
    entry_ids = save_entries(person, photos[:40])
    from inference.models import AnalysisJob

    real.wait_for(lambda: AnalysisJob.objects.filter(entry_id__in=entry_ids, status="running").exists(), 60,
                  interval=0.01, what="a running batch")
    held = AnalysisJob.objects.filter(entry_id__in=entry_ids, status="running").count()
    doomed.kill()
    rescuer = worker("bench-rescuer", args.redis_url)
    wait_all_final(entry_ids, 120)
    rescuer.stop()
    outcome["worker_sigkill"] = {**tally(entry_ids, [doomed.log(), rescuer.log()]), "running_when_killed": held}
    log(f"recovery: SIGKILL {outcome['worker_sigkill']}")

    # 2 and 3 on a private redis-server that we stop and start.
    redis = real.PrivateRedis(tmp / "redis")
    if redis.binary is None:
        outcome["redis"] = "skipped: redis-server is not installed"
        return outcome
    from moodsite.celery import app

    def use_broker(url: str) -> None:
        os.environ["CELERY_BROKER_URL"] = url  # Celery reads it before its own settings
        app.conf.broker_url = url
        real.broker_connections_reset(app)

    redis.start()
    use_broker(redis.url)
    try:
        # 2. Redis down while people save entries.
        patient = worker("bench-patient", redis.url, beat=True)
        redis.stop()
        started = time.perf_counter()
        entry_ids = save_entries(person, photos[:20])
        save_s = time.perf_counter() - started
        still_pending = sum(1 for s in statuses(entry_ids).values() if s == "pending")
        redis.start()
        use_broker(redis.url)
        wait_all_final(entry_ids, 120)
        patient.stop()
        outcome["redis_down_while_saving"] = {**tally(entry_ids, [patient.log()]),
                                              "pending_while_down": still_pending, "save_s": round(save_s, 2)}
        log(f"recovery: Redis down {outcome['redis_down_while_saving']}")

        # 3. Redis restarts (no persistence) with messages queued and no worker running.
        entry_ids = save_entries(person, photos[:30])
        redis.stop()
        redis.start()
        use_broker(redis.url)
        late = worker("bench-late", redis.url, beat=True)
        wait_all_final(entry_ids, 120)
        late.stop()
        outcome["redis_restart_with_queued_messages"] = tally(entry_ids, [late.log()])
        log(f"recovery: Redis restart {outcome['redis_restart_with_queued_messages']}")
    finally:
        redis.stop()
        use_broker(args.redis_url)
    outcome["lost_total"] = sum(v["lost"] for v in outcome.values() if isinstance(v, dict))
    outcome["duplicated_total"] = sum(v["duplicated"] for v in outcome.values() if isinstance(v, dict))
    return outcome


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="moodsite-bench-pipeline-"))
    prepare_environment(args, tmp)
    report: dict = {"benchmark": "pipeline", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                         "load_average_1m": os.getloadavg()[0]}}
    if reason := skip_reason(args):
        report["skipped"] = reason
        print(json.dumps(report))
        return
    create_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from inference import runtime
    from tests.inference import pipeline_fixtures as real

    report["model"] = runtime.model_info()["version"]
    log("picking face photos")
    photos = real.face_photos(60, size=256)
    real.redis_flush(args.redis_url)
    report["photos"] = "FER2013 PrivateTest faces upscaled to 256x256 JPEG"
    if args.storage == "compare":
        report["storage"] = measure_storage(args, tmp, photos)
        report["machine"]["load_average_1m_end"] = os.getloadavg()[0]
        real.redis_flush(args.redis_url)
        print(json.dumps(report))
        return
    storage, server = s3_for_bench(tmp) if args.storage == "s3" else (None, None)
    try:
        report["latency"] = measure_latency(args, tmp, photos, storage=storage)
        report["latency"].pop("_latencies")
    finally:
        if server is not None:
            server.stop()
    log(f"latency: {report['latency']}")
    report["throughput"] = measure_throughput(args, tmp, photos)
    log(f"throughput: {report['throughput']}")
    if not args.skip_recovery:
        report["recovery"] = measure_recovery(args, tmp, photos)
    report["machine"]["load_average_1m_end"] = os.getloadavg()[0]
    real.redis_flush(args.redis_url)
    print(json.dumps(report))


if __name__ == "__main__":
    threading.excepthook = lambda hook: log(f"thread failed: {hook.exc_value!r}")
    main()
