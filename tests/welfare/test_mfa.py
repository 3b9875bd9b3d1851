"""Two-factor sign-in for caseworkers: set up before any client is shown, used in the session,
and required on the API (sessions with a code, or welfare tokens minted with a code)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.welfare.conftest import enable_totp, enter_code, link, totp_code
from welfare.models import AccessLog


@pytest.fixture
def shared(member, organisation, caseworker):
    return link(member, organisation, caseworker)


def test_a_caseworker_without_totp_is_sent_to_set_it_up(client, caseworker, shared):
    client.force_login(caseworker)

    for url in (reverse("welfare:dashboard"), reverse("welfare:client_detail", args=[shared.pk])):
        response = client.get(url, follow=False)
        assert response.status_code == 302 and response["Location"] == reverse("welfare:two_factor_start")

    page = client.get(reverse("welfare:dashboard"), follow=True)
    assert "Set up two-factor sign-in" in page.content.decode()
    assert reverse("mfa_activate_totp") in page.content.decode()
    assert not AccessLog.objects.exists()


def test_a_password_only_session_is_asked_for_a_code(client, caseworker, shared):
    # Given a caseworker with TOTP who signed in by password only (e.g. a session from before setup)
    secret = enable_totp(caseworker)
    client.force_login(caseworker)

    response = client.get(reverse("welfare:client_detail", args=[shared.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert f"next=%2Fwelfare%2Fclients%2F{shared.pk}%2F" in response["Location"]
    assert not AccessLog.objects.exists()

    # When they enter the current code, they get there
    enter_code(client, secret)
    assert client.get(reverse("welfare:client_detail", args=[shared.pk])).status_code == 200


def test_a_wrong_code_does_not_open_the_dashboard(client, caseworker):
    enable_totp(caseworker)
    client.force_login(caseworker)
    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert client.get(reverse("welfare:dashboard")).status_code == 302


def test_the_full_sign_in_with_password_and_code_opens_the_dashboard(client, caseworker, shared):
    secret = enable_totp(caseworker)

    response = client.post(reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302

    assert client.get(reverse("welfare:dashboard")).status_code == 200


def test_turning_totp_off_closes_access_again(caseworker_client, caseworker, shared):
    assert caseworker_client.get(reverse("welfare:dashboard")).status_code == 200
    Authenticator.objects.filter(user=caseworker).delete()
    response = caseworker_client.get(reverse("welfare:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("welfare:two_factor_start")


def test_members_do_not_need_two_factor_for_their_own_pages(client, member):
    client.force_login(member)
    assert client.get(reverse("welfare:care")).status_code == 200
    assert client.get(reverse("welfare:access_log")).status_code == 200


# --- The API -----------------------------------------------------------------------------------


def test_the_api_refuses_a_session_without_a_code(client, caseworker, shared):
    enable_totp(caseworker)
    client.force_login(caseworker)
    response = client.get("/api/v1/welfare/clients/")
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]


def test_the_api_accepts_a_session_with_a_code(caseworker_client, shared):
    response = caseworker_client.get("/api/v1/welfare/clients/")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_plain_api_token_is_refused(client, caseworker, shared):
    from accounts.tokens import api_token_issue

    enable_totp(caseworker)
    _token, key = api_token_issue(user=caseworker)
    response = client.get("/api/v1/welfare/clients/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403 and "/api/v1/welfare/token/" in response.json()["detail"]


def test_a_token_plus_a_code_gives_a_welfare_token(client, caseworker, shared):
    from accounts.tokens import api_token_issue

    secret = enable_totp(caseworker)
    _token, key = api_token_issue(user=caseworker)

    response = client.post(
        "/api/v1/welfare/token/",
        {"code": totp_code(secret)},
        HTTP_AUTHORIZATION=f"Token {key}",
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    welfare = response.json()["token"]
    assert response.json()["expires_in"] == 8 * 60 * 60
    listing = client.get("/api/v1/welfare/clients/", HTTP_AUTHORIZATION=f"Welfare {welfare}")
    assert listing.status_code == 200 and listing.json()["results"][0]["id"] == shared.pk


def test_a_welfare_token_stops_when_the_password_changes(caseworker_client, caseworker, shared):
    token = _token_via_session(caseworker_client, caseworker)
    header = {"HTTP_AUTHORIZATION": f"Welfare {token}"}
    assert caseworker_client.get("/api/v1/welfare/clients/", **header).status_code == 200

    caseworker.set_password("another-long-password-17")
    caseworker.save()
    assert caseworker_client.get("/api/v1/welfare/clients/", **header).status_code in (401, 403)


def _token_via_session(http, caseworker) -> str:
    """Mint a welfare token with the code of the caseworker's TOTP (decrypting the stored secret)."""
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    cache.clear()  # the sign-in used this period's code: as if the next 30 seconds had come
    secret = decrypt(Authenticator.objects.get(user=caseworker, type="totp").data["secret"])
    response = http.post("/api/v1/welfare/token/", {"code": totp_code(secret)}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_welfare_token_stops_when_totp_is_turned_off(caseworker_client, caseworker, shared):
    token = _token_via_session(caseworker_client, caseworker)
    Authenticator.objects.filter(user=caseworker).delete()
    response = caseworker_client.get("/api/v1/welfare/clients/", HTTP_AUTHORIZATION=f"Welfare {token}")
    assert response.status_code in (401, 403)


def test_a_forged_or_expired_token_is_refused(caseworker_client, caseworker, shared, settings):
    response = caseworker_client.get("/api/v1/welfare/clients/", HTTP_AUTHORIZATION="Welfare not-a-token")
    assert response.status_code in (401, 403) and "Invalid welfare token" in response.json()["detail"]

    token = _token_via_session(caseworker_client, caseworker)
    settings.WELFARE_API_TOKEN_MAX_AGE = -1
    response = caseworker_client.get("/api/v1/welfare/clients/", HTTP_AUTHORIZATION=f"Welfare {token}")
    assert response.status_code in (401, 403) and "expired" in response.json()["detail"]


def test_wrong_codes_are_refused_and_throttled(client, caseworker):
    enable_totp(caseworker)
    client.force_login(caseworker)
    for _ in range(5):
        response = client.post("/api/v1/welfare/token/", {"code": "000000"}, content_type="application/json")
        assert response.status_code == 400 and "not right" in response.json()["code"][0]
    response = client.post("/api/v1/welfare/token/", {"code": "000000"}, content_type="application/json")
    assert response.status_code == 429


def test_a_caseworker_without_totp_is_told_to_set_it_up(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/api/v1/welfare/token/", {"code": "123456"}, content_type="application/json")
    assert response.status_code == 400 and "Set up two-factor sign-in" in response.json()["code"][0]


def test_members_get_no_welfare_token(client, member):
    client.force_login(member)
    response = client.post("/api/v1/welfare/token/", {"code": "123456"}, content_type="application/json")
    assert response.status_code == 403
