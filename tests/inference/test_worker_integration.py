"""The pipeline with real parts: a real Celery worker process, real Redis, the PostgreSQL test
database, the real face model and real face photos.

Skips (with the reason) when PostgreSQL, Redis, the face model or ../shared/datasets is missing,
so the embedded SQLite run passes; CI's second run has them all.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from diary import services as diary_services
from diary.models import Entry
from diary.photos import clean_photo
from inference.models import AnalysisJob, AnalysisResult
from tests.conftest import verified
from tests.factories import UserFactory
from tests.inference import pipeline_fixtures as real

pytestmark = [pytest.mark.integration, pytest.mark.dataset]

Status = AnalysisJob.Status


def _skip_reason() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: the worker process must share the test database (set DATABASE_URL)"
    base = settings.CELERY_BROKER_URL or settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    if reason := real.redis_reachable(real.redis_url_for_tests(base)):
        return reason
    if reason := real.face_photos_missing():
        return reason
    try:
        from inference import runtime

        runtime.read_metadata()
    except Exception as error:
        return f"the face model is not installed: {error}"
    return None


@pytest.fixture(scope="module")
def photos():
    return real.face_photos(50)


@pytest.fixture
def live(transactional_db, tmp_path):
    """Everything a test needs to run the pipeline for real; stops what it started."""
    if reason := _skip_reason():
        pytest.skip(reason)
    from moodsite.celery import app

    base = settings.CELERY_BROKER_URL or settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    env = Env(tmp_path)
    env.use_broker(real.redis_url_for_tests(base))
    real.redis_flush(env.broker_url)
    try:
        yield env
    finally:
        env.close()
        app.conf.update(saved)
        _reset_producer_pool(app)


def _reset_producer_pool(app) -> None:
    # Connections made for one broker must not be reused for another (or after it restarted).
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


class Env:
    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.workers: list[real.Worker] = []
        self.redis: real.PrivateRedis | None = None
        self.broker_url = ""
        self.person = verified(UserFactory())

    def use_broker(self, url: str) -> None:
        from moodsite.celery import app

        self.broker_url = url
        app.conf.update(task_always_eager=False, broker_url=url)
        _reset_producer_pool(app)

    def worker(self, name: str, **kwargs) -> real.Worker:
        worker = real.Worker(
            broker_url=self.broker_url, database_url=real.database_url(connection.settings_dict),
            private_root=Path(settings.PRIVATE_MEDIA_ROOT), media_root=Path(settings.MEDIA_ROOT),
            log_path=self.tmp / f"{name}.log", name=name, **kwargs,
        )
        self.workers.append(worker)
        return worker.start()

    def logs(self) -> list[str]:
        return [worker.log() for worker in self.workers]

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        if self.redis is not None:
            self.redis.stop()
        connections.close_all()


def save_entries(person, photos: list[bytes], *, threads: int = 10) -> list[int]:
    """People saving entries with photos at the same time, through the diary's service."""
    def save(data: bytes) -> int:
        try:
            upload = SimpleUploadedFile("selfie.jpg", data, content_type="image/jpeg")
            return diary_services.entry_create(owner=person, text="", photo=clean_photo(upload)).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(save, photos))


def all_final(entry_ids: list[int]) -> bool:
    statuses = list(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("status", flat=True))
    return len(statuses) == len(entry_ids) and all(s in AnalysisJob.FINAL_STATUSES for s in statuses)


def assert_each_done_exactly_once(env: Env, entry_ids: list[int]) -> None:
    jobs = list(AnalysisJob.objects.filter(entry_id__in=entry_ids))
    problems = [(j.entry_id, j.status, j.reason) for j in jobs if j.status != Status.DONE]
    assert len(jobs) == len(entry_ids) and not problems, problems
    per_entry = {eid: AnalysisResult.objects.filter(entry_id=eid).count() for eid in entry_ids}
    assert set(per_entry.values()) == {1}
    assert all(Entry.objects.filter(pk__in=entry_ids).values_list("ai_emotion", flat=True))
    # and no worker stored any job twice (read from their logs)
    stored = real.stored_counts(env.logs())
    assert {stored.get(j.pk) for j in jobs} == {1}, stored


