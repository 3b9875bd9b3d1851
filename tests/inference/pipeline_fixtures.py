"""Real services for the pipeline's integration tests and benchmark: a Celery worker process, the
web app under gunicorn, a private Redis server that can be stopped and started, and face photos
from ../shared/datasets.

Used by tests/inference/test_worker_integration.py, tests/inference/test_split_deployment.py and
bench/pipeline.py.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
DATASETS = Path(os.environ.get("MOODSITE_DATASETS") or ROOT.parent / "shared" / "datasets")
FER_TEST = DATASETS / "fer2013" / "test"
# A Redis database of its own, so a test never takes (or flushes) anyone else's messages.
TEST_REDIS_DB = int(os.environ.get("INFERENCE_TEST_REDIS_DB", "13"))


def wait_for(condition: Callable[[], object], timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --- Redis ---------------------------------------------------------------------------------------


def redis_url_for_tests(base: str | None) -> str:
    """The configured Redis, on the pipeline tests' own database number."""
    parts = urlsplit(base or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, f"/{TEST_REDIS_DB}", "", ""))


def redis_reachable(url: str) -> str | None:
    """None when Redis answers at `url`, else why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as error:
        return f"Redis at {url} is not reachable ({error})"
    return None


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


def broker_connections_reset(app) -> None:
    """Forget the Celery app's broker connections, so the next task goes to app.conf.broker_url on a
    fresh connection (after switching brokers, or after Redis restarted)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port, to stop and start without touching the shared one."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_reachable(self.url) is None, 10, what="the private Redis to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


# --- The database the worker must share ----------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


# --- The object store the processes must share ---------------------------------------------------


def storage_env() -> dict[str, str]:
    """The S3_* settings of this process (the test run's own prefix included), for a process that
    must see the same private files; {} when the private files are in the local folder."""
    from django.conf import settings

    if not settings.S3_BUCKET:
        return {}
    return {
        "S3_BUCKET": settings.S3_BUCKET,
        "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL,
        "S3_REGION": settings.S3_REGION,
        "S3_ACCESS_KEY_ID": settings.S3_ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": settings.S3_SECRET_ACCESS_KEY,
        "S3_PREFIX": settings.S3_PREFIX,
        "S3_SERVER_SIDE_ENCRYPTION": settings.S3_SERVER_SIDE_ENCRYPTION,
    }


def process_env(*, broker_url: str, database_url: str, private_root: Path, media_root: Path,
                env: dict | None = None) -> dict[str, str]:
    """The environment of a worker or web process started by a test: this process's own (less
    pytest's and Django's), the shared database, broker and object store, its own media folders."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "moodsite.settings",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": "",
        "PRIVATE_MEDIA_ROOT": str(private_root),
        "MEDIA_ROOT": str(media_root),
        **storage_env(),
        **(env or {}),
    }


def broker_url_for_tests() -> str:
    """The configured Redis (not the local folder queue of the embedded defaults), on the pipeline
    tests' own database number."""
    from django.conf import settings

    configured = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else ""
    return redis_url_for_tests(configured or settings.REDIS_URL or "redis://127.0.0.1:6379/0")


