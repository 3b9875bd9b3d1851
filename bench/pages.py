"""Pages under load (issue 19): the tracker and the caseworker dashboard against the static baseline.

    .venv/bin/python bench/pages.py      # BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_SECONDS, BENCH_PAGES to change

Set-up as in the issue: gunicorn -w 3 on a free port, DEBUG off, PostgreSQL (its own database,
BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/h19_bench, created and dropped),
the cache on Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10), wrk with real session
cookies and `Accept-Encoding: gzip`, BENCH_SECONDS (10) per run, one connection (c1) and 16 (c16).
Data: 1,300 clients with 730 days of near-daily entries (bench/welfare.py's fill); caseworker 0
has 300 of them, caseworker 1 the other 1,000; the member is client 0 (two years).
The static CSS file (whitenoise) is measured in the same run, as the baseline.

Progress goes to stderr; one JSON object is the last line of stdout.
"""

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h19_bench")
os.environ["BENCH_DASHBOARD_CLIENTS"] = "300"
os.environ["BENCH_EVALUATION_CLIENTS"] = "1300"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# BENCH_PAGES=tracker_year,year_in_pixels measures only those (and the static baseline).
ONLY = {name for name in os.environ.get("BENCH_PAGES", "").split(",") if name}

# bench/welfare.py's database and fill helpers, loaded under another name than the welfare app.
# Loading it sets DATABASE_URL to BENCH_DATABASE_URL.
_spec = importlib.util.spec_from_file_location("welfare_bench", ROOT / "bench" / "welfare.py")
fill_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fill_bench)

os.environ["REDIS_URL"] = REDIS  # bench/welfare.py takes it out; this benchmark wants the shared cache
os.environ.pop("CELERY_BROKER_URL", None)
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
# The sessions made here must verify in gunicorn: one secret key for both.
os.environ["SECRET_KEY"] = "bench-pages-" + "k" * 60


