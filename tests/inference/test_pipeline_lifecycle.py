"""An entry's analysis from save to reading: pending -> running -> done | no_face | failed."""

import pytest

from diary import services as diary_services
from diary.models import Entry
from inference import pipeline, reasons
from inference.models import AnalysisJob, AnalysisResult
from inference.signals import analysis_done
from tests.inference.conftest import BLUE, GREEN, RED, entry_with_photo, photo

Status = AnalysisJob.Status


@pytest.fixture
def done_signals():
    received = []

    def receiver(sender, entry_id, status, **kwargs):
        received.append((entry_id, status))

    analysis_done.connect(receiver, weak=False)
    yield received
    analysis_done.disconnect(receiver)


def test_it_queues_a_job_when_an_entry_is_saved_and_sends_it_only_after_commit(member, scripted_models,
                                                                               django_capture_on_commit_callbacks):
    # Given a person saving an entry with a photo
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = entry_with_photo(member)
        # then, inside the transaction, the job is pending and nothing has been read yet
        assert AnalysisJob.objects.get(entry=entry).status == Status.PENDING
    assert scripted_models.calls == []
    # and the task is sent by an on_commit callback
    assert len(callbacks) == 1


def test_it_reads_the_entry_right_after_commit_in_embedded_mode(member, scripted_models, done_signals,
                                                                 django_capture_on_commit_callbacks):
    # Given no broker (eager Celery), when a person saves an entry with a face photo
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=GREEN)
    # then the job is done, with one result, copied onto the entry
    job = AnalysisJob.objects.get(entry=entry)
    assert job.status == Status.DONE and job.attempts == 1 and job.reason == ""
    result = AnalysisResult.objects.get(entry=entry)
    assert job.result == result
    assert result.emotion == "happy" and result.source == "face" and result.face_found
    assert result.face_box == [1, 2, 30, 40] and result.faces == 1
    assert result.model_key == "face:scripted-face@1.0"
    assert result.face_model.version == "1.0" and result.face_model.active
    entry.refresh_from_db()
    assert entry.ai_emotion == "happy"
    assert entry.ai_probabilities == result.combined_probabilities
    assert abs(sum(entry.ai_probabilities.values()) - 1.0) < 1e-3
    assert entry.ai_confidence == pytest.approx(0.7)
    # and the music and welfare listeners hear about it once
    assert done_signals == [(entry.pk, "done")]


def test_it_says_no_face_found_in_plain_words(member, scripted_models, done_signals,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=BLUE)
    job = AnalysisJob.objects.get(entry=entry)
    assert job.status == Status.NO_FACE
    assert job.reason == reasons.NO_FACE
    entry.refresh_from_db()
    assert entry.ai_emotion == "" and entry.ai_probabilities is None
    assert AnalysisResult.objects.get(entry=entry).face_found is False
    assert done_signals == [(entry.pk, "no_face")]


def test_it_reads_the_words_when_there_is_no_face(member, face_runtime, text_runtime, simple_fusion,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=BLUE, text="A sad and grey day.")
    result = AnalysisResult.objects.get(entry=entry)
    assert AnalysisJob.objects.get(entry=entry).status == Status.DONE
    assert result.source == "text" and result.emotion == "sad"
    assert result.has_photo and not result.face_found and result.face_probabilities is None
    assert result.model_key == "face:scripted-face@1.0+text:scripted-text@0.1"


def test_it_stores_face_text_and_combined_in_the_same_result(
        member, face_runtime, text_runtime, simple_fusion, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=RED, text="Everything is fine.")
    result = AnalysisResult.objects.get(entry=entry)
    assert result.source == "combined"
    assert max(result.face_probabilities, key=result.face_probabilities.get) == "angry"
    assert max(result.text_probabilities, key=result.text_probabilities.get) == "neutral"
    assert result.combined_probabilities["angry"] == pytest.approx(
        (result.face_probabilities["angry"] + result.text_probabilities["angry"]) / 2, abs=1e-3)
    assert result.text_model.name == "scripted-text"
    # one batch: one forward pass for the faces, one for the texts
    assert face_runtime.calls == [1] and text_runtime.calls == [1]


