import datetime
from unittest import mock

import pytest
from django.utils import timezone

from diary import services
from tests.factories import UserFactory


def test_it_dates_an_entry_by_the_owners_time_zone(db):
    # Given 2026-11-20 16:30 UTC, which is already 01:30 on the 21st in Seoul
    instant = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC)
    seoul = UserFactory(time_zone="Asia/Seoul")
    london = UserFactory(time_zone="Europe/London")
    with mock.patch.object(timezone, "now", return_value=instant):
        # when entries are written without a day, then each is about the owner's own today
        assert services.entry_create(owner=seoul, text="late").day == datetime.date(2026, 11, 21)
        assert services.entry_create(owner=london, text="evening").day == datetime.date(2026, 11, 20)


# --- An empty entry is refused (issue 15, point 6) ------------------------------------------------


def test_it_refuses_an_entry_with_no_text_no_photo_and_no_mood(member):
    with pytest.raises(services.EmptyEntry, match="This entry is empty"):
        services.entry_create(owner=member, text="   \n")
    assert not member.entries.exists()


def test_it_keeps_an_entry_with_only_a_mood(member):
    assert services.entry_create(owner=member, self_mood="sad").self_mood == "sad"


def test_it_refuses_an_edit_that_would_empty_the_entry(member):
    entry = services.entry_create(owner=member, text="A walk by the river.")
    with pytest.raises(services.EmptyEntry):
        services.entry_update(entry=entry, text="")
    entry.refresh_from_db()
    assert entry.text == "A walk by the river."