def log(message: str) -> None:
    print(f"[pages bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sessions(member_email: str, caseworkers: list[str]) -> dict[str, str]:
    """Session cookies: the member's (password sign-in), each caseworker's with a real TOTP code."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
    from django.test import Client

    from accounts.models import User

    cookies = {}
    member = Client()
    member.force_login(User.objects.get(email=member_email))
    cookies["member"] = member.cookies["sessionid"].value
    for email in caseworkers:
        user = User.objects.get(email=email)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        http = Client()
        http.force_login(user)
        for _attempt in range(3):  # a code from the very end of a 30-second period may be refused
            code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
            if http.post("/accounts/2fa/reauthenticate/", {"code": code}).status_code == 302:
                break
            time.sleep(1)
        cookies[email] = http.cookies["sessionid"].value
    return cookies


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to sign-in) is an answer to report, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, cookie: str, gzip: bool) -> tuple[int, int]:
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    try:
        with _opener.open(urllib.request.Request(url, headers=headers)) as response:  # noqa: S310 - our server
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def wrk(url: str, cookie: str, connections: int) -> dict:
    threads = 1 if connections == 1 else 2
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency",
               "-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench/pages.py needs wrk, the HTTP load generator: apt-get install wrk (Debian), then run it again.")
    report: dict = {"benchmark": "pages", "seconds_per_run": SECONDS,
                    "machine": {"cpus": os.cpu_count(), "load_average_1m_before": round(os.getloadavg()[0], 2)}}
    fill_bench.create_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from diary.services import today_for
    from welfare.models import AccessLog, Consent

    call_command("migrate", verbosity=0)
    from django.core.cache import cache

    cache.clear()  # this benchmark's own Redis database: keys from an earlier run name the same ids
    log("filling 1,300 clients x 730 days")
    today = timezone.localdate()
    report["entries"] = fill_bench.fill(today)
    User.objects.filter(email__startswith="bench-").update(is_active=True)
    cw0, cw1 = "bench-cw0@example.com", "bench-cw1@example.com"
    Consent.objects.exclude(caseworker__email=cw0).update(caseworker=User.objects.get(email=cw1))
    fill_bench.vacuum()
    member = "bench-0@example.com"
    cookies = sessions(member, [cw0, cw1])
    static_root = Path(tempfile.mkdtemp(prefix="moodsite-bench-static-"))
    env = dict(os.environ, DEBUG="0", ALLOWED_HOSTS="127.0.0.1",
               SECURE_SSL_REDIRECT="0", MOODSITE_VAR_DIR=str(static_root), LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "moodsite.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    year = today_for(User.objects.get(email=member)).year
    pages = {
        "static_css": (f"{base}/static/css/site.css", ""),
        "diary": (f"{base}/diary/", cookies["member"]),
        "tracker_year": (f"{base}/tracker/?range=year", cookies["member"]),
        "year_in_pixels": (f"{base}/tracker/pixels/?year={year}", cookies["member"]),
        "dashboard_300": (f"{base}/welfare/dashboard/", cookies[cw0]),
        "dashboard_1000": (f"{base}/welfare/dashboard/", cookies[cw1]),
    }
    if ONLY:
        pages = {name: page for name, page in pages.items() if name in ONLY or name == "static_css"}
    try:
        for _attempt in range(60):
            try:
                fetch(f"{base}/health/", "", False)
                break
            except OSError:
                time.sleep(0.5)
        results = {}
        for name, (url, cookie) in pages.items():
            status, plain = fetch(url, cookie, gzip=False)
            assert status == 200, (name, status)
            _status, compressed = fetch(url, cookie, gzip=True)
            results[name] = {"html_bytes": plain, "gzip_bytes": compressed}
            if name in ("tracker_year", "year_in_pixels"):
                # The first look after a change (the cache has nothing for the new version).
                cold = []
                for _ in range(5):
                    User.objects.filter(email=member).update(mood_version=time.time_ns() % 2_000_000_000)
                    started = time.perf_counter()
                    fetch(url, cookie, gzip=True)
                    cold.append((time.perf_counter() - started) * 1000)
                results[name]["uncached_ms_median_of_5"] = round(sorted(cold)[2], 1)
            for connections in (1, 16):
                log(f"{name} c{connections}")
                before = AccessLog.objects.count()
                run = wrk(url, cookie, connections)
                if name.startswith("dashboard"):
                    run["access_rows"] = AccessLog.objects.count() - before
                    run["access_rows_per_view"] = round(run["access_rows"] / run["requests"], 3)
                results[name][f"c{connections}"] = run
        report["pages"] = results
    finally:
        server.terminate()
        server.wait(timeout=30)
        fill_bench.drop_database()
    measured = report["pages"]
    static = measured["static_css"]["c1"]["p50_ms"]
    targets = {}
    if "tracker_year" in measured:
        tracker = measured["tracker_year"]
        targets.update(tracker_year_c1_p50_le_20ms=tracker["c1"]["p50_ms"] <= 20,
                       tracker_year_c1_p50_over_static=round(tracker["c1"]["p50_ms"] / static, 1),
                       tracker_c16_ge_80_req_s=tracker["c16"]["req_per_s"] >= 80)
    for name in ("dashboard_300", "dashboard_1000"):
        if name in measured:
            targets[f"{name}_c1_p50_le_25ms"] = measured[name]["c1"]["p50_ms"] <= 25
    if "year_in_pixels" in measured:
        targets["pixels_c1_p99_le_60ms"] = measured["year_in_pixels"]["c1"]["p99_ms"] <= 60
    if "dashboard_300" in measured:
        # One row per view: wrk counts the requests that finished within its time, the log also
        # has the rows of those still running when it stopped (at most one per connection).
        c1 = measured["dashboard_300"]["c1"]
        targets["access_rows_per_dashboard_view_is_1"] = 0 <= c1["access_rows"] - c1["requests"] <= 1
    targets["html_under_60kb"] = {name: measured[name]["html_bytes"] < 60_000
                                  for name in ("tracker_year", "dashboard_300", "dashboard_1000") if name in measured}
    report["targets"] = targets
    report["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
