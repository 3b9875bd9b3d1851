"""The owner fetching a photo through the owner-checked view, photos in an S3 store vs on the local
disk, same run (issue 18: S3 p95 <= 50 ms).

    .venv/bin/python bench/photo_fetch.py [--photos 50] [--fetches 400] [--database-url URL]

In this process, with Django's test client: the whole request (middleware, the session and the
owner check, the read from storage, streaming the bytes). Reports wall time and this process's CPU
time per fetch: on a shared machine wall time also counts waiting for a CPU (and the store's own
process waits for one too). The S3 store is the environment's (S3_* variables) or a SeaweedFS
started here (tests/s3_server.py) with SSE-S3 on. Database: SQLite in a temporary folder unless
--database-url names a PostgreSQL database (created if missing, emptied each run).
Progress goes to stderr; one JSON object is the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[photo fetch bench] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def fetch_timings(client, ids: list[int], fetches: int) -> dict:
    walls, cpus = [], []
    for i in range(fetches):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/diary/{ids[i % len(ids)]}/photo/")
        body = b"".join(response.streaming_content)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200 and body[:2] == b"\xff\xd8"
    return {
        "fetches": fetches,
        "wall_p50_ms": round(1000 * statistics.median(walls), 2),
        "wall_p95_ms": round(1000 * percentile(walls, 0.95), 2),
        "wall_max_ms": round(1000 * max(walls), 2),
        "cpu_p50_ms": round(1000 * statistics.median(cpus), 2),
        "cpu_p95_ms": round(1000 * percentile(cpus, 0.95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--fetches", type=int, default=400)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="moodsite-bench-photo-fetch-"))
    report: dict = {"benchmark": "photo_fetch", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                            "load_average_1m": os.getloadavg()[0]}}
    server = None
    if not os.environ.get("S3_BUCKET"):
        from tests.s3_server import S3Unavailable, SeaweedS3

        try:
            server = SeaweedS3(tmp / "s3").start()
        except S3Unavailable as error:
            report["skipped"] = str(error)
            print(json.dumps(report))
            return
        os.environ.update(server.env())
    os.environ.update({"DJANGO_SETTINGS_MODULE": "moodsite.settings", "MOODSITE_VAR_DIR": str(tmp / "var"),
                       "PRIVATE_MEDIA_ROOT": str(tmp / "private"), "CELERY_BROKER_URL": "", "REDIS_URL": "",
                       "S3_PREFIX": f"bench-{os.getpid()}/"})
    if args.database_url:
        sys.path.insert(0, str(ROOT / "bench"))
        import pipeline

        pipeline.create_database(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        import django

        django.setup()
        from django.core.files.storage import FileSystemStorage
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment
        from PIL import Image

        from diary import services
        from diary.models import Entry
        from diary.photos import clean_photo
        from diary.storage import private_storage
        from tests.factories import UserFactory

        setup_test_environment()  # ALLOWED_HOSTS gets "testserver"; nothing else changes
        call_command("migrate", verbosity=0)
        report["database"] = connection.vendor
        person = UserFactory()
        client = Client()
        client.force_login(person)

        def selfies() -> list[int]:
            import io
            import random

            rng = random.Random(7)
            ids = []
            for _ in range(args.photos):
                image = Image.effect_noise((640, 480), 40).convert("RGB")
                shifts = [rng.randint(40, 200) for _ in range(3)]
                image = Image.merge("RGB", [band.point(lambda v, k=k: (v + k) % 256)
                                            for band, k in zip(image.split(), shifts, strict=True)])
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=90)
                upload = SimpleUploadedFile("selfie.jpg", buffer.getvalue(), content_type="image/jpeg")
                ids.append(services.entry_create(owner=person, photo=clean_photo(upload)).pk)
            return ids

        fields = [Entry._meta.get_field("photo"), Entry._meta.get_field("thumbnail")]
        s3 = private_storage()
        report["store"] = ("SeaweedFS 4.48 (weed server -s3) on 127.0.0.1, SSE-S3 on" if server
                           else os.environ.get("S3_ENDPOINT_URL", "AWS"))
        log(f"S3: storing {args.photos} photos")
        ids = selfies()
        sizes = [s3.size(e.photo.name) for e in Entry.objects.filter(pk__in=ids)]
        report["photo_kb_mean"] = round(statistics.mean(sizes) / 1024, 1)
        fetch_timings(client, ids, 20)  # warm: the boto3 client and its connection
        log(f"S3: {args.fetches} fetches")
        report["s3"] = fetch_timings(client, ids, args.fetches)
        log(f"S3: {report['s3']}")
        local = FileSystemStorage(location=str(tmp / "private"), base_url=None)
        for field in fields:
            field.storage = local
        log(f"local: storing {args.photos} photos")
        ids = selfies()
        fetch_timings(client, ids, 20)
        log(f"local: {args.fetches} fetches")
        report["local"] = fetch_timings(client, ids, args.fetches)
        log(f"local: {report['local']}")
        report["s3_minus_local_p50_ms"] = round(report["s3"]["wall_p50_ms"] - report["local"]["wall_p50_ms"], 2)
        report["target"] = {"s3_wall_p95_ms": 50}
    finally:
        if server is not None:
            server.stop()
    report["machine"]["load_average_1m_end"] = os.getloadavg()[0]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
