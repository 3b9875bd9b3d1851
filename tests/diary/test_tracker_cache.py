"""The tracker's cached figures never outlive a change: every service that changes a person's
entries or readings moves them onto fresh cache keys, so an edit shows at once."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from diary import services
from diary.services import entry_create, entry_delete, entry_update
from inference.models import AnalysisJob, AnalysisResult
from inference.services import correction_set
from tests.diary.tracker_fixtures import add, d

SUMMARY = reverse("mood-summary") + "?from=2024-05-01&to=2024-05-31&prefer=self"
PAGE = reverse("tracker:overview") + "?range=month&on=2024-05-20"


def mood_on(client, day: str) -> str | None:
    [row] = [r for r in client.get(SUMMARY).json()["days"] if r["date"] == day]
    return row["emotion"]


@pytest.fixture
def may(member):
    return add(member, d("2024-05-02"), self_mood="happy")


def test_an_edit_shows_at_once(owner_client, may):
    assert mood_on(owner_client, "2024-05-02") == "happy"  # now cached
    entry_update(entry=may, self_mood="sad")
    assert mood_on(owner_client, "2024-05-02") == "sad"


def test_a_new_entry_and_a_deleted_one_show_at_once(owner_client, member, may):
    assert mood_on(owner_client, "2024-05-03") is None
    entry = entry_create(owner=member, day=d("2024-05-03"), self_mood="angry")
    assert mood_on(owner_client, "2024-05-03") == "angry"
    entry_delete(entry=entry)
    assert mood_on(owner_client, "2024-05-03") is None


def page(client) -> str:
    # Without the CSRF tokens, which Django masks afresh in every response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(PAGE).content.decode())


def test_the_tracker_page_shows_an_edit_at_once(owner_client, may):
    before = page(owner_client)
    entry_update(entry=may, self_mood="sad")
    after = page(owner_client)
    assert before != after and before.lower().count("sad") < after.lower().count("sad")
    assert page(owner_client) == after  # and is served from the cache again


def test_a_correction_of_a_reading_shows_at_once(owner_client, member):
    entry = add(member, d("2024-05-04"), ai="happy", text="A walk.")
    result = AnalysisResult.objects.create(entry=entry, emotion="happy", source="text", confidence=0.9)
    AnalysisJob.objects.create(entry=entry, status="succeeded", result=result, requested_at=timezone.now())
    assert mood_on(owner_client, "2024-05-04") == "happy"
    correction_set(entry=entry, emotion="sad")
    assert mood_on(owner_client, "2024-05-04") == "sad"


def test_a_repeat_look_is_served_from_the_cache(owner_client, may, django_assert_max_num_queries):
    owner_client.get(PAGE)
    # Session, user and preference: the figures' four aggregate queries are not run again.
    with django_assert_max_num_queries(3):
        assert owner_client.get(PAGE).status_code == 200


def test_another_person_never_gets_the_owners_cached_figures(owner_client, client, stranger, may):
    assert mood_on(owner_client, "2024-05-02") == "happy"
    client.force_login(stranger)
    assert mood_on(client, "2024-05-02") is None


def test_each_language_has_its_own_cached_page(owner_client, member, may):
    english = owner_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = owner_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert english != korean


def test_the_service_module_is_what_bumps_the_version(member):
    before = type(member).objects.get(pk=member.pk).mood_version
    services.entry_create(owner=member, day=d("2024-05-05"), self_mood="happy")
    assert type(member).objects.get(pk=member.pk).mood_version > before
