"""Welfare fixtures: a centre with its caseworker, a consenting client, two-factor sign-in, and
hand-built diary histories."""

import datetime
import time

import factory
import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from diary.models import Entry
from diary.services import today_for
from moodsite.emotions import CIRCUMPLEX
from tests.conftest import verified
from tests.factories import UserFactory
from welfare import services
from welfare.models import Consent, Membership, Organisation
from welfare.selectors import current_consent_text


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Centre {n}")


@pytest.fixture(autouse=True)
def _totp_period_boundary(settings):
    # allauth accepts only the current 30-second period by default; a code computed just before
    # a boundary would be checked just after it and fail at random.
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth remembers used TOTP codes in the cache, and throttles count there too.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organisation(db) -> Organisation:
    return OrganisationFactory()


@pytest.fixture
def other_organisation(db) -> Organisation:
    return OrganisationFactory()


def make_caseworker(organisation: Organisation | None = None) -> User:
    user = verified(UserFactory(role=User.Role.CASEWORKER))
    if organisation is not None:
        Membership.objects.create(organisation=organisation, caseworker=user)
    return user


@pytest.fixture
def caseworker(organisation) -> User:
    return make_caseworker(organisation)


@pytest.fixture
def colleague(organisation) -> User:
    """Another caseworker of the same centre, to whom the client is not assigned."""
    return make_caseworker(organisation)


def link(
    client: User, organisation: Organisation, caseworker: User | None = None, *, share_text: bool = False
) -> Consent:
    consent = services.consent_grant(
        client=client,
        organisation=organisation,
        text=current_consent_text(),
        share_mood=True,
        share_text=share_text,
    )
    if caseworker is not None:
        services.consent_assign(consent=consent, caseworker=caseworker)
    return consent


@pytest.fixture
def consent(member, organisation, caseworker) -> Consent:
    return link(member, organisation, caseworker)


# --- Two-factor sign-in ------------------------------------------------------------------------


def enable_totp(user: User) -> str:
    """Activate a real TOTP authenticator for the user, as allauth's setup page does; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def enter_code(client, secret: str, next_url: str = "/") -> None:
    """Type the current code on allauth's two-factor page, which records the second factor in the session."""
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret), "next": next_url})
    assert response.status_code == 302, response.content.decode()[:500]


def mfa_signed_in(client, user: User):
    """Signed in with password (force_login) and then with a real TOTP code."""
    secret = enable_totp(user)
    client.force_login(user)
    enter_code(client, secret)
    return client


@pytest.fixture
def caseworker_client(client, caseworker):
    """The caseworker, signed in with password and a TOTP code."""
    return mfa_signed_in(client, caseworker)


# --- Diary histories ---------------------------------------------------------------------------


def write_days(owner: User, moods: dict[int, str | float], *, today: datetime.date | None = None) -> None:
    """Entries N days ago: a mood name (self-reported) or a valence (automatic reading, neutral label)."""
    today = today or today_for(owner)
    entries = []
    for days_ago, mood in moods.items():
        day = today - datetime.timedelta(days=days_ago)
        if isinstance(mood, str):
            entries.append(Entry(owner=owner, day=day, text="", self_mood=mood))
        else:
            entries.append(
                Entry(
                    owner=owner,
                    day=day,
                    text="",
                    ai_emotion="neutral",
                    ai_valence=mood,
                    ai_probabilities={"neutral": 1.0},
                )
            )
    Entry.objects.bulk_create(entries)


def steady_history(owner: User, *, days: range, mood: str = "happy") -> None:
    write_days(owner, dict.fromkeys(days, mood))


def valence(mood: str) -> float:
    return CIRCUMPLEX[mood][0]
