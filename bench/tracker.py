"""Mood tracker benchmark: the summary endpoint for a person with 5 years of daily entries.

    .venv/bin/python bench/tracker.py                 # SQLite, then PostgreSQL when it answers
    BENCH_BACKENDS=sqlite .venv/bin/python bench/tracker.py

Each backend runs in its own process against its own throwaway database: a temporary SQLite
file, and a PostgreSQL database named moodsite_bench_tracker on the server of
BENCH_POSTGRES_URL (default: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test), created
and dropped here. The person gets an entry on ~95% of 1,826 days (some days two), ~70% of them
with an automatic reading.

Targets (issue 6): summary endpoint, any range, 95th percentile ≤ 100 ms on SQLite and on
PostgreSQL; queries per tracker page constant and ≤ 8 whatever the number of entries.
Progress goes to stderr; one JSON object is the last line of stdout.
"""

import datetime
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = 5
REQUESTS_PER_KIND = int(os.environ.get("BENCH_REQUESTS", "40"))
WARMUP = 5
P95_TARGET_MS = 100.0
QUERY_TARGET = 8
BENCH_DB_NAME = "moodsite_bench_tracker"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "").strip() \
        or "postgres://postgres@127.0.0.1:5432/test"


def with_path(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


# --- the child: one backend --------------------------------------------------------------------


def child(backend: str) -> dict:
    if backend == "sqlite":
        handle, path = tempfile.mkstemp(prefix="moodsite-bench-tracker-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        admin = psycopg.connect(with_path(postgres_url(), "postgres"), autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DB_NAME}"')
        os.environ["DATABASE_URL"] = with_path(postgres_url(), BENCH_DB_NAME)
    # Production-like: DEBUG off (no query log kept in memory), plain HTTP for the in-process client.
    os.environ.update(DJANGO_SETTINGS_MODULE="moodsite.settings", DEBUG="false", SECURE_SSL_REDIRECT="false",
                      SECRET_KEY=secrets.token_urlsafe(40), ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    try:
        log(f"[{backend}] migrating")
        call_command("migrate", verbosity=0, interactive=False)
        setup_test_environment()
        import moodsite.wsgi  # noqa: F401 - set the process up as gunicorn's workers are (gc.freeze)
        # Templates name static files; the manifest storage would want collectstatic first.
        with override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
            return measure(backend, connection.vendor)
    finally:
        from django.db import connections

        connections.close_all()
        if backend == "sqlite":
            os.unlink(path)
        else:
            import psycopg

            admin = psycopg.connect(with_path(postgres_url(), "postgres"), autocommit=True)
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB_NAME}" WITH (FORCE)')


def fill(person, today: datetime.date, rng: random.Random) -> int:
    from diary.models import Entry
    from moodsite.emotions import CIRCUMPLEX, EMOTIONS

    first = today - datetime.timedelta(days=365 * YEARS)
    rows = []
    day = first
    while day <= today:
        if rng.random() < 0.95:
            for _ in range(2 if rng.random() < 0.1 else 1):
                own = rng.choice(EMOTIONS + ("",))
                ai = rng.choice(EMOTIONS) if rng.random() < 0.7 else ""
                rows.append(Entry(
                    owner=person, day=day, text="A day.", self_mood=own, ai_emotion=ai,
                    ai_probabilities={ai: 1.0} if ai else None,
                    ai_valence=CIRCUMPLEX[ai][0] if ai else None, ai_arousal=CIRCUMPLEX[ai][1] if ai else None,
                    ai_confidence=0.8 if ai else None,
                ))
        day += datetime.timedelta(days=1)
    Entry.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def measure(backend: str, vendor: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from diary.services import today_for
    from tests.diary.tracker_fixtures import add

    rng = random.Random(6)
    person = User.objects.create_user("bench-tracker@example.com", "bench-password-42", time_zone="Asia/Seoul")
    newcomer = User.objects.create_user("bench-newcomer@example.com", "bench-password-42")
    today = today_for(person)
    entries = fill(person, today, rng)
    add(newcomer, today_for(newcomer), self_mood="happy")
    if vendor == "postgresql":
        connection.cursor().execute("ANALYZE")
    log(f"[{backend}] {entries} entries over {YEARS} years; measuring")

    client = Client()
    client.force_login(person)
    first_day = today - datetime.timedelta(days=365 * YEARS)

    def window(days: int) -> tuple[datetime.date, datetime.date]:
        end = first_day + datetime.timedelta(days=rng.randrange(days - 1, (today - first_day).days + 1))
        return end - datetime.timedelta(days=days - 1), end

    kinds = {
        "week": lambda: window(7), "month": lambda: window(31), "quarter": lambda: window(92),
        "year": lambda: window(366), "five_years": lambda: (first_day, today),
        "random": lambda: window(rng.randint(1, (today - first_day).days + 1)),
    }
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    load_before = os.getloadavg()[0]
    for kind, pick in kinds.items():
        samples, cpu_samples = [], []
        for i in range(WARMUP + REQUESTS_PER_KIND):
            start, end = pick()
            params = {"from": start.isoformat(), "to": end.isoformat(),
                      "granularity": rng.choice(["day", "week", "month"])}
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get("/api/v1/mood/summary/", params)
            elapsed = (time.perf_counter() - began) * 1000
            elapsed_cpu = (time.process_time() - began_cpu) * 1000
            assert response.status_code == 200, response.content[:300]
            if i >= WARMUP:
                samples.append(elapsed)
                cpu_samples.append(elapsed_cpu)
        timings[kind] = samples
        cpu[kind] = cpu_samples

    def stats(samples: list[float]) -> dict:
        ordered = sorted(samples)
        return {"n": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
                "p95_ms": round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)], 1),
                "max_ms": round(ordered[-1], 1)}

    every = [t for samples in timings.values() for t in samples]
    pages = {
        "overview_month": "/tracker/",
        "overview_year_by_week": "/tracker/?range=year&granularity=week",
        "overview_5_years_by_month": f"/tracker/?range=custom&from={first_day.isoformat()}&granularity=month",
        "pixels": "/tracker/pixels/",
        "report_year": "/tracker/report/?range=year",
        "summary_api_5_years": f"/api/v1/mood/summary/?from={first_day.isoformat()}&granularity=week",
    }
    queries = {}
    for name, url in pages.items():
        counts = {}
        for label, who in (("1_entry", newcomer), (f"{entries}_entries", person)):
            c = Client()
            c.force_login(who)
            with CaptureQueriesContext(connection) as captured:
                response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[label] = len(captured.captured_queries)
        queries[name] = counts
    most = max(n for counts in queries.values() for n in counts.values())
    constant = all(len(set(counts.values())) == 1 for counts in queries.values())
    summary = {kind: stats(samples) for kind, samples in timings.items()}
    summary["all"] = stats(every)
    # Time this process spent on the CPU (Django and the SQLite engine; PostgreSQL's own work
    # is in another process): a reference that other programs on the machine do not inflate.
    for kind, samples in cpu.items():
        summary[kind]["cpu_p50_ms"] = stats(samples)["p50_ms"]
        summary[kind]["cpu_p95_ms"] = stats(samples)["p95_ms"]
    worst_p95 = max(s["p95_ms"] for s in summary.values())
    return {
        "vendor": vendor, "entries": entries, "years": YEARS, "summary_endpoint": summary,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)], "cpus": os.cpu_count(),
        "worst_p95_ms": worst_p95, "queries_per_page": queries, "max_queries": most,
        "queries_constant": constant,
        "pass": worst_p95 <= P95_TARGET_MS and most <= QUERY_TARGET and constant,
    }


