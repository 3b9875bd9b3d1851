"""The Celery side: routes, retries for named transient errors only, no model in web processes."""

import subprocess
import sys

from django.conf import settings
from django.db import OperationalError

from inference import pipeline, tasks


def test_inference_tasks_go_to_their_own_queue():
    from moodsite.celery import app

    route = app.amqp.router.route({}, tasks.analyse_entries_task.name)
    assert route["queue"].name == "inference"
    assert app.amqp.router.route({}, tasks.analysis_recover_task.name)["queue"].name == "inference"


def test_only_named_transient_errors_are_retried_with_backoff_and_jitter():
    task = tasks.analyse_entries_task
    assert set(task.autoretry_for) == {pipeline.TransientAnalysisError, OperationalError,
                                       tasks.InterfaceError}
    assert task.retry_backoff and task.retry_jitter and task.max_retries == 5
    # A lost pool process's message is not requeued: its replacement takes the jobs back
    # (test_worker_integration.test_a_pool_process_killed_mid_batch_is_replaced_and_its_batch_taken_back)
    assert task.acks_late and not task.reject_on_worker_lost


def test_recovery_runs_on_a_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["inference-recover-stuck-jobs"]
    assert entry["task"] == "inference.tasks.analysis_recover_task"
    assert entry["schedule"] == settings.INFERENCE_RECOVERY_INTERVAL


def test_the_web_side_of_the_pipeline_does_not_load_torch():
    code = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE']='moodsite.settings'; django.setup();"
        "import inference.views, inference.api, inference.tasks, inference.services, inference.pipeline,"
        " inference.admin, moodsite.urls;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={
        **__import__("os").environ, "DATABASE_URL": "sqlite:///:memory:"})
    assert out.stdout.strip() == "False"


def test_an_eager_task_never_waits_to_fill_a_batch(member, scripted_models, monkeypatch):
    waits = []
    real = pipeline.batch_run
    monkeypatch.setattr(pipeline, "batch_run", lambda **kw: waits.append(kw["max_wait"]) or real(**kw))
    tasks.analyse_entries_task.apply(kwargs={"job_id": None})
    assert waits == [0.0]


def test_a_worker_task_keeps_reading_while_full_batches_keep_coming(member, scripted_models, settings):
    from inference.models import AnalysisJob
    from tests.inference.conftest import entry_with_photo

    settings.INFERENCE_BATCH_SIZE = 2
    settings.INFERENCE_TASK_MAX_BATCHES = 2
    for _ in range(5):
        entry_with_photo(member)
    # (a worker's task, not an eager one: eager tasks read one batch only)
    tasks.analyse_entries_task.push_request(is_eager=False)
    try:
        counts = tasks.analyse_entries_task.run(job_id=None)
    finally:
        tasks.analyse_entries_task.pop_request()
    assert counts["claimed"] == 4 and scripted_models.calls == [2, 2]
    assert AnalysisJob.objects.filter(status="pending").count() == 1