def test_it_reads_a_text_only_entry_without_the_face_model(member, face_runtime, text_runtime, simple_fusion,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = diary_services.entry_create(owner=member, text="So sad today.")
    result = AnalysisResult.objects.get(entry=entry)
    assert result.source == "text" and result.emotion == "sad" and not result.has_photo
    assert result.face_model is None and result.model_key == "text:scripted-text@0.1"
    assert face_runtime.calls == []


def test_it_ends_an_entry_with_too_few_words_as_no_reading(member, face_runtime, text_runtime, simple_fusion,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = diary_services.entry_create(owner=member, text="Hi")
    job = AnalysisJob.objects.get(entry=entry)
    assert job.status == Status.NO_FACE
    assert job.reason == reasons.NO_PHOTO_NO_WORDS
    assert text_runtime.calls == [1]


def test_an_entry_with_nothing_at_all_to_read_needs_no_worker(member, scripted_models, done_signals,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = diary_services.entry_create(owner=member, text="  ", self_mood="happy")
    job = AnalysisJob.objects.get(entry=entry)
    assert (job.status, job.reason, job.attempts) == (Status.NO_FACE, reasons.NO_PHOTO_NO_WORDS, 0)
    assert not any("enqueue" in repr(c) for c in callbacks) and done_signals == [(entry.pk, "no_face")]
    assert scripted_models.calls == []


def test_it_fails_a_job_whose_photo_vanished_without_blocking_the_others(member, scripted_models,
                                                                          django_capture_on_commit_callbacks):
    # Given three pending entries, one of whose photo file has gone
    with django_capture_on_commit_callbacks(execute=False):
        first = entry_with_photo(member, colour=GREEN)
        lost = entry_with_photo(member, colour=GREEN)
        last = entry_with_photo(member, colour=RED)
    lost.photo.storage.delete(lost.photo.name)
    # when a worker reads them in one batch
    counts = pipeline.batch_run(size=10, max_wait=0)
    # then the lost one failed with a sentence saying what to do, and the others are done
    assert counts == {"claimed": 3, "done": 2, "failed": 1}
    failed = AnalysisJob.objects.get(entry=lost)
    assert failed.status == Status.FAILED
    assert "could not be found" in failed.reason and "add the photo again" in failed.reason
    assert AnalysisJob.objects.get(entry=first).status == Status.DONE
    assert AnalysisJob.objects.get(entry=last).status == Status.DONE
    assert not AnalysisResult.objects.filter(entry=lost).exists()
    # and the other two were read in one forward pass
    assert scripted_models.calls == [2]


def test_it_fails_with_a_readable_reason_when_the_model_is_missing(member, scripted_models,
                                                                   django_capture_on_commit_callbacks):
    scripted_models.error = scripted_models.ModelUnavailable("no weights")
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member)
    job = AnalysisJob.objects.get(entry=entry)
    assert job.status == Status.FAILED and job.reason == reasons.MODEL_UNAVAILABLE


def test_it_reads_one_by_one_when_the_batch_fails_and_fails_only_the_bad_photo(member, scripted_models):
    # Given a batched pass that fails (say, one photo breaks the model)
    entries = [entry_with_photo(member, colour=GREEN) for _ in range(3)]
    scripted_models.fail_when_batched = RuntimeError("bad input")
    # when the batch runs, it falls back to one photo at a time, and all three are read
    counts = pipeline.batch_run(size=10, max_wait=0)
    assert counts == {"claimed": 3, "done": 3}
    assert scripted_models.calls == [3, 1, 1, 1]
    assert all(AnalysisJob.objects.get(entry=e).status == Status.DONE for e in entries)


def test_it_hands_the_batch_back_when_the_gpu_runs_out_of_memory(member, scripted_models, settings):
    settings.INFERENCE_MAX_ATTEMPTS = 2
    entry = entry_with_photo(member)
    scripted_models.error = RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
    with pytest.raises(pipeline.TransientAnalysisError):
        pipeline.batch_run(size=10, max_wait=0)
    job = AnalysisJob.objects.get(entry=entry)
    assert job.status == Status.PENDING and job.attempts == 1 and job.claim_token == ""
    # and after its last attempt it fails instead of looping for ever
    with pytest.raises(pipeline.TransientAnalysisError):
        pipeline.batch_run(size=10, max_wait=0)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "interrupted several times" in job.reason


def test_a_new_photo_forgets_the_old_reading_and_reads_again(member, scripted_models,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=GREEN)
    assert Entry.objects.get(pk=entry.pk).ai_emotion == "happy"
    # when the person replaces the photo
    with django_capture_on_commit_callbacks(execute=False):
        diary_services.entry_update(entry=entry, photo=photo(RED))
        # then, until it is read again, there is no reading and the job is pending
        entry.refresh_from_db()
        assert entry.ai_emotion == "" and AnalysisJob.objects.get(entry=entry).status == Status.PENDING
        assert not AnalysisResult.objects.filter(entry=entry).exists()
    pipeline.batch_run(size=10, max_wait=0)
    entry.refresh_from_db()
    assert entry.ai_emotion == "angry"
    assert AnalysisResult.objects.filter(entry=entry).count() == 1


def test_changing_only_the_self_mood_does_not_read_again(member, scripted_models,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=GREEN)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        diary_services.entry_update(entry=entry, self_mood="sad")
    assert callbacks == []
    assert scripted_models.calls == [1]


def test_a_worker_that_lost_its_job_to_an_edit_stores_nothing(member, scripted_models):
    # Given a worker holding a job
    entry = entry_with_photo(member, colour=GREEN)
    batch = pipeline.batch_claim(size=10)
    outcomes = pipeline.batch_read(batch.jobs)
    # when the person edits the entry before the worker stores its reading
    diary_services.entry_update(entry=Entry.objects.get(pk=entry.pk), text="Changed my mind")
    # then the worker's reading of the old content is not stored, and the job waits for a new read
    stored = pipeline.job_store(job=batch.jobs[0], token=batch.token, outcome=outcomes[batch.jobs[0].pk])
    assert stored is False
    assert AnalysisJob.objects.get(entry=entry).status == Status.PENDING
    assert not AnalysisResult.objects.filter(entry=entry).exists()


def test_deleting_an_entry_deletes_its_analysis(member, scripted_models, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member)
    diary_services.entry_delete(entry=entry)
    assert not AnalysisJob.objects.exists() and not AnalysisResult.objects.exists()


def test_a_batch_stores_nothing_for_a_job_edited_while_it_was_read(member, scripted_models):
    kept, edited = entry_with_photo(member, colour=GREEN), entry_with_photo(member, colour=GREEN)
    batch = pipeline.batch_claim(size=4)
    outcomes = pipeline.batch_read(batch.jobs)
    diary_services.entry_update(entry=Entry.objects.get(pk=edited.pk), text="Changed my mind")
    stored = pipeline.batch_store(batch=batch, outcomes=outcomes)
    assert stored == {AnalysisJob.objects.get(entry=kept).pk}
    assert AnalysisJob.objects.get(entry=edited).status == Status.PENDING
    assert not AnalysisResult.objects.filter(entry=edited).exists()
    assert Entry.objects.get(pk=kept.pk).ai_emotion == "happy"
