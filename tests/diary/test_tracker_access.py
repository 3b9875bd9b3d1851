"""Who may see what: every tracker page, download and endpoint, for the owner, a stranger and
someone not signed in; and the clear 400s for requests that make no sense."""

import csv
import io
import json

import pytest
from django.urls import reverse

from diary.tracker.models import TrackerPreference
from tests.diary.tracker_fixtures import add, d

PAGES = [
    reverse("tracker:overview") + "?range=month&on=2024-05-20",
    reverse("tracker:overview") + "?range=year&on=2024-05-01",
    reverse("tracker:pixels") + "?year=2024",
    reverse("tracker:report") + "?from=2024-05-01&to=2024-05-31",
]
DOWNLOADS = [reverse("tracker:export_csv"), reverse("tracker:export_json")]
SUMMARY = reverse("mood-summary")


@pytest.fixture
def history(member):
    """The owner's May 2024: a secret-looking mood on 2 May that no one else may see."""
    return [
        add(member, d("2024-05-01"), self_mood="happy", ai="happy"),
        add(member, d("2024-05-02"), self_mood="sad", ai="fear"),
    ]


@pytest.mark.parametrize("url", [reverse("tracker:overview"), *PAGES, *DOWNLOADS])
def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_refuses_the_summary_endpoint_to_anonymous_visitors(client):
    assert client.get(SUMMARY).status_code in (401, 403)


@pytest.mark.parametrize("url", PAGES)
def test_it_shows_the_owner_their_tracker_pages(owner_client, history, url):
    response = owner_client.get(url)
    assert response.status_code == 200
    assert reverse("diary:entry_detail", args=[history[1].pk]) in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_it_shows_a_stranger_only_their_own_empty_tracker(stranger_client, history, url):
    response = stranger_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for entry in history:
        assert reverse("diary:entry_detail", args=[entry.pk]) not in body


def test_the_owners_calendar_links_open_and_a_strangers_do_not(owner_client, client, stranger, history):
    link = reverse("diary:entry_detail", args=[history[1].pk])
    assert owner_client.get(link).status_code == 200
    client.force_login(stranger)
    assert client.get(link).status_code == 404


def test_the_endpoint_gives_the_owner_their_series(owner_client, history):
    response = owner_client.get(SUMMARY, {"from": "2024-05-01", "to": "2024-05-07", "granularity": "day"})
    assert response.status_code == 200
    data = response.json()
    # (the person chose "sad" for this entry; the reading said "fear": their choice comes first)
    assert data["days"][1] | {"rolling_mean": None} == {
        "date": "2024-05-02", "entries": 1, "valence": -0.63, "rolling_mean": None, "emotion": "sad",
        "source": "self", "moods": 1, "entry_id": history[1].pk}
    assert data["agreement"] == {"both": 2, "agree": 1, "percent": 50.0}
    # the legend lists the moods from the lowest to the highest
    assert [e["key"] for e in data["emotions"]] == ["fear", "sad", "disgust", "angry", "neutral", "surprise", "happy"]
    assert "your own choice first" in data["day_rule"]
    assert data["entry_url"] == "/diary/0/"


def test_the_endpoint_never_shows_a_stranger_the_owners_entries(stranger_client, history):
    data = stranger_client.get(SUMMARY, {"from": "2024-05-01", "to": "2024-05-07"}).json()
    assert data["totals"]["entries"] == 0
    assert all(day["entries"] == 0 and day["entry_id"] is None for day in data["days"])


