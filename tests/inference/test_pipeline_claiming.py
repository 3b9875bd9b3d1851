"""Claiming: a guarded update moves each pending job to running for exactly one worker."""

import threading
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from inference import pipeline
from inference.models import AnalysisJob
from tests.factories import EntryFactory
from tests.inference.conftest import entry_with_photo

Status = AnalysisJob.Status


def pending_jobs(owner, n: int) -> list[AnalysisJob]:
    """Pending jobs with no task sent (so nothing runs them behind the test's back)."""
    return [AnalysisJob.objects.create(entry=EntryFactory(owner=owner), requested_at=timezone.now())
            for _ in range(n)]


def test_two_claimers_never_get_the_same_job(member):
    # Given five pending jobs
    jobs = pending_jobs(member, 5)
    # when two workers claim three each
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert pipeline.jobs_claim(limit=3, token=first) == 3
    assert pipeline.jobs_claim(limit=3, token=second) == 2
    # then each job went to exactly one of them
    mine = set(AnalysisJob.objects.filter(claim_token=first).values_list("pk", flat=True))
    theirs = set(AnalysisJob.objects.filter(claim_token=second).values_list("pk", flat=True))
    assert not mine & theirs and mine | theirs == {job.pk for job in jobs}
    assert set(AnalysisJob.objects.values_list("status", flat=True)) == {Status.RUNNING}


def test_a_claim_with_stale_candidates_takes_only_what_is_still_pending(member):
    # Given a worker that looked at the queue, and another that took two jobs meanwhile
    jobs = pending_jobs(member, 3)
    other = uuid.uuid4().hex
    taken_meanwhile = AnalysisJob.objects.filter(pk__in=[jobs[0].pk, jobs[1].pk])
    taken_meanwhile.update(status=Status.RUNNING, claim_token=other)
    # when the first worker's guarded update runs on its (stale) candidates
    token = uuid.uuid4().hex
    taken = AnalysisJob.objects.filter(status=Status.PENDING, id__in=[j.pk for j in jobs]).update(
        status=Status.RUNNING, claim_token=token)
    # then it gets only the one nobody had
    assert taken == 1
    assert list(AnalysisJob.objects.filter(claim_token=token).values_list("pk", flat=True)) == [jobs[2].pk]
    assert AnalysisJob.objects.filter(claim_token=other).count() == 2


def test_it_claims_its_own_job_first_then_the_oldest_and_people_before_background_work(member):
    background = pending_jobs(member, 2)
    AnalysisJob.objects.filter(pk__in=[j.pk for j in background]).update(priority=1)
    people = pending_jobs(member, 3)
    batch = pipeline.batch_claim(size=3, first_id=people[2].pk)
    assert [job.pk for job in batch.jobs] == sorted([people[2].pk, people[0].pk, people[1].pk])
    assert all(job.claimed_by == pipeline.worker_identity() for job in batch.jobs)
    assert all(job.attempts == 1 for job in batch.jobs)


def test_a_task_whose_job_was_taken_claims_others_or_returns_at_once(member, scripted_models):
    entry = entry_with_photo(member)
    job = AnalysisJob.objects.get(entry=entry)
    AnalysisJob.objects.filter(pk=job.pk).update(status=Status.DONE)
    assert pipeline.batch_run(first_id=job.pk, size=4, max_wait=0) == {"claimed": 0}
    assert scripted_models.calls == []


def test_it_gathers_a_batch_from_uploads_arriving_while_it_waits(member, scripted_models, monkeypatch):
    # Given one pending job, and two more arriving during the worker's short wait
    pending_jobs(member, 1)
    arrivals = iter([2])

    real_sleep = pipeline.time.sleep

    def sleep(seconds):
        for n in arrivals:
            pending_jobs(member, n)
        real_sleep(seconds)

    monkeypatch.setattr(pipeline.time, "sleep", sleep)
    batch = pipeline.batch_claim(size=8, max_wait=0.1)
    assert len(batch.jobs) == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_on_postgresql_never_share_a_job(member):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is what PostgreSQL adds; SQLite serialises all writes")
    jobs = pending_jobs(member, 60)
    claims: dict[str, list[int]] = {}
    barrier = threading.Barrier(6)

    def worker(name: str) -> None:
        from django.db import connection as thread_connection
        from django.db import connections

        # Connect before the start line, and pause between claims like a worker between batches:
        # on a busy machine the first thread would otherwise take every job before the others start.
        thread_connection.ensure_connection()
        barrier.wait()
        taken: list[int] = []
        try:
            # A claimer that loses a race gets fewer (or no) rows and tries again, like a worker;
            # it stops only when nothing is left pending.
            while AnalysisJob.objects.filter(status=Status.PENDING).exists():
                token = uuid.uuid4().hex
                if pipeline.jobs_claim(limit=4, token=token):
                    taken += list(AnalysisJob.objects.filter(claim_token=token).values_list("pk", flat=True))
                time.sleep(0.01)
        finally:
            claims[name] = taken
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [pk for taken in claims.values() for pk in taken]
    assert sorted(everything) == sorted(job.pk for job in jobs)  # all claimed, none twice
    assert sum(1 for taken in claims.values() if taken) > 1  # and they really competed
