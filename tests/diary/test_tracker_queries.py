"""Queries per tracker page stay constant (at most 8) whatever the number of entries."""

import datetime

import pytest
from django.urls import reverse

from diary.services import today_for
from diary.tracker.cache import mood_changed
from tests.diary.tracker_fixtures import add, daily_history

MAX_QUERIES = 8
URLS = [
    reverse("tracker:overview"),
    reverse("tracker:overview") + "?range=year&granularity=week",
    reverse("tracker:overview") + "?range=custom&from=2020-01-01&granularity=month",
    reverse("tracker:report") + "?range=year",
    reverse("tracker:pixels"),
    reverse("mood-summary") + "?granularity=week",
    reverse("mood-summary") + "?from=2020-01-01&granularity=month",
]


@pytest.mark.parametrize("entries", [1, 1000])
@pytest.mark.parametrize("url", URLS)
def test_it_uses_a_constant_number_of_queries(owner_client, member, django_assert_max_num_queries, entries, url):
    # Given one entry today, or 1,000 daily entries up to today (some with an AI reading as well)
    today = today_for(member)
    if entries == 1:
        add(member, today, self_mood="happy", ai="sad")
    else:
        daily_history(member, today - datetime.timedelta(days=entries - 1), entries)
        add(member, today, self_mood="happy", ai="happy")
    # When the page is asked for, then it takes no more than 8 queries
    with django_assert_max_num_queries(MAX_QUERIES):
        response = owner_client.get(url)
    assert response.status_code == 200


def test_the_query_count_does_not_grow_with_the_history(owner_client, member, django_assert_num_queries):
    today = today_for(member)
    add(member, today, self_mood="happy")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        owner_client.get(reverse("tracker:overview") + "?range=year&granularity=week")
    daily_history(member, today - datetime.timedelta(days=1000), 1000)
    # A bulk insert goes round the services; say so as they would, or the cached page is served.
    mood_changed(owner_ids=[member.pk])
    with django_assert_num_queries(len(one.captured_queries)):
        owner_client.get(reverse("tracker:overview") + "?range=year&granularity=week")