def test_fifty_entries_saved_at_once_all_reach_done_with_one_result_each(live, photos):
    live.worker("w1")
    entry_ids = save_entries(live.person, photos[:50])
    real.wait_for(lambda: all_final(entry_ids), 90, interval=0.25, what="50 analyses")
    assert_each_done_exactly_once(live, entry_ids)
    # they were read in batches, not one by one
    batches = [int(n) for n in __import__("re").findall(r"'claimed': (\d+)", live.logs()[0])]
    assert max(batches) > 1


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(live, photos):
    # Given a worker that gathers batches of 8 (waiting up to half a second for them to fill)
    env = {"INFERENCE_BATCH_SIZE": "8", "INFERENCE_BATCH_MAX_WAIT": "0.5"}
    live.worker("doomed", env=env)
    entry_ids = save_entries(live.person, photos[:30])
    # when it is SIGKILLed while it holds a batch
    running = real.wait_for(
        lambda: AnalysisJob.objects.filter(entry_id__in=entry_ids, status=Status.RUNNING).count(), 60,
        interval=0.01, what="a batch to be running")
    live.workers[0].kill()
    assert running > 0
    held = AnalysisJob.objects.filter(entry_id__in=entry_ids, status=Status.RUNNING).count()
    assert held > 0  # the dead worker's jobs are stuck in running, for now
    # then a new worker takes them back and every job ends done exactly once
    live.worker("rescuer", env=env)
    real.wait_for(lambda: all_final(entry_ids), 90, interval=0.25, what="the rescue")
    assert_each_done_exactly_once(live, entry_ids)
    assert AnalysisJob.objects.filter(entry_id__in=entry_ids, attempts=2).count() >= held


def test_entries_saved_while_redis_is_down_wait_as_queued_and_complete_when_it_is_back(live, photos):
    # Given a worker (with beat, running the recovery every second) on a Redis of our own
    live.redis = real.PrivateRedis(live.tmp / "redis")
    if live.redis.binary is None:
        pytest.skip("redis-server is not installed here; cannot stop and restart a Redis")
    live.redis.start()
    live.use_broker(live.redis.url)
    live.worker("patient", beat=True,
                env={"INFERENCE_RECOVERY_INTERVAL": "1", "INFERENCE_PENDING_STALE_AFTER": "2"})
    # when Redis stops, and people save entries
    live.redis.stop()
    started = time.monotonic()
    entry_ids = save_entries(live.person, photos[:10], threads=5)
    saving = time.monotonic() - started
    # then the entries are kept, pending, and saving did not hang
    assert Entry.objects.filter(pk__in=entry_ids).count() == 10
    statuses = set(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("status", flat=True))
    assert statuses == {Status.PENDING}
    assert saving < 20
    # and the person sees "queued"
    client = Client()
    client.force_login(live.person)
    page = client.get(f"/diary/{entry_ids[0]}/").content.decode()
    assert "Queued" in page and "updates by itself" in page
    # when Redis is back, every entry completes, once
    live.redis.start()
    _reset_producer_pool(__import__("moodsite.celery", fromlist=["app"]).app)
    real.wait_for(lambda: all_final(entry_ids), 120, interval=0.5, what="the analyses after Redis came back")
    assert_each_done_exactly_once(live, entry_ids)


def test_a_job_whose_photo_vanished_fails_readably_and_does_not_block_the_others(live, photos):
    # Given six entries queued while no worker runs, one of whose photo file then vanishes
    entry_ids = save_entries(live.person, photos[:6], threads=1)
    lost = Entry.objects.get(pk=entry_ids[2])
    lost.photo.storage.delete(lost.photo.name)
    # when a worker comes
    live.worker("w-vanished")
    real.wait_for(lambda: all_final(entry_ids), 60, interval=0.25, what="six analyses")
    # then that one failed with a sentence, and the other five are done
    failed = AnalysisJob.objects.get(entry_id=lost.pk)
    assert failed.status == Status.FAILED
    assert failed.reason.startswith("The photo for this entry could not be found.")
    others = [eid for eid in entry_ids if eid != lost.pk]
    assert_each_done_exactly_once(live, others)
