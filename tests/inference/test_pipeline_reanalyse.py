"""python manage.py reanalyse --model-version X [--since DATE]: re-queues old entries, resumably."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from diary import services as diary_services
from inference import pipeline, reading
from inference.models import AnalysisJob, AnalysisResult, ModelVersion
from tests.inference.conftest import GREEN, entry_with_photo

Status = AnalysisJob.Status


def run(*args) -> str:
    out = io.StringIO()
    call_command("reanalyse", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def read_by_v1(member, scripted_models):
    entries = [entry_with_photo(member, colour=GREEN) for _ in range(5)]
    pipeline.batch_run(size=10, max_wait=0)
    assert AnalysisResult.objects.filter(model_key="face:scripted-face@1.0").count() == 5
    return entries


@pytest.fixture
def sent(monkeypatch):
    from inference import services

    calls = []
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: calls.append(job_id) or True)
    return calls


def test_it_requeues_every_entry_without_a_reading_by_the_new_model_in_batches(
        read_by_v1, scripted_models, sent, django_capture_on_commit_callbacks, settings):
    # Given version 2.0 of the face model is deployed
    settings.INFERENCE_BATCH_SIZE = 2
    scripted_models.version = "2.0"
    with django_capture_on_commit_callbacks(execute=True):
        output = run("--model-version", "2.0", "--batch-size", "2")
    # then all five are queued (in three batches of at most two), as background work
    assert "5 entries have no reading by scripted-face@2.0" in output
    assert "queued 2/5" in output and "queued 4/5" in output and "Queued 5 entries" in output
    jobs = AnalysisJob.objects.all()
    assert {j.status for j in jobs} == {Status.PENDING} and {j.priority for j in jobs} == {1}
    # their current reading stays on show meanwhile
    assert all(j.result_id for j in jobs)
    assert len(sent) == 3  # one task per batch of two (each task claims two)
    # and once the workers have read them, each has a v1 and a v2 reading
    pipeline.batch_run(size=10, max_wait=0)
    assert AnalysisResult.objects.filter(model_key="face:scripted-face@2.0").count() == 5
    assert ModelVersion.objects.get(version="2.0").active
    assert not ModelVersion.objects.get(version="1.0").active


def test_it_is_resumable_and_skips_what_is_read_or_already_queued(read_by_v1, scripted_models, sent):
    scripted_models.version = "2.0"
    # Given an interrupted run that had queued two entries, one of which was read since
    from inference import services

    services.analysis_requeue(entries=read_by_v1[:2])
    pipeline.batch_run(first_id=AnalysisJob.objects.get(entry=read_by_v1[0]).pk, size=1, max_wait=0)
    # when it runs again, only the three untouched ones are queued
    output = run("--model-version", "scripted-face@2.0")
    assert "3 entries have no reading" in output
    # and a third run finds nothing to do
    assert "0 entries have no reading" in run("--model-version", "2.0")


def test_since_limits_it_to_recent_days(member, read_by_v1, scripted_models, sent):
    scripted_models.version = "2.0"
    old = read_by_v1[0]
    diary_services.entry_update(entry=old, day=datetime.date(2020, 1, 1))
    output = run("--model-version", "2.0", "--since", "2021-01-01", "--dry-run")
    assert "4 entries have no reading" in output
    assert not AnalysisJob.objects.filter(status=Status.PENDING).exists()


def test_it_refuses_an_unknown_or_inactive_version(read_by_v1, scripted_models):
    with pytest.raises(CommandError, match="No deployed model has version '9.9'"):
        run("--model-version", "9.9")
    scripted_models.version = "2.0"
    reading.face_model_version()
    with pytest.raises(CommandError, match="not the active face model"):
        run("--model-version", "1.0")
    with pytest.raises(CommandError, match="--since must be a date"):
        run("--model-version", "2.0", "--since", "yesterday")


def test_entries_without_a_photo_are_not_queued_for_a_face_model(member, scripted_models, sent):
    diary_services.entry_create(owner=member, text="Only words today")
    entry_with_photo(member)
    pipeline.batch_run(size=4, max_wait=0)
    scripted_models.version = "2.0"
    assert "1 entries have no reading" in run("--model-version", "2.0", "--dry-run")
