"""HTML and JSON pages go gzip-compressed to browsers that accept it; pages that show a secret
(two-factor set-up, recovery codes, API tokens) never do (BREACH: see HtmlGZipMiddleware)."""

import gzip
import re

import pytest
from django.http import HttpResponse
from django.urls import reverse

from moodsite.middleware import HtmlGZipMiddleware
from tests.diary.tracker_fixtures import add, d


def test_it_compresses_the_tracker_page_for_its_owner(owner_client, member):
    add(member, d("2024-05-02"), self_mood="happy")
    url = reverse("tracker:overview") + "?range=year&on=2024-05-01"

    response = owner_client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert response["Cache-Control"] == "private, no-store"
    plain = owner_client.get(url).content.decode()
    assert without_csrf(gzip.decompress(response.content).decode()) == without_csrf(plain)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_it_sends_plain_html_to_browsers_that_do_not_ask_for_gzip(owner_client):
    response = owner_client.get(reverse("tracker:overview"))
    assert not response.has_header("Content-Encoding")


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/totp/activate/", "/accounts/2fa/recovery-codes/", "/api/v1/auth/token/"]
)
def test_it_never_compresses_a_page_that_shows_a_secret(rf, path):
    middleware = HtmlGZipMiddleware(lambda request: HttpResponse("<p>secret</p>" * 100))
    assert not middleware(rf.get(path, HTTP_ACCEPT_ENCODING="gzip")).has_header("Content-Encoding")
    assert middleware(rf.get("/diary/", HTTP_ACCEPT_ENCODING="gzip"))["Content-Encoding"] == "gzip"


def test_it_compresses_the_mood_summary_json(owner_client):
    response = owner_client.get(reverse("mood-summary") + "?from=2024-01-01&to=2024-12-31",
                                HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
