"""The header's language choice sticks for a signed-in person; time zones are a short list of
places with the browser's own zone taken at sign-up; help texts are where aria-describedby points."""

import re

from django.urls import reverse

from accounts.models import User

PASSWORD = "sunny-river-walk-2026"  # noqa: S105


def test_the_language_selector_changes_a_signed_in_persons_language(owner_client, member):
    # Given a member whose profile says English
    User.objects.filter(pk=member.pk).update(language="en")
    # When they pick Korean in the header
    response = owner_client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/diary/"})
    # Then the profile says Korean and the next page is in Korean
    assert response.status_code == 302 and response["Location"] == "/diary/"
    assert User.objects.get(pk=member.pk).language == "ko"
    assert 'lang="ko"' in owner_client.get("/diary/").content.decode()


def test_the_language_selector_works_for_visitors_and_refuses_unknown_languages(client, db, member):
    response = client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/"})
    assert response.status_code == 302
    assert 'lang="ko"' in client.get("/accounts/login/").content.decode()
    client.force_login(member)
    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=member.pk).language == member.language


def test_sign_up_takes_the_browsers_time_zone(client, db):
    client.post("/accounts/signup/", {"email": "london@example.com", "password1": PASSWORD, "password2": PASSWORD,
                                      "time_zone": "Europe/London"})
    client.post("/accounts/signup/", {"email": "nowhere@example.com", "password1": PASSWORD, "password2": PASSWORD,
                                      "time_zone": "Mars/Olympus"})
    assert User.objects.get(email="london@example.com").time_zone == "Europe/London"
    assert User.objects.get(email="nowhere@example.com").time_zone == "Asia/Seoul"


def test_the_profile_offers_a_short_list_of_named_places_and_a_search(owner_client, member):
    User.objects.filter(pk=member.pk).update(language="ko")
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    select = page.split('name="time_zone"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert 20 <= len(options) <= 40
    assert ("Asia/Seoul", "한국 (서울)") in options
    assert 'list="time-zone-list"' in page and '<option value="Europe/Lisbon">' in page
    # a place typed into the search wins, and an unknown one is explained
    data = {"display_name": "", "language": "ko", "time_zone": "Asia/Seoul", "birth_year": ""}
    owner_client.post(reverse("accounts:profile"), {**data, "other_time_zone": "lisbon"})
    assert User.objects.get(pk=member.pk).time_zone == "Europe/Lisbon"
    response = owner_client.post(reverse("accounts:profile"), {**data, "other_time_zone": "Atlantis"})
    assert "찾을 수 없는 곳입니다" in response.content.decode()
    # and the saved message is in the language just chosen
    response = owner_client.post(reverse("accounts:profile"), data, follow=True)
    assert "프로필을 저장했습니다." in response.content.decode()


def test_every_aria_describedby_points_at_an_element_that_exists(owner_client, member):
    for url in (reverse("accounts:profile"), "/diary/new/"):
        page = owner_client.get(url).content.decode()
        ids = set(re.findall(r'\sid="([^"]+)"', page))
        pointed = {token for value in re.findall(r'aria-describedby="([^"]+)"', page) for token in value.split()}
        assert pointed, url
        assert pointed <= ids, (url, pointed - ids)
    # with errors too
    page = owner_client.post("/diary/new/", {"day": "not a date"}).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    pointed = {token for value in re.findall(r'aria-describedby="([^"]+)"', page) for token in value.split()}
    assert any(token.endswith("_error") for token in pointed) and pointed <= ids
