import datetime
from unittest import mock

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
