"""The pipeline with real parts: a real Celery worker process, real Redis, the PostgreSQL test
database, the real face model and real face photos.

Skips (with the reason) when PostgreSQL, Redis, the face model or ../shared/datasets is missing,
so the embedded SQLite run passes; CI's second run has them all.
"""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
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


@pytest.fixture(scope="module")
def photos(shared):
    # After `shared`, so its skip reasons (no PostgreSQL, Redis, datasets or model) come first.
    if reason := real.face_photos_missing():
        pytest.skip(reason)
    return real.face_photos(50)


class SharedWorker:
    """One worker kept for the whole module (loading the model is most of a worker's start-up),
    started on first use: the SIGKILL test's rescuer, then the other tests' worker."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.worker: real.Worker | None = None

    def get(self, broker_url: str) -> real.Worker:
        if self.worker is None:
            self.worker = worker_sharing_this_process(broker_url, self.tmp / "shared.log", "shared").start()
        return self.worker


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    if reason := _skip_reason_outside_a_test(django_db_blocker):
        pytest.skip(reason)
    real.redis_flush(real.broker_url_for_tests())
    holder = SharedWorker(tmp_path_factory.mktemp("shared-worker"))
    yield holder
    if holder.worker is not None:
        holder.worker.kill()


def _skip_reason_outside_a_test(django_db_blocker) -> str | None:
    with django_db_blocker.unblock():
        return real.skip_reason(who="the worker process")


def worker_sharing_this_process(broker_url: str, log_path: Path, name: str, **kwargs) -> real.Worker:
    """A worker on the test database and this process's media folders."""
    return real.Worker(broker_url=broker_url, database_url=real.database_url(connection.settings_dict),
                       private_root=Path(settings.PRIVATE_MEDIA_ROOT), media_root=Path(settings.MEDIA_ROOT),
                       log_path=log_path, name=name, **kwargs)


@pytest.fixture
def live(shared, transactional_db, tmp_path, monkeypatch):
    """Everything a test needs to run the pipeline for real; stops what it started."""
    from moodsite.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    env = Env(tmp_path, monkeypatch, shared)
    env.use_broker(real.broker_url_for_tests())
    try:
        yield env
    finally:
        env.close()
        app.conf.update(saved)
        _reset_producer_pool(app)


def _reset_producer_pool(app) -> None:
    real.broker_connections_reset(app)


class Env:
    def __init__(self, tmp_path: Path, monkeypatch, shared: SharedWorker):
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.shared = shared
        self.workers: list[real.Worker] = []
        self.redis: real.PrivateRedis | None = None
        self.broker_url = ""
        self.person = verified(UserFactory())

    def use_broker(self, url: str) -> None:
        from moodsite.celery import app

        self.broker_url = url
        # Celery reads CELERY_BROKER_URL from the environment before its own settings.
        self.monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.update(task_always_eager=False, broker_url=url)
        _reset_producer_pool(app)

    def use_private_redis(self, *, why: str) -> None:
        """Start a redis-server of this test's own and send tasks there (skips without one)."""
        self.redis = real.PrivateRedis(self.tmp / "redis")
        if self.redis.binary is None:
            pytest.skip(f"redis-server is not installed here; it is needed {why}")
        self.redis.start()
        self.use_broker(self.redis.url)

    def worker(self, name: str, **kwargs) -> real.Worker:
        worker = worker_sharing_this_process(self.broker_url, self.tmp / f"{name}.log", name, **kwargs)
        self.workers.append(worker)
        return worker.start()

    def shared_worker(self) -> real.Worker:
        return self.shared.get(real.broker_url_for_tests())

    def logs(self) -> list[str]:
        shared = [self.shared.worker.log()] if self.shared.worker is not None else []
        return [worker.log() for worker in self.workers] + shared

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        if self.redis is not None:
            self.redis.stop()
        connections.close_all()


def save_entries(person, photos: list[bytes], *, threads: int = 10) -> list[int]:
    """People saving entries with photos at the same time, through the diary's service
    (threads=0: one after the other, in the caller's thread and transaction)."""
    def save(data: bytes) -> int:
        upload = SimpleUploadedFile("selfie.jpg", data, content_type="image/jpeg")
        return diary_services.entry_create(owner=person, text="", photo=clean_photo(upload)).pk

    def save_and_close(data: bytes) -> int:
        try:
            return save(data)
        finally:
            connections.close_all()

    if not threads:
        return [save(data) for data in photos]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(save_and_close, photos))


def all_final(entry_ids: list[int]) -> bool:
    statuses = list(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("status", flat=True))
    return len(statuses) == len(entry_ids) and all(s in AnalysisJob.FINAL_STATUSES for s in statuses)


