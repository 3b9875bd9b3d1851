"""A caseworker's first sign-in is one guided path, with no loop:
sign-in -> what an authenticator app is -> QR code and key -> one code -> recovery codes -> dashboard."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.welfare.conftest import enable_totp, totp_code


@pytest.mark.django_db(transaction=True)  # allauth announces a new authenticator after the commit
def test_it_leads_a_new_caseworker_from_sign_in_to_the_dashboard(client, caseworker):
    # Given a caseworker who has never set up two-factor sign-in
    # When they sign in with their password, they land on the explanation (their home is the dashboard)
    response = client.post(reverse("account_login"), {"login": caseworker.email, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("welfare:dashboard")
    response = client.get(reverse("welfare:dashboard"))
    assert response["Location"] == reverse("welfare:two_factor_start")
    start = client.get(response["Location"]).content.decode()
    assert "authenticator app" in start and reverse("mfa_activate_totp") in start

    # And the next step shows the QR code and the key to type, in groups of four
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    body = page.content.decode()
    assert "data:image/svg+xml;base64," in body
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in body

    # And one code switches it on and shows the recovery codes
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(response["Location"]).content.decode()
    assert "I have saved them, continue" in codes
    assert len(re.findall(r"<li><code>\w+</code></li>", codes)) == 10

    # Then "continue" opens the dashboard at once: no second code, no password
    assert f'href="{reverse("welfare:dashboard")}"' in codes
    assert client.get(reverse("welfare:dashboard")).status_code == 200
    assert Authenticator.objects.filter(user=caseworker, type=Authenticator.Type.TOTP).exists()


def test_a_caseworker_asked_for_a_code_is_not_offered_the_password_loop(client, caseworker):
    # Given a caseworker with an authenticator whose session shows the password only
    enable_totp(caseworker)
    client.force_login(caseworker)
    # When the dashboard asks them to confirm it is them
    location = client.get(reverse("welfare:dashboard"))["Location"]
    page = client.get(location).content.decode()
    # Then the page offers the code only: "use your password" led back to this page for ever
    assert reverse("account_reauthenticate") not in page


def test_the_explanation_is_for_caseworkers_only_and_not_shown_again(client, member, caseworker):
    client.force_login(member)
    assert client.get(reverse("welfare:two_factor_start")).status_code == 403
    enable_totp(caseworker)
    client.force_login(caseworker)
    assert client.get(reverse("welfare:two_factor_start"))["Location"] == reverse("welfare:dashboard")
    client.logout()
    assert client.get(reverse("welfare:two_factor_start"))["Location"].startswith(reverse("account_login"))


def test_members_still_land_on_their_diary(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("diary:entry_list")
