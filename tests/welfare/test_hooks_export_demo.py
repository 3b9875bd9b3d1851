"""Evaluation after new entries and analyses, the data download, and the demo data."""

import datetime
import io
import json
import zipfile
from io import StringIO

from django.utils import timezone

from accounts.services import user_data_export
from diary.models import Entry
from diary.services import entry_create
from diary.tracker.daily import day_moods_changed
from inference.signals import analysis_done
from tests.factories import UserFactory
from welfare.models import Alert, CaseNote, Organisation


def test_an_analysis_result_triggers_evaluation(consent, member, django_capture_on_commit_callbacks):
    entries = Entry.objects.bulk_create(
        [
            Entry(
                owner=member,
                day=timezone.localdate() - datetime.timedelta(days=i),
                ai_emotion="sad",
                ai_valence=-0.6,
            )
            for i in range(3)
        ]
    )
    day_moods_changed(days=[(member.pk, entry.day) for entry in entries])  # as the worker stores readings
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done.send(sender=None, entry_id=entries[0].pk, status="done")
    assert Alert.objects.filter(consent=consent, kind=Alert.Kind.NEGATIVE_MOOD).exists()


def test_a_new_entry_ends_a_quiet_spell_at_once(consent, member, django_capture_on_commit_callbacks):
    consent.granted_at = timezone.now() - datetime.timedelta(days=10)
    consent.save()
    from welfare.evaluation import alerts_evaluate

    alerts_evaluate()
    alert = Alert.objects.get(consent=consent)

    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="", self_mood="happy")

    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_automatically


def test_people_without_a_centre_trigger_nothing(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry_create(owner=member, text="", self_mood="happy")
    assert not any("welfare" in repr(callback) for callback in callbacks)


def test_the_data_download_holds_the_welfare_records(consent, member, caseworker):
    CaseNote.objects.create(consent=consent, author=caseworker, author_name=str(caseworker), text="Phoned.")
    data = json.loads(zipfile.ZipFile(io.BytesIO(user_data_export(user=member))).read("data.json"))
    welfare = data["welfare"]
    assert welfare["links"][0]["consent_text_version"] == 2
    assert welfare["consent_records"][0]["action"] == "granted"
    assert welfare["case_notes"][0]["text"] == "Phoned."


def test_the_demo_links_the_member_to_the_caseworker(db):
    from welfare.demo import load_demo

    member = UserFactory()
    caseworker = UserFactory(role="caseworker")
    out = StringIO()
    load_demo(member=member, caseworker=caseworker, stdout=out)
    load_demo(member=member, caseworker=caseworker, stdout=out)  # twice changes nothing

    organisation = Organisation.objects.get()
    consent = member.welfare_consents.get()
    assert consent.caseworker == caseworker and consent.share_text and consent.organisation == organisation
    assert organisation.code in out.getvalue()
