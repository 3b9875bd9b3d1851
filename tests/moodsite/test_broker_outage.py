"""With the broker unreachable, nobody sees an error page: the data is saved, the failure logged,
and the recovery tasks send the work once the broker is back (issue 14, finding 3).

These use a real Celery app pointed at a closed port, so every send after commit really fails,
and transactional_db, so that on_commit callbacks run inside the request as in production.
"""

import datetime
import logging

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from diary.models import Entry
from moodsite import tasking
from music.compositions.models import Composition
from tests.factories import EntryFactory
from tests.welfare.conftest import OrganisationFactory, link, make_caseworker

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(transactional_db, monkeypatch):
    from moodsite.celery import app
    from tests.inference.pipeline_fixtures import broker_connections_reset

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
    app.conf.update(task_always_eager=False, broker_url=UNREACHABLE_BROKER)
    broker_connections_reset(app)
    yield app
    monkeypatch.undo()
    app.conf.update(saved)
    broker_connections_reset(app)


@pytest.fixture
def sharing_member(member):
    from welfare.models import ConsentText

    # transactional_db empties the tables after each test, the published consent text too
    ConsentText.objects.get_or_create(version=1, defaults={"body_en": "Consent v1", "body_ko": "동의서 v1"})
    organisation = OrganisationFactory()
    link(member, organisation, make_caseworker(organisation))
    return member


def test_saving_an_entry_as_a_member_who_shares_with_a_centre_gives_no_error_page(
    broker_down, client, sharing_member, caplog
):
    # Given a member who shares with a centre (so saving sends the alert re-evaluation too)
    client.force_login(sharing_member)
    # when they save an entry while the broker cannot be reached
    with caplog.at_level(logging.WARNING, logger="moodsite.tasking"):
        response = client.post("/diary/new/", {"day": timezone.localdate().isoformat(), "text": "A long day"})
    # then they see their saved entry, not a 500, and the entry is kept once
    assert response.status_code == 302
    assert Entry.objects.filter(owner=sharing_member, text="A long day").count() == 1
    # and the failed sends are logged for the operators
    assert "evaluate_client_alerts_task" in caplog.text


def test_the_api_saves_an_entry_too(broker_down, sharing_member):
    api = APIClient()
    api.force_authenticate(sharing_member)
    response = api.post("/api/v1/entries/", {"text": "From the app"}, format="json")
    assert response.status_code == 201
    assert Entry.objects.filter(owner=sharing_member, text="From the app").exists()


def test_asking_for_a_piece_keeps_it_pending_and_the_recovery_sends_it_later(
    broker_down, client, member, monkeypatch
):
    # Given a member asking for a piece of music while the broker is down
    entry = EntryFactory(owner=member, self_mood="sad")
    client.force_login(member)
    response = client.post(f"/music/compositions/entries/{entry.pk}/compose/", {"target": "calm", "duration_s": "30"})
    # then the page answers normally and the piece waits
    assert response.status_code == 302
    piece = Composition.objects.get()
    assert piece.status == Composition.Status.PENDING
    # when the broker is back and the recovery runs after the piece has waited a while
    from music.compositions import services

    sent = []
    monkeypatch.setattr(services, "send", lambda task, *args, **kwargs: sent.append((task.name, args)) or True)
    later = timezone.now() + services.PENDING_STALE_AFTER + datetime.timedelta(seconds=1)
    assert services.composition_recover(now=later) == 1
    # then the lost piece is sent again
    assert sent == [("music.compositions.compose", (piece.pk,))]


def test_the_recovery_leaves_a_piece_that_was_just_asked_for(db, member):
    from music.compositions import services

    entry = EntryFactory(owner=member, self_mood="sad")
    Composition.objects.create(owner=member, entry=entry, target="calm", start_valence=0, start_arousal=0,
                               target_valence=0.5, target_arousal=-0.4, duration_s=30, seed=1)
    assert services.composition_recover() == 0


def test_send_reports_an_unreachable_broker_instead_of_raising(broker_down):
    from welfare.tasks import evaluate_client_alerts_task

    assert tasking.send(evaluate_client_alerts_task, 1) is False