def assert_each_done_exactly_once(env: Env, entry_ids: list[int], *, a_worker_was_killed: bool = False) -> None:
    jobs = list(AnalysisJob.objects.filter(entry_id__in=entry_ids))
    problems = [(j.entry_id, j.status, j.reason) for j in jobs if j.status != Status.DONE]
    assert len(jobs) == len(entry_ids) and not problems, problems
    per_entry = {eid: AnalysisResult.objects.filter(entry_id=eid).count() for eid in entry_ids}
    assert set(per_entry.values()) == {1}
    # every entry got its reading: an emotion, or an honest abstention (ai_emotion left empty)
    readings = AnalysisResult.objects.filter(entry_id__in=entry_ids).values_list("entry__ai_emotion", "abstained")
    assert all(emotion or abstained for emotion, abstained in readings)
    # and no worker stored any job twice (read from their logs; a worker killed between its commit
    # and its log line leaves a job done without a line, hence "at most once" after a kill)
    if not a_worker_was_killed:
        # A worker logs just after its commit, and its log reaches the file a moment later.
        real.wait_for(lambda: all(j.pk in real.stored_counts(env.logs()) for j in jobs), 15,
                      interval=0.2, what="every stored job's log line")
    stored = real.stored_counts(env.logs())
    counts = {stored.get(j.pk, 0) for j in jobs}
    assert counts <= {0, 1} if a_worker_was_killed else counts == {1}, stored


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(live, photos):
    # Given a worker that gathers batches of 8 (waiting up to half a second for them to fill)
    doomed = live.worker("doomed", env={"INFERENCE_BATCH_SIZE": "8", "INFERENCE_BATCH_MAX_WAIT": "0.5"})
    entry_ids = save_entries(live.person, photos[:30])
    # when it is SIGKILLed (with its pool process) while it holds a batch
    real.wait_for(
        lambda: AnalysisJob.objects.filter(entry_id__in=entry_ids, status=Status.RUNNING).exists(), 60,
        interval=0.01, what="a batch to be running")
    doomed.kill()
    held = AnalysisJob.objects.filter(entry_id__in=entry_ids, status=Status.RUNNING).count()
    assert held > 0  # the dead worker's jobs are stuck in running, for now
    # then a new worker takes them back and every job ends done exactly once
    live.shared_worker()
    real.wait_for(lambda: all_final(entry_ids), 90, interval=0.25, what="the rescue")
    assert_each_done_exactly_once(live, entry_ids, a_worker_was_killed=True)
    assert AnalysisJob.objects.filter(entry_id__in=entry_ids, attempts=2).count() >= held
    assert "Took back" in live.shared.worker.log()


def test_a_pool_process_killed_mid_batch_is_replaced_and_its_batch_taken_back(live, photos):
    # Given a worker that gathers batches of 8 (waiting up to half a second for them to fill), alone
    # on a Redis of its own (the module's shared worker must not help)
    live.use_private_redis(why="to give the worker a Redis of its own")
    wounded = live.worker("wounded", env={"INFERENCE_BATCH_SIZE": "8", "INFERENCE_BATCH_MAX_WAIT": "0.5"})
    entry_ids = save_entries(live.person, photos[:30])
    # when only its pool process is SIGKILLed while it holds a batch (the worker itself lives on:
    # what the kernel's OOM killer or a crash in native code does)
    running = AnalysisJob.objects.filter(entry_id__in=entry_ids, status=Status.RUNNING)
    real.wait_for(running.exists, 60, interval=0.01, what="a batch to be running")
    holder = running.values_list("claimed_by", flat=True).first()
    os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)
    held = AnalysisJob.objects.filter(entry_id__in=entry_ids, claimed_by=holder).count()
    # then the process started in its place takes the batch back (no message is requeued for it)
    # and every job ends done exactly once, by the same worker
    real.wait_for(lambda: all_final(entry_ids), 90, interval=0.25, what="the replacement to finish")
    assert_each_done_exactly_once(live, entry_ids, a_worker_was_killed=True)
    assert AnalysisJob.objects.filter(entry_id__in=entry_ids, attempts=2).count() >= held > 0
    assert "Took back" in wounded.log()


def test_fifty_entries_saved_at_once_all_reach_done_with_one_result_each(live, photos):
    live.shared_worker()
    entry_ids = save_entries(live.person, photos[:50])
    real.wait_for(lambda: all_final(entry_ids), 90, interval=0.25, what="50 analyses")
    assert_each_done_exactly_once(live, entry_ids)
    # and they were read in batches, not one by one
    assert max(int(n) for n in re.findall(r"'claimed': (\d+)", live.shared.worker.log())) > 1


def test_a_job_whose_photo_vanished_fails_readably_and_does_not_block_the_others(live, photos):
    live.shared_worker()
    # Given six entries saved together, one of whose photo files vanishes before the worker reads it
    with transaction.atomic():
        entry_ids = save_entries(live.person, photos[:6], threads=0)
        lost = Entry.objects.get(pk=entry_ids[2])
        lost.photo.storage.delete(lost.photo.name)
    real.wait_for(lambda: all_final(entry_ids), 60, interval=0.25, what="six analyses")
    # then that one failed with a sentence saying what to do, and the other five are done
    failed = AnalysisJob.objects.get(entry_id=lost.pk)
    assert failed.status == Status.FAILED
    assert failed.reason.startswith("The photo for this entry could not be found.")
    assert_each_done_exactly_once(live, [eid for eid in entry_ids if eid != lost.pk])


def test_entries_saved_while_redis_is_down_wait_as_queued_and_complete_when_it_is_back(live, photos):
    # Given a worker (with beat, running the recovery every second) on a Redis of our own
    live.use_private_redis(why="to stop and restart a Redis")
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
    assert "Reading your entry…" in page and "updates by itself" in page
    # when Redis is back, every entry completes, once
    live.redis.start()
    live.use_broker(live.redis.url)
    real.wait_for(lambda: all_final(entry_ids), 120, interval=0.5, what="the analyses after Redis came back")
    assert_each_done_exactly_once(live, entry_ids)
