"""Results are unique per (entry, models): running a job twice never makes a second result."""

import pytest
from django.db import IntegrityError

from inference import pipeline, services, storing
from inference.models import AnalysisJob, AnalysisResult
from tests.inference.conftest import GREEN, RED, entry_with_photo

Status = AnalysisJob.Status


def test_running_a_job_twice_keeps_one_result(member, scripted_models):
    # Given an entry that has been read
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    first = AnalysisResult.objects.get(entry=entry)
    # when the same job runs again with the same model (a redelivered message, a requeue)
    services.analysis_requeue(entries=[entry])
    pipeline.batch_run(size=4, max_wait=0)
    # then the one result is updated in place
    assert AnalysisResult.objects.filter(entry=entry).count() == 1
    assert AnalysisResult.objects.get(entry=entry).pk == first.pk
    assert AnalysisJob.objects.get(entry=entry).status == Status.DONE


def test_a_new_model_version_adds_a_result_beside_the_old_one(member, scripted_models):
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    scripted_models.version = "2.0"
    services.analysis_requeue(entries=[entry])
    pipeline.batch_run(size=4, max_wait=0)
    keys = sorted(AnalysisResult.objects.filter(entry=entry).values_list("model_key", flat=True))
    assert keys == ["face:scripted-face@1.0", "face:scripted-face@2.0"]
    assert AnalysisJob.objects.get(entry=entry).result.model_key == "face:scripted-face@2.0"


def test_a_finished_job_cannot_be_stored_twice(member, scripted_models):
    entry = entry_with_photo(member, colour=RED)
    batch = pipeline.batch_claim(size=4)
    outcome = pipeline.batch_read(batch.jobs)[batch.jobs[0].pk]
    assert pipeline.job_store(job=batch.jobs[0], token=batch.token, outcome=outcome) is True
    assert pipeline.job_store(job=batch.jobs[0], token=batch.token, outcome=outcome) is False
    assert AnalysisResult.objects.filter(entry=entry).count() == 1


def test_the_database_refuses_a_second_result_for_the_same_models(member):
    entry = entry_with_photo(member)
    AnalysisResult.objects.create(entry=entry, model_key="face:x@1")
    with pytest.raises(IntegrityError):
        AnalysisResult.objects.create(entry=entry, model_key="face:x@1")


def test_the_upsert_survives_losing_the_insert_race(member, monkeypatch):
    entry = entry_with_photo(member)
    AnalysisResult.objects.create(entry=entry, model_key="face:x@1", emotion="sad")
    calls = []

    def racing_update_or_create(**kwargs):
        calls.append(kwargs)
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(AnalysisResult.objects, "update_or_create", racing_update_or_create)
    result = storing._result_upsert(entry.pk, "face:x@1", {"emotion": "happy"})
    assert calls and result.emotion == "happy"
    assert AnalysisResult.objects.get(entry=entry).emotion == "happy"


def test_a_batch_is_stored_in_one_go_and_a_second_store_changes_nothing(member, scripted_models):
    entries = [entry_with_photo(member, colour=GREEN) for _ in range(3)]
    batch = pipeline.batch_claim(size=4)
    outcomes = pipeline.batch_read(batch.jobs)
    assert pipeline.batch_store(batch=batch, outcomes=outcomes) == {job.pk for job in batch.jobs}
    assert pipeline.batch_store(batch=batch, outcomes=outcomes) == set()
    assert AnalysisResult.objects.filter(entry__in=entries).count() == 3
    for entry in entries:
        job = AnalysisJob.objects.get(entry=entry)
        assert job.status == Status.DONE and job.result.entry_id == entry.pk
        entry.refresh_from_db()
        assert entry.ai_emotion == "happy"


def test_when_the_batch_store_fails_each_job_is_stored_on_its_own(member, scripted_models, monkeypatch):
    entries = [entry_with_photo(member, colour=GREEN) for _ in range(3)]

    def refuse(**kwargs):
        raise IntegrityError("a row the database refused")

    monkeypatch.setattr(storing, "batch_store", refuse)
    assert pipeline.batch_run(size=4, max_wait=0) == {"claimed": 3, "done": 3}
    assert AnalysisResult.objects.filter(entry__in=entries).count() == 3