# --- the parent: one child per backend ---------------------------------------------------------


def postgres_reachable() -> str | None:
    try:
        import psycopg

        psycopg.connect(with_path(postgres_url(), "postgres"), connect_timeout=3).close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not available here"
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        return 0
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    results: dict = {}
    for backend in backends:
        if backend == "postgresql" and (reason := postgres_reachable()):
            log(f"[postgresql] skipped: {reason}")
            results[backend] = {"skipped": reason}
            continue
        began = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", backend], capture_output=True, text=True,
                              cwd=ROOT, check=False)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            results[backend] = {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
            continue
        results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
        results[backend]["wall_s"] = round(time.perf_counter() - began, 1)
        r = results[backend]
        log(f"[{backend}] summary p95 worst {r['worst_p95_ms']} ms (all: {r['summary_endpoint']['all']}); "
            f"queries per page max {r['max_queries']}, constant: {r['queries_constant']}")
    measured = [r for r in results.values() if "pass" in r]
    report = {
        "bench": "tracker",
        "targets": {"summary_p95_ms": P95_TARGET_MS, "queries_per_page": QUERY_TARGET},
        "backends": results,
        "pass": bool(measured) and all(r["pass"] for r in measured) and not any("error" in r for r in results.values()),
    }
    print(json.dumps(report))
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
