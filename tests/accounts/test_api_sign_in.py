"""API sign-in is the web login: the same lockout (per account and per client IP, behind a proxy
too), the same e-mail verification, two-factor sign-in, and tokens that expire and can be revoked.

Written as the attacks of the probe in issue 14: guessing passwords on POST /api/v1/auth/token/,
signing in with an unverified address, and locking everybody out by cycling e-mails.
"""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_issue
from tests.conftest import verified
from tests.factories import TEST_PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"  # noqa: S105 - a URL
PASSWORD = "sunny-river-walk-2026"  # noqa: S105
# ACCOUNT_RATE_LIMITS["login_failed"] = "20/m/ip,5/5m/key"
ACCOUNT_FAILURES, ACCOUNT_LOCK_SECONDS, IP_FAILURES = 5, 300, 20


def api_sign_in(email: str, password: str, ip: str = "203.0.113.5", **extra):
    return APIClient().post(TOKEN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip, **extra)


def web_sign_in(client, email: str, password: str, ip: str = "203.0.113.5", **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip, **extra)


def web_signed_in(client) -> bool:
    return client.get("/diary/").status_code == 200


def api_works(response) -> bool:
    return response.status_code == 200 and "token" in response.json()


@pytest.fixture
def later(monkeypatch):
    """Move the clock forward (allauth's rate limits and the local cache both read time.time):
    later(s) is s seconds from now, later(s, since=t) s seconds after the moment t."""
    real = time.time

    def move(seconds: float, since: float | None = None) -> None:
        if since is None:
            monkeypatch.setattr(time, "time", lambda: real() + seconds)
        else:
            monkeypatch.setattr(time, "time", lambda: since + seconds)

    return move


def test_the_token_endpoint_refuses_guessing_and_then_the_right_password(member):
    # Given an attacker guessing the member's password on the API, 30 times
    statuses = [api_sign_in(member.email, f"guess-{n}").status_code for n in range(30)]
    # then the first 5 wrong answers are refused as wrong and the rest as locked out
    assert statuses[:ACCOUNT_FAILURES] == [400] * ACCOUNT_FAILURES
    assert set(statuses[ACCOUNT_FAILURES:]) == {429}
    # and the right password no longer returns a token while the account is locked, from any address
    assert api_sign_in(member.email, TEST_PASSWORD).status_code == 429
    response = api_sign_in(member.email, TEST_PASSWORD, ip="192.0.2.77")
    assert response.status_code == 429 and "Too many failed login attempts" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("channel", ["web", "api"])
def test_both_doors_lock_after_the_same_number_of_failures(client, db, channel):
    # Given two accounts, one failing one time fewer than the lockout and one failing exactly that often
    almost, locked = verified(UserFactory()), verified(UserFactory())
    fail = (lambda email: web_sign_in(client, email, "wrong")) if channel == "web" else (
        lambda email: api_sign_in(email, "wrong"))
    for _ in range(ACCOUNT_FAILURES - 1):
        fail(almost.email)
    for _ in range(ACCOUNT_FAILURES):
        fail(locked.email)
    # then on either door the first still signs in, the second is locked, whichever door failed
    assert api_works(api_sign_in(almost.email, TEST_PASSWORD))
    assert api_sign_in(locked.email, TEST_PASSWORD).status_code == 429
    web = Client()
    assert "Too many failed login attempts" in web_sign_in(web, locked.email, TEST_PASSWORD).content.decode()
    assert not web_signed_in(web)


def test_failures_on_the_web_lock_the_api_and_both_unlock_after_the_same_time(client, member, later):
    # Given 5 failed web logins for one account
    first = time.time()
    for _ in range(ACCOUNT_FAILURES):
        web_sign_in(client, member.email, "wrong")
    last = time.time()
    # then the API is locked for that account too, still a second before the lock ends
    later(ACCOUNT_LOCK_SECONDS - 1, since=first)
    assert api_sign_in(member.email, TEST_PASSWORD).status_code == 429
    assert "Too many failed login attempts" in web_sign_in(client, member.email, TEST_PASSWORD).content.decode()
    # and when the lock ends, both doors open again
    later(ACCOUNT_LOCK_SECONDS + 1, since=last)
    assert api_works(api_sign_in(member.email, TEST_PASSWORD))
    web_sign_in(client, member.email, TEST_PASSWORD)
    assert web_signed_in(client)


