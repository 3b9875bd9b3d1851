"""A day with several entries: the calendar marks it, says its rule in the legend, and opens the
list of that day's entries — each with its mood and where that mood comes from. And the tracker's
setting: person first for everyone who did not explicitly choose otherwise."""

import pytest
from django.urls import reverse

from diary.tracker.models import TrackerPreference
from diary.tracker.selectors import tracker_preference_get
from tests.diary.tracker_fixtures import add, d

DAY = reverse("tracker:day", args=["2024-05-02"])


@pytest.fixture
def mixed_day(member):
    """2 May 2024: the member chose "neutral" in the morning; the evening's words read as sad."""
    return [
        add(member, d("2024-05-01"), self_mood="happy"),
        add(member, d("2024-05-02"), self_mood="neutral", text="Coffee with my sister."),
        add(member, d("2024-05-02"), ai="sad", text="The house is quiet tonight."),
    ]


def test_the_calendar_marks_a_day_with_several_moods_and_links_it_to_its_entries(owner_client, mixed_day):
    body = owner_client.get(reverse("tracker:overview") + "?range=month&on=2024-05-02").content.decode()
    # the legend says the rule
    assert "your own choice first" in body and "lowest mood" in body
    # the mixed day is coloured by the member's own choice, marked, and opens the day's list
    assert f'href="{DAY}" data-day-link' in body
    # the link's name starts with what it shows (WCAG 2.5.3), then says the rest
    assert '<span class="lbl">neutral</span>' in body
    assert "(my choice), " in body and "; 2 entries, several moods: neutral, sad" in body
    assert 'class="several-mark"' in body
    # a day with one entry still opens that entry
    assert reverse("diary:entry_detail", args=[mixed_day[0].pk]) in body
    assert 'id="day-panel"' in body and "js/tracker_days.js" in body


def test_a_day_coloured_by_an_automatic_reading_says_so(owner_client, member):
    add(member, d("2024-05-03"), ai="sad", text="Rain all day.")
    body = owner_client.get(reverse("tracker:overview") + "?range=month&on=2024-05-03").content.decode()
    assert 'source-ai"' in body and 'title="sad (read automatically)"' in body
    assert "dashed edge: read automatically, not your own choice" in body


def test_the_day_page_lists_the_owners_entries_with_their_moods_and_sources(owner_client, mixed_day):
    body = owner_client.get(DAY).content.decode()
    assert "2 entries" in body
    assert body.index("Coffee with my sister.") < body.index("The house is quiet tonight.")
    assert "neutral</span> <span class=\"mood-source\">(my choice)" in body
    assert "sad</span> <span class=\"mood-source\">(read automatically)" in body
    for entry in mixed_day[1:]:
        assert reverse("diary:entry_detail", args=[entry.pk]) in body


def test_a_stranger_sees_none_of_the_owners_entries_on_that_day(stranger_client, mixed_day):
    body = stranger_client.get(DAY).content.decode()
    assert "Coffee with my sister." not in body and "No entries on this day." in body


def test_the_day_page_needs_a_signed_in_person(client, mixed_day):
    response = client.get(DAY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_day_page_refuses_a_day_that_is_not_a_date(owner_client):
    response = owner_client.get(reverse("tracker:day", args=["yesterday"]))
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()


def test_year_in_pixels_links_a_day_with_several_entries_to_its_list(owner_client, mixed_day):
    body = owner_client.get(reverse("tracker:pixels") + "?year=2024").content.decode()
    assert f'href="{DAY}" data-day-link' in body and "several moods: neutral, sad" in body


def test_person_first_is_the_default_and_an_explicit_choice_is_kept(member, stranger):
    # Given one person who never touched the setting, and one who saved "the automatic reading first"
    TrackerPreference.objects.create(user=stranger, prefer="ai")
    # Then the first gets person first, the second keeps what they chose
    assert tracker_preference_get(user=member) == "self"
    assert tracker_preference_get(user=stranger) == "ai"
    assert TrackerPreference._meta.get_field("prefer").default == "self"


def test_the_setting_form_offers_person_first_first(owner_client, mixed_day):
    body = owner_client.get(reverse("tracker:overview")).content.decode()
    assert body.index('value="self" checked') < body.index('value="ai"')


def test_a_korean_reader_gets_the_rule_and_the_sources_in_korean(owner_client, member, mixed_day):
    from django.utils import translation

    member.language = "ko"
    member.save()
    with translation.override("en"):  # the middleware leaves Korean active after the request
        calendar = owner_client.get(reverse("tracker:overview") + "?range=month&on=2024-05-02").content.decode()
        day = owner_client.get(DAY).content.decode()
    assert "내가 고른 기분을 먼저 따르고" in calendar and "가장 낮은 기분으로 표시합니다" in calendar
    assert "(내가 고른 기분)" in day and "(자동 분석)" in day


def test_the_printable_report_says_whose_moods_it_counts(owner_client, mixed_day):
    body = owner_client.get(reverse("tracker:report") + "?range=custom&from=2024-05-01&to=2024-05-31").content.decode()
    body = body.replace("&#x27;", "'")
    assert "the person's own choice first; the automatic reading where they made none" in body
    assert "2 entries' moods were the person's own choice, 1 was read automatically." in body
