import re

from django.core import mail

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

PASSWORD = "sunny-river-walk-2026"  # noqa: S105


def _link(message) -> str:
    return re.search(r"https?://testserver(/[A-Za-z0-9_:/.\-]+)", message.body).group(1)


def test_it_signs_up_verifies_the_email_and_logs_in(client, db):
    # Given a new person signing up in Korean
    response = client.post("/accounts/signup/", {"email": "halmeoni@example.com", "password1": PASSWORD,
                                                  "password2": PASSWORD}, HTTP_ACCEPT_LANGUAGE="ko")
    # then a verification e-mail is sent, and they are a member who keeps Korean
    assert response.status_code == 302
    user = User.objects.get(email="halmeoni@example.com")
    assert user.role == User.Role.MEMBER and user.language == "ko"
    assert len(mail.outbox) == 1
    # when they follow the link and confirm
    confirm_url = _link(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    # then the address is verified and the diary opens
    assert user.emailaddress_set.get().verified
    assert client.get("/diary/").status_code == 200


def test_it_does_not_let_an_unverified_person_in(client, db):
    client.post("/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.post("/accounts/login/", {"login": "new@example.com", "password": PASSWORD})
    assert client.get("/diary/").status_code == 302
    assert "/accounts/confirm-email/" in response["Location"]


def test_it_logs_in_with_email_and_out(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/diary/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/diary/").status_code == 302


def test_it_throttles_repeated_failed_logins(client, member):
    # Given someone guessing passwords for one account
    for _ in range(5):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong-guess"})
    # then even the right password is refused for a while, with a message saying so
    response = client.post("/accounts/login/", {"login": member.email, "password": TEST_PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/diary/").status_code == 302


def test_it_resets_a_forgotten_password(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    assert len(mail.outbox) == 1
    url = client.get(_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_it_changes_the_password(client, member):
    client.force_login(member)
    client.post("/accounts/password/change/", {"oldpassword": TEST_PASSWORD, "password1": PASSWORD,
                                               "password2": PASSWORD})
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_it_creates_a_superuser_as_staff(db):
    admin = User.objects.create_superuser("boss@example.com", "x" * 12)
    assert admin.role == User.Role.STAFF and admin.is_staff and not UserFactory().is_staff