def test_failures_on_the_api_lock_the_web_login(client, member):
    for _ in range(ACCOUNT_FAILURES):
        api_sign_in(member.email, "wrong")
    response = web_sign_in(client, member.email, TEST_PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert not web_signed_in(client)


def test_cycling_emails_does_not_lock_out_a_right_password_from_another_address(client, member):
    # Given an attacker at one IP trying 30 random e-mails (more than the per-IP limit)
    for n in range(30):
        api_sign_in(f"random{n}@example.com", "guess", ip="198.51.100.66")
        web_sign_in(client, f"random{n}@example.com", "guess", ip="198.51.100.66")
    # then the attacker's own address is locked out
    assert api_sign_in(member.email, TEST_PASSWORD, ip="198.51.100.66").status_code == 429
    # and the member, at another address, signs in with the right password on both doors
    assert api_works(api_sign_in(member.email, TEST_PASSWORD, ip="203.0.113.9"))
    web = Client()
    web_sign_in(web, member.email, TEST_PASSWORD, ip="203.0.113.9")
    assert web_signed_in(web)


def test_behind_a_proxy_each_client_is_counted_at_its_own_address(settings, member):
    # Given the site behind one proxy: every request comes from the proxy's address, and the proxy
    # appends the real client address to X-Forwarded-For
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # when an attacker cycles e-mails, forging X-Forwarded-For entries of their own at the front
    for n in range(30):
        api_sign_in(f"random{n}@example.com", "guess", ip=proxy,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.66")
    # then the forged entries do not help: the attacker's real address is locked out
    locked = api_sign_in(member.email, TEST_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.66")
    assert locked.status_code == 429
    # and the member, through the same proxy from another address, is not
    assert api_works(api_sign_in(member.email, TEST_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"))


def test_without_the_proxy_setting_everybody_behind_the_proxy_shares_one_count(settings, member):
    # The fault the setting fixes: with ALLAUTH_TRUSTED_PROXY_COUNT unset, the proxy's address is
    # all the site sees, so an attacker's failures lock out the next person.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(IP_FAILURES):
        api_sign_in(f"random{n}@example.com", "guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert api_sign_in(member.email, TEST_PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code \
        == 429


def test_an_unverified_address_gets_no_token_and_the_message_of_the_web(client, db, later):
    # Given a person who signed up but never clicked the link in the e-mail
    client.post("/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    mail.outbox.clear()
    web_page = client.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}, follow=True)
    # when, once allauth's resend cooldown has passed, they sign in on the API with the right password
    later(60 * 60)
    response = api_sign_in("new@example.com", PASSWORD)
    # then they get no token, the sentence the web login shows, and (like the web) the e-mail again
    assert response.status_code == 403
    message = response.json()["detail"]
    assert message.startswith("We have sent an email to you for verification.")
    assert message in " ".join(web_page.content.decode().split())
    assert not ApiToken.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    # and they cannot write entries through the API
    assert APIClient().post("/api/v1/entries/", {"text": "hi"}, format="json").status_code in (401, 403)


def test_an_account_with_two_factor_sign_in_needs_its_code(member):
    from tests.welfare.conftest import enable_totp, totp_code

    secret = enable_totp(member)
    refused = api_sign_in(member.email, TEST_PASSWORD)
    assert refused.status_code == 400 and "two-factor" in refused.json()["code"][0]
    wrong = APIClient().post(TOKEN_URL, {"username": member.email, "password": TEST_PASSWORD, "code": "000000"})
    assert wrong.status_code == 400 and not ApiToken.objects.exists()
    right = APIClient().post(TOKEN_URL, {"username": member.email, "password": TEST_PASSWORD,
                                         "code": totp_code(secret)})
    assert api_works(right)


def test_tokens_expire_after_the_configured_lifetime(settings, member, later):
    # Given a token issued under a one-hour lifetime
    settings.API_TOKEN_MAX_AGE = 3600
    key = api_sign_in(member.email, TEST_PASSWORD, HTTP_USER_AGENT="Grandma's phone").json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/entries/").status_code == 200
    # when the hour has passed
    ApiToken.objects.update(expires_at=ApiToken.objects.get().created_at)
    # then it is refused with a sentence saying how to sign in again
    response = api.get("/api/v1/entries/")
    assert response.status_code in (401, 403) and "expired" in response.json()["detail"]


def test_the_lifetime_comes_from_the_setting(settings, member):
    settings.API_TOKEN_MAX_AGE = 120
    token, _key = api_token_issue(user=member)
    assert 119 <= (token.expires_at - token.created_at).total_seconds() <= 121


def test_the_profile_lists_devices_and_signs_one_out(owner_client, member):
    # Given a member signed in on two devices
    phone = api_sign_in(member.email, TEST_PASSWORD, HTTP_USER_AGENT="Galaxy phone").json()["token"]
    tablet = api_sign_in(member.email, TEST_PASSWORD, HTTP_USER_AGENT="iPad").json()["token"]
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "Galaxy phone" in page and "iPad" in page and "Sign out this device" in page
    # when they sign out the phone
    token = ApiToken.objects.get(device="Galaxy phone")
    response = owner_client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    # then the phone's token no longer works and the tablet's does
    assert response.status_code == 302
    assert APIClient(HTTP_AUTHORIZATION=f"Token {phone}").get("/api/v1/entries/").status_code in (401, 403)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {tablet}").get("/api/v1/entries/").status_code == 200
    assert "Galaxy phone" not in owner_client.get(reverse("accounts:profile")).content.decode()


def test_a_stranger_cannot_sign_out_someone_elses_device(stranger_client, member):
    token, key = api_token_issue(user=member, device="phone")
    assert stranger_client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    assert stranger_client.post(reverse("accounts:api_token_revoke_all")).status_code == 302
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/entries/").status_code == 200


def test_anonymous_people_cannot_sign_out_devices(client, member):
    token, _key = api_token_issue(user=member)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_signing_out_all_devices(owner_client, member):
    api_token_issue(user=member)
    api_token_issue(user=member)
    owner_client.post(reverse("accounts:api_token_revoke_all"))
    assert not ApiToken.objects.filter(user=member).exists()
