"""Saving an entry on the embedded defaults: how long the POST takes, and how long until the
reading is there, for the two ways of running tasks without a broker server.

  eager         tasks run inside the request (CELERY_TASK_ALWAYS_EAGER=true; before issue 22)
  local-broker  the default now: the POST puts the task in kombu's filesystem queue under
                var/broker and a Celery worker (as `make run` starts it) reads it

Each mode gets a fresh var/ folder (SQLite file, media, queue). A real face photo (FER2013 via
../shared/datasets, or a drawn one) and a sentence are posted through Django's test client, as the
entry form sends them; the time to the reading is measured by polling the page's status endpoint
as the browser does.

    .venv/bin/python bench/local_broker.py --entries 5

Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def photo_bytes() -> bytes:
    try:
        from tests.inference.pipeline_fixtures import face_photos, face_photos_missing

        if face_photos_missing() is None:
            return face_photos(1)[0]
    except Exception:  # noqa: BLE001, S110 - the drawn photo below is the fallback
        pass
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (192, 192), (220, 180, 150))
    draw = ImageDraw.Draw(image)
    draw.ellipse([40, 30, 152, 170], fill=(235, 200, 170))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


def run_mode(mode: str, entries: int, var_dir: Path) -> dict:
    """Runs in a child process (settings are read once per process)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}}
    env.update(MOODSITE_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="moodsite.settings", OMP_NUM_THREADS="1",
               CELERY_TASK_ALWAYS_EAGER="true" if mode == "eager" else "false")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    worker = None
    if mode == "local-broker":
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "moodsite", "worker", "-Q", "default,inference",
             "--concurrency=1", "--loglevel=warning", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    try:
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--entries", str(entries)],
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(mode: str, entries: int) -> None:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User

    user = User.objects.create_user("bench@example.org", "a long bench password")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    photo = photo_bytes()
    posts, readings = [], []
    for number in range(entries):
        started = time.perf_counter()
        response = client.post("/diary/new/", {
            "day": f"2026-01-{number + 1:02d}", "text": "오늘은 손주가 와서 정말 기뻤어요. A lovely day.",
            "self_mood": "", "photo": SimpleUploadedFile("me.jpg", photo, content_type="image/jpeg"),
        })
        posts.append(time.perf_counter() - started)
        assert response.status_code == 302, response.content[:300]
        entry_id = int(response["Location"].rstrip("/").split("/")[-1])
        deadline = started + 120
        while True:
            status = client.get(f"/analysis/entries/{entry_id}/status/").json()["status"]
            if status not in {"pending", "running"} or time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        readings.append(time.perf_counter() - started)
        assert status in {"done", "no_face"}, status
    # The first entry after start-up pays the imports and the model load (in the request, or in
    # the worker); the others show the steady state.
    print(json.dumps({
        "first_post_s": round(posts[0], 3), "first_reading_s": round(readings[0], 3),
        "post_s_median": round(statistics.median(posts[1:]), 3), "post_s_max": round(max(posts[1:]), 3),
        "reading_s_median": round(statistics.median(readings[1:]), 3),
    }))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=6, help="entries per mode (the first is the cold start)")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.entries)
        return
    results = {}
    for mode in ("eager", "local-broker"):
        with tempfile.TemporaryDirectory(prefix=f"moodsite-bench-{mode}-") as var_dir:
            results[mode] = run_mode(mode, args.entries, Path(var_dir))
    print(json.dumps({"bench": "local_broker", "entries": args.entries, **results}))


if __name__ == "__main__":
    main()
