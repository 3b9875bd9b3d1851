"""E-mails as a mail app shows them: every link alone on its line (a Korean sentence right after
a link was taken into it: "…/을" opened a 404), from the site's name, in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User

PASSWORD = "sunny-river-walk-2026"  # noqa: S105
KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


def links_as_a_mail_app_takes_them(body: str) -> list[str]:
    """A mail app makes a link of the longest run of non-space characters that starts with http."""
    return re.findall(r"https?://\S+", body)


def assert_links_stand_alone(body: str) -> None:
    for line in body.splitlines():
        if "http" in line:
            assert re.fullmatch(r"https?://\S+", line.strip()), f"a link shares its line: {line!r}"


def path_of(link: str) -> str:
    parts = urlsplit(link)
    assert parts.netloc == "testserver", link
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_korean_sign_up_e_mail_opens_from_a_mail_app(client, db):
    # Given a person signing up in Korean
    response = client.post("/accounts/signup/", {"email": "halmeoni@example.com", "password1": PASSWORD,
                                                  "password2": PASSWORD}, **KOREAN)
    assert response.status_code == 302
    # Then the e-mail is from the site's name, in Korean, with its link on a line of its own
    message = mail.outbox[0]
    assert message.from_email.startswith(f"{settings.SITE_NAME} <")
    assert message.subject.startswith(f"[{settings.SITE_NAME}]") and "127.0.0.1" not in message.subject
    assert "이메일" in message.body or "주소" in message.body
    assert_links_stand_alone(message.body)
    links = links_as_a_mail_app_takes_them(message.body)
    assert len(links) == 2  # the confirmation link, and the site's address at the end
    # When they open each link exactly as the mail app took it
    for link in links:
        assert client.get(path_of(link) if "testserver" in link else urlsplit(link).path, **KOREAN).status_code in (
            200, 302)
    confirm = path_of(links[0])
    assert client.get(confirm, **KOREAN).status_code == 200
    client.post(confirm, **KOREAN)
    # Then the address is verified and the diary opens
    assert User.objects.get(email="halmeoni@example.com").emailaddress_set.get().verified
    assert client.get("/diary/").status_code == 200


def test_the_password_reset_and_unknown_address_e_mails_open_too(client, member):
    User.objects.filter(pk=member.pk).update(language="ko")
    client.post("/accounts/password/reset/", {"email": member.email}, **KOREAN)
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, **KOREAN)
    client.post("/accounts/signup/", {"email": member.email, "password1": PASSWORD, "password2": PASSWORD},
                **KOREAN)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert_links_stand_alone(message.body)
    reset, unknown, exists = (links_as_a_mail_app_takes_them(m.body)[0] for m in mail.outbox)
    # the reset link leads to the page for a new password
    response = client.get(path_of(reset), follow=True, **KOREAN)
    assert response.status_code == 200 and "password1" in response.content.decode()
    response = client.post(response.redirect_chain[-1][0] if response.redirect_chain else path_of(reset),
                           {"password1": PASSWORD, "password2": PASSWORD}, **KOREAN)
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)
    client.logout()
    # the other two lead to sign-up and to a new password
    assert client.get(path_of(unknown), **KOREAN).status_code == 200
    assert client.get(path_of(exists), **KOREAN).status_code == 200


E_MAIL_TEMPLATES = sorted(
    str(path.relative_to(Path(settings.BASE_DIR) / "templates"))
    for path in (Path(settings.BASE_DIR) / "templates" / "account" / "email").glob("*_message.txt")
    if path.name != "base_message.txt"  # the frame the others fill in
) + ["welfare/email/alerts_message.txt"]


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("template", E_MAIL_TEMPLATES)
def test_every_e_mail_puts_its_links_on_lines_of_their_own(template, language, member, rf):
    from django.contrib.sites.models import Site

    link = "http://testserver/accounts/some/link/key-123/"
    context = {
        "user": member, "email": member.email, "current_site": Site.objects.get_current(), "request": rf.get("/"),
        "activate_url": link, "password_reset_url": link, "signup_url": link, "url": link, "code": "",
        "caseworker": member, "count": 2, "key": "key-123",
    }
    with translation.override(language):
        body = render_to_string(template, context)
    assert link in body
    assert_links_stand_alone(body)