def test_the_endpoint_takes_a_token_too(client, member, history):
    from accounts.tokens import api_token_issue

    _token, key = api_token_issue(user=member)
    response = client.get(SUMMARY, {"from": "2024-05-01", "to": "2024-05-02"},
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["totals"]["entries"] == 2


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"from": "yesterday"}, "from", "YYYY-MM-DD"),
    ({"to": "2024-02-30"}, "to", "is not a date"),
    ({"from": "2024-06-01", "to": "2024-05-01"}, "from", "on or before"),
    ({"from": "2000-01-01", "to": "2024-05-01"}, "to", "at most 3660 days"),
    ({"granularity": "hour"}, "granularity", "day, week or month"),
    ({"prefer": "robot"}, "prefer", "“ai” or “self”"),
])
def test_the_endpoint_answers_400_with_a_clear_message(owner_client, params, field, words):
    response = owner_client.get(SUMMARY, params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["detail"]


@pytest.mark.parametrize("query", [
    "?range=fortnight", "?range=custom", "?range=custom&from=2024-05-09&to=2024-05-01", "?on=someday",
    "?granularity=hour",
])
def test_the_pages_answer_400_with_a_clear_message(owner_client, query):
    for name in ("tracker:overview", "tracker:report"):
        response = owner_client.get(reverse(name) + query)
        assert response.status_code == 400
        assert b'role="alert"' in response.content


@pytest.mark.parametrize("year", ["abc", "0", "99999", "-1"])
def test_year_in_pixels_refuses_a_year_that_is_not_one(owner_client, year):
    response = owner_client.get(reverse("tracker:pixels"), {"year": year})
    assert response.status_code == 400


def test_year_in_pixels_has_a_square_for_every_day(owner_client, history):
    body = owner_client.get(reverse("tracker:pixels"), {"year": "2024"}).content.decode()
    assert body.count('class="px') == 366  # 2024 is a leap year


def test_the_csv_export_holds_only_the_owners_moods(owner_client, stranger, history):
    add(stranger, d("2024-05-03"), self_mood="angry")
    response = owner_client.get(reverse("tracker:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["date"], r["mood"], r["source"], r["self_mood"], r["ai_emotion"]) for r in rows] == [
        ("2024-05-01", "happy", "self", "happy", "happy"), ("2024-05-02", "sad", "self", "sad", "fear")]
    assert "text" not in rows[0]


def test_the_json_export_follows_the_persons_explicit_preference_and_range(owner_client, member, history):
    TrackerPreference.objects.create(user=member, prefer="ai")
    response = owner_client.get(reverse("tracker:export_json"), {"from": "2024-05-02"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["prefer"] == "ai" and document["time_zone"] == member.time_zone
    assert "automatic reading (source 'ai') when there is one" in document["mood_rule"]
    assert [(e["date"], e["mood"], e["source"], e["valence"]) for e in document["entries"]] == [
        ("2024-05-02", "fear", "ai", -0.64)]


def test_the_json_export_puts_the_persons_choice_first_by_default(owner_client, member, history):
    document = json.loads(owner_client.get(reverse("tracker:export_json")).content)
    assert document["prefer"] == "self"
    assert [(e["mood"], e["source"]) for e in document["entries"]] == [("happy", "self"), ("sad", "self")]


def test_a_stranger_downloads_only_their_own_empty_history(stranger_client, history):
    document = json.loads(stranger_client.get(reverse("tracker:export_json")).content)
    assert document["entries"] == []


def test_the_export_refuses_a_backwards_range(owner_client):
    response = owner_client.get(reverse("tracker:export_csv"), {"from": "2024-05-02", "to": "2024-05-01"})
    assert response.status_code == 400


def test_the_person_chooses_whose_reading_colours_their_days(owner_client, member, history):
    response = owner_client.post(reverse("tracker:preference"), {"prefer": "self", "next": "/tracker/?range=week"})
    assert response.status_code == 302 and response["Location"] == "/tracker/?range=week"
    assert TrackerPreference.objects.get(user=member).prefer == "self"
    data = owner_client.get(SUMMARY, {"from": "2024-05-02", "to": "2024-05-02"}).json()
    assert data["prefer"] == "self" and data["days"][0]["emotion"] == "sad"
    # and the endpoint can be asked for the other reading without changing the setting
    assert owner_client.get(SUMMARY, {"from": "2024-05-02", "to": "2024-05-02", "prefer": "ai"}).json()[
        "days"][0]["emotion"] == "fear"


def test_the_preference_only_goes_back_to_this_site(owner_client, member):
    response = owner_client.post(reverse("tracker:preference"), {"prefer": "ai", "next": "https://evil.example/"})
    assert response["Location"] == reverse("tracker:overview")


def test_the_preference_refuses_nonsense_and_get(owner_client, member):
    owner_client.post(reverse("tracker:preference"), {"prefer": "robot"})
    assert not TrackerPreference.objects.filter(user=member).exists()
    assert owner_client.get(reverse("tracker:preference")).status_code == 405


def test_the_preference_needs_a_signed_in_person(client, db):
    response = client.post(reverse("tracker:preference"), {"prefer": "self"})
    assert response.status_code == 302 and TrackerPreference.objects.count() == 0


def test_the_navigation_links_to_the_tracker(owner_client):
    assert f'href="{reverse("tracker:overview")}"' in owner_client.get(reverse("diary:entry_list")).content.decode()