def skip_reason(*, who: str) -> str | None:
    """Why the tests that start real processes cannot run here (None when they can): `who` must
    share the PostgreSQL test database with the test."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"needs PostgreSQL: {who} must share the test database (set DATABASE_URL)"
    if reason := redis_reachable(broker_url_for_tests()):
        return reason
    if reason := face_photos_missing():
        return reason
    try:
        from inference import runtime

        runtime.read_metadata()
    except Exception as error:
        return f"the face model is not installed: {error}"
    return None


def stop_group(process: subprocess.Popen | None, *, grace: float) -> None:
    """SIGTERM a process group started with start_new_session; SIGKILL it after `grace` seconds."""
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


# --- A real worker -------------------------------------------------------------------------------


class Worker:
    """`celery -A moodsite worker -Q inference` in its own process group, logging to a file."""

    def __init__(self, *, broker_url: str, database_url: str, private_root: Path, media_root: Path,
                 log_path: Path, name: str, env: dict | None = None, beat: bool = False,
                 concurrency: int = 1):
        self.log_path = log_path
        self.name = name
        self.command = [str(CELERY), "-A", "moodsite", "worker", "-Q", "inference", "-n", f"{name}@%h",
                        "--concurrency", str(concurrency), "--loglevel", "INFO",
                        "--without-gossip", "--without-mingle"]
        if beat:
            self.command += ["-B", "--schedule", str(log_path.with_suffix(".beat"))]
        self.env = process_env(broker_url=broker_url, database_url=database_url, private_root=private_root,
                               media_root=media_root, env={
                                   "INFERENCE_DEVICE": os.environ.get("INFERENCE_DEVICE", "cpu"),
                                   "PYTHONUNBUFFERED": "1",
                                   **(env or {}),
                               })
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 90) -> Worker:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._ready, timeout, interval=0.2, what=f"worker {self.name} to be ready")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"worker {self.name} exited with {self.process.returncode}:\n{self.log()[-3000:]}")
        return " ready." in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._close()

    def stop(self) -> None:
        stop_group(self.process, grace=20)
        self._close()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class Web:
    """The web app under gunicorn on a free port, in its own process group, with its own settings
    (moodsite.settings from the environment, as on a web host) and its own media folders."""

    def __init__(self, *, broker_url: str, database_url: str, private_root: Path, media_root: Path,
                 log_path: Path, workers: int = 1, threads: int = 4, env: dict | None = None):
        self.port = free_port()
        self.log_path = log_path
        self.command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "moodsite.wsgi", "--workers", str(workers),
                        "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.env = process_env(broker_url=broker_url, database_url=database_url, private_root=private_root,
                               media_root=media_root,
                               env={"MOODSITE_VAR_DIR": str(log_path.parent / "web-var"), **(env or {})})
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Web:
        import urllib.request

        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it open
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n"
                                   f"{self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/health/", timeout=2).read()  # noqa: S310 - our own server
            except OSError:
                return False
            return True

        wait_for(up, timeout, interval=0.2, what="gunicorn to answer")
        return self

    def stop(self) -> None:
        stop_group(self.process, grace=15)
        self.process = None


def stored_counts(logs: list[str]) -> dict[int, int]:
    """How many times each job's result was stored, from the workers' logs."""
    import re

    counts: dict[int, int] = {}
    for text in logs:
        for match in re.finditer(r"analysis stored job=(\d+) ", text):
            job_id = int(match.group(1))
            counts[job_id] = counts.get(job_id, 0) + 1
    return counts


# --- Face photos ---------------------------------------------------------------------------------


def face_photos_missing() -> str | None:
    if not FER_TEST.is_dir():
        return f"face photos not found: {FER_TEST} is absent (../shared/datasets)"
    return None


def face_photos(n: int, *, size: int = 192) -> list[bytes]:
    """`n` JPEG photos of real faces (FER2013 PrivateTest, upscaled like a small selfie), picked
    across the seven classes among images in which the detector finds a face that the quality check
    (inference.face_quality) lets through once the photo is cleaned the way an upload is
    (re-encoded), so every one of them should end "done" with a reading."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from diary.photos import clean_photo
    from inference.face_quality import assess_face
    from inference.faces import find_faces
    from inference.runtime import detect_faces

    classes = sorted(p for p in FER_TEST.iterdir() if p.is_dir())
    files = {c.name: sorted(c.glob("PrivateTest_*.jpg")) for c in classes}
    photos: list[bytes] = []
    index = 0
    while len(photos) < n:
        progressed = False
        for name in files:
            if index < len(files[name]) and len(photos) < n:
                progressed = True
                image = Image.open(files[name][index]).convert("RGB").resize((size, size), Image.BICUBIC)
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=92)
                cleaned = clean_photo(SimpleUploadedFile("face.jpg", buffer.getvalue())).photo
                # the detector the worker uses (runtime.read_faces: MTCNN with landmarks)
                found = find_faces(Image.open(io.BytesIO(cleaned.read())), detector=detect_faces)
                if found.found and assess_face(found.crop, found.box, found.gray.shape[::-1],
                                               getattr(found, "hints", None)).readable:
                    photos.append(buffer.getvalue())
        if not progressed:
            raise RuntimeError(f"only {len(photos)} usable face photos in {FER_TEST}")
        index += 1
    return photos
