"""The person's analyses in "download my data", and corrections exported for retraining."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from accounts.services import user_data_export
from inference import pipeline, services
from inference.models import Correction
from tests.inference.conftest import GREEN, entry_with_photo


@pytest.fixture
def corrected(member, scripted_models):
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    services.correction_set(entry=entry, emotion="sad")
    return entry


def test_my_data_holds_my_readings_and_corrections_and_nobody_elses(corrected, member, stranger,
                                                                    scripted_models):
    entry_with_photo(stranger)
    pipeline.batch_run(size=4, max_wait=0)
    archive = zipfile.ZipFile(io.BytesIO(user_data_export(user=member)))
    data = json.loads(archive.read("data.json"))["inference"]
    assert [r["entry"] for r in data["readings"]] == [corrected.pk]
    assert data["readings"][0]["emotion"] == "happy" and data["readings"][0]["face"]["found"] is True
    assert data["corrections"] == [{"entry": corrected.pk, "predicted": "happy", "corrected": "sad",
                                    "models": "face:scripted-face@1.0",
                                    "updated_at": data["corrections"][0]["updated_at"]}]
    assert data["jobs"][0]["status"] == "done"


def test_corrections_export_as_labelled_examples_in_csv_and_json(corrected, tmp_path):
    out = io.StringIO()
    call_command("export_corrections", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows == [{
        "entry_id": str(corrected.pk), "photo_path": corrected.photo.name, "has_text": "False",
        "kind": "corrected", "predicted_emotion": "happy", "predicted_source": "face",
        "predicted_face_emotion": "happy", "predicted_text_emotion": "", "predicted_confidence": "0.7",
        "predicted_abstained": "False", "predicted_abstain_reason": "", "corrected_emotion": "sad",
        "self_mood_strength": "", "model_key": "face:scripted-face@1.0",
        "corrected_at": rows[0]["corrected_at"],
    }]
    target = tmp_path / "corrections.json"
    call_command("export_corrections", "--format", "json", "--output", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text())[0]["corrected_emotion"] == "sad"


def test_staff_see_corrections_as_labelled_examples_and_export_them(corrected, admin_client):
    page = admin_client.get("/admin/inference/correction/").content.decode()
    assert "happy" in page and "sad" in page
    response = admin_client.post("/admin/inference/correction/", {
        "action": "export_csv", "_selected_action": [Correction.objects.get().pk]})
    assert response["Content-Disposition"] == 'attachment; filename="corrections.csv"'
    assert "corrected,happy,face,happy,,0.7,False,,sad" in response.content.decode()
    # but never the entry's words or photo
    detail = admin_client.get(f"/admin/inference/correction/{Correction.objects.get().pk}/change/")
    assert corrected.text not in detail.content.decode() or not corrected.text


def test_staff_can_retry_failed_jobs_from_the_admin(member, scripted_models, admin_client):
    entry = entry_with_photo(member)
    entry.photo.storage.delete(entry.photo.name)
    pipeline.batch_run(size=4, max_wait=0)
    from inference.models import AnalysisJob

    job = AnalysisJob.objects.get(entry=entry)
    admin_client.post("/admin/inference/analysisjob/",
                      {"action": "retry_failed", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.status == "pending"
