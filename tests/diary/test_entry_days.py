"""An entry is about a real day of the person's life: not after tomorrow in their time zone, not
before 1900 or the year they were born (issue 14, finding 8). Form and API, with clear messages."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from diary.models import Entry
from tests.factories import EntryFactory

# 20:00 UTC on 2 December is 05:00 on 3 December in Seoul, where the member lives.
NOW = datetime.datetime(2026, 12, 2, 20, 0, tzinfo=datetime.UTC)
SEOUL_TOMORROW = "2026-12-04"
SEOUL_DAY_AFTER_TOMORROW = "2026-12-05"


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def web_post(client, day: str):
    return client.post("/diary/new/", {"day": day, "text": "A day"})


@pytest.mark.parametrize(("day", "message"), [
    ("2999-01-01", "at the latest"),
    ("0001-01-01", "before 1900-01-01"),
    (SEOUL_DAY_AFTER_TOMORROW, "at the latest"),
    ("1899-12-31", "before 1900-01-01"),
])
def test_impossible_days_are_refused_in_the_form_and_the_api(owner_client, api, day, message):
    response = web_post(owner_client, day)
    assert response.status_code == 200 and message in response.content.decode()
    response = api.post("/api/v1/entries/", {"day": day, "text": "A day"}, format="json")
    assert response.status_code == 400 and message in str(response.json()["day"])
    assert not Entry.objects.exists()


def test_tomorrow_in_the_persons_own_time_zone_is_accepted(owner_client, api):
    # 4 December is "tomorrow" in Seoul although it is still 2 December in UTC
    assert web_post(owner_client, SEOUL_TOMORROW).status_code == 302
    assert api.post("/api/v1/entries/", {"day": SEOUL_TOMORROW, "text": "x"}, format="json").status_code == 201


def test_the_birth_year_is_the_earliest_day_when_the_profile_has_one(owner_client, api, member):
    member.birth_year = 1946
    member.save()
    response = web_post(owner_client, "1945-12-31")
    assert "before the year you were born (1946)" in response.content.decode()
    response = api.post("/api/v1/entries/", {"day": "1945-12-31", "text": "x"}, format="json")
    assert response.status_code == 400 and "1946" in str(response.json()["day"])
    assert web_post(owner_client, "1946-01-01").status_code == 302


def test_an_edit_cannot_move_an_entry_to_an_impossible_day(owner_client, api, member):
    entry = EntryFactory(owner=member, day=datetime.date(2026, 11, 30))
    response = owner_client.post(f"/diary/{entry.pk}/edit/", {"day": "2999-01-01", "text": "x"})
    assert response.status_code == 200 and "at the latest" in response.content.decode()
    response = api.patch(f"/api/v1/entries/{entry.pk}/", {"day": "0001-01-01"}, format="json")
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.day == datetime.date(2026, 11, 30)


def test_the_date_picker_offers_only_the_allowed_days(owner_client):
    page = owner_client.get("/diary/new/").content.decode()
    assert f'max="{SEOUL_TOMORROW}"' in page and 'min="1900-01-01"' in page
