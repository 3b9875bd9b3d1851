"""The split deployment: the web app (gunicorn) and a Celery inference worker as separate processes
that share only PostgreSQL, Redis and an S3 store, each with a temporary media folder of its own
(as on two machines). People upload entries with photos over HTTP; every one is read exactly once,
by a worker that never had the file on its disk, and the owner gets the photo back over HTTP.

Skips with the reason where PostgreSQL, Redis, an S3 server (the environment's, or a SeaweedFS
started here), the face model or ../shared/datasets is missing.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.tokens import api_token_issue
from inference.models import AnalysisJob, AnalysisResult
from tests.conftest import stored_names, verified
from tests.factories import UserFactory
from tests.inference import pipeline_fixtures as real

pytestmark = [pytest.mark.integration, pytest.mark.dataset]

UPLOADS = 24
CONCURRENCY = 6


def _multipart(photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="selfie.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _request(url: str, *, headers: dict, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def deployment(transactional_db, s3_storage, tmp_path, monkeypatch):
    """Web on one "host", worker on another: each with its own empty media folders."""
    if reason := real.skip_reason(who="the web and worker processes"):
        pytest.skip(reason)
    broker = real.broker_url_for_tests()
    real.redis_flush(broker)
    database = real.database_url(connection.settings_dict)
    web = real.Web(broker_url=broker, database_url=database, private_root=tmp_path / "web" / "private",
                   media_root=tmp_path / "web" / "media", log_path=tmp_path / "web.log")
    worker = real.Worker(broker_url=broker, database_url=database, private_root=tmp_path / "gpu" / "private",
                         media_root=tmp_path / "gpu" / "media", log_path=tmp_path / "worker.log", name="gpu-host",
                         env={"INFERENCE_BATCH_SIZE": "8", "INFERENCE_BATCH_MAX_WAIT": "0.2"})
    try:
        web.start()
        worker.start()
        yield web, worker, s3_storage, tmp_path
    finally:
        web.stop()
        worker.stop()
        connections.close_all()


def test_entries_uploaded_to_the_web_host_are_read_exactly_once_by_a_worker_on_another(deployment):
    web, worker, store, tmp_path = deployment
    person = verified(UserFactory())
    token = api_token_issue(user=person)[1]
    photos = real.face_photos(UPLOADS)
    # When people upload entries with photos over HTTP, several at once
    def upload(photo: bytes) -> int:
        body, content_type = _multipart(photo)
        status, answer = _request(f"{web.url}/api/v1/entries/", body=body, headers={
            "Authorization": f"Token {token}", "Accept": "application/json", "Content-Type": content_type})
        assert status == 201, answer[:500]
        return json.loads(answer)["id"]

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        entry_ids = list(pool.map(upload, photos))
    # then every entry is read, by the worker process, exactly once
    def all_final() -> bool:
        statuses = list(AnalysisJob.objects.filter(entry_id__in=entry_ids).values_list("status", flat=True))
        return len(statuses) == UPLOADS and all(s in AnalysisJob.FINAL_STATUSES for s in statuses)

    real.wait_for(all_final, 180, interval=0.25, what=f"{UPLOADS} analyses by the worker")
    jobs = list(AnalysisJob.objects.filter(entry_id__in=entry_ids))
    assert [(j.entry_id, j.status, j.reason) for j in jobs if j.status != AnalysisJob.Status.DONE] == []
    assert {AnalysisResult.objects.filter(entry_id=eid).count() for eid in entry_ids} == {1}
    real.wait_for(lambda: all(j.pk in real.stored_counts([worker.log()]) for j in jobs), 15, interval=0.2,
                  what="every stored job's log line")
    assert {real.stored_counts([worker.log()])[j.pk] for j in jobs} == {1}
    # and the photos live only in the object store: neither host has a file of them on its disk
    for host in ("web", "gpu"):
        assert not list((tmp_path / host).rglob("*.jpg")), host
    names = set(stored_names(store))
    from diary.models import Entry

    assert {e.photo.name for e in Entry.objects.filter(pk__in=entry_ids)} <= names
    # and the owner gets a photo back from the web host; a stranger does not
    owner, stranger = Client(), Client()
    owner.force_login(person)
    stranger.force_login(verified(UserFactory()))
    url = f"{web.url}/diary/{entry_ids[0]}/photo/"
    status, data = _request(url, headers={"Cookie": f"sessionid={owner.cookies['sessionid'].value}"})
    with store.open(Entry.objects.get(pk=entry_ids[0]).photo.name, "rb") as handle:
        assert (status, data) == (200, handle.read())
    status, _ = _request(url, headers={"Cookie": f"sessionid={stranger.cookies['sessionid'].value}"})
    assert status == 404
