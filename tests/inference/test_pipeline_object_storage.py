"""The analysis pipeline with the photos in an S3 store: the worker reads each photo through the
storage (its local folder stays empty), and a store that does not answer is a reason to try again
later, never a failed reading.

Against a real S3 server (see tests/diary/test_object_storage.py); skips with the reason otherwise.
The separate-process version (web and worker on their own media roots) is test_split_deployment.py.
"""

import pytest

from inference import pipeline
from inference.models import AnalysisJob, AnalysisResult
from inference.reading import TransientAnalysisError
from tests.conftest import stored_names
from tests.inference.conftest import GREEN, RED, entry_with_photo

Status = AnalysisJob.Status


def test_the_worker_reads_photos_from_the_bucket(s3_storage, member, scripted_models, settings,
                                                 django_capture_on_commit_callbacks):
    # Given two entries whose photos went to the bucket
    with django_capture_on_commit_callbacks(execute=False):
        happy = entry_with_photo(member, colour=GREEN)
        angry = entry_with_photo(member, colour=RED)
    assert happy.photo.name in stored_names(s3_storage)
    assert not (settings.PRIVATE_MEDIA_ROOT / happy.photo.name).exists()
    # when a worker reads them
    counts = pipeline.batch_run(size=10, max_wait=0)
    # then both are read from the objects' own pixels, in one pass
    assert counts == {"claimed": 2, "done": 2}
    assert AnalysisResult.objects.get(entry=happy).emotion == "happy"
    assert AnalysisResult.objects.get(entry=angry).emotion == "angry"
    assert scripted_models.calls == [2]


def test_a_store_that_does_not_answer_hands_the_batch_back_for_a_retry(s3_storage, member, scripted_models,
                                                                       request, django_capture_on_commit_callbacks):
    # Given a pending entry whose photo is in the bucket
    with django_capture_on_commit_callbacks(execute=False):
        entry = entry_with_photo(member, colour=GREEN)
    # when the store stops answering and a worker takes the job
    request.getfixturevalue("s3_store_down")
    with pytest.raises(TransientAnalysisError, match="photo store did not answer"):
        pipeline.batch_run(size=10, max_wait=0)
    # then the job is pending again (the task retries with back-off), not failed, with no result
    job = AnalysisJob.objects.get(entry=entry)
    assert (job.status, job.reason, job.attempts) == (Status.PENDING, "", 1)
    assert not AnalysisResult.objects.filter(entry=entry).exists()
    assert scripted_models.calls == []


def test_a_photo_gone_from_the_bucket_fails_readably_and_the_rest_of_the_batch_is_read(
    s3_storage, member, scripted_models, django_capture_on_commit_callbacks,
):
    # Given five pending entries (their photos fetched several at a time), one of whose objects is gone
    with django_capture_on_commit_callbacks(execute=False):
        entries = [entry_with_photo(member, colour=GREEN if i % 2 else RED) for i in range(5)]
    lost = entries[2]
    s3_storage.delete(lost.photo.name)
    # when a worker reads the batch
    counts = pipeline.batch_run(size=10, max_wait=0)
    # then that one failed with the sentence saying what to do, and the other four are done, in one pass
    assert counts == {"claimed": 5, "done": 4, "failed": 1}
    failed = AnalysisJob.objects.get(entry=lost)
    assert failed.status == Status.FAILED and "could not be found" in failed.reason
    assert [AnalysisResult.objects.get(entry=e).emotion for e in entries if e != lost] == ["angry", "happy",
                                                                                          "happy", "angry"]
    assert scripted_models.calls == [4]
