"""Every access boundary: a caseworker sees only consenting clients of their own centre who are
assigned to them, on the web and on the API. Everything else answers 404 (or 403 for people who
are not caseworkers), and nothing is written to the access log."""

import pytest
from django.urls import reverse

from diary.models import Entry
from tests.factories import UserFactory
from tests.welfare.conftest import OrganisationFactory, link, make_caseworker, mfa_signed_in, write_days
from welfare.models import AccessLog, Alert, ConsentText, Membership
from welfare.services import consent_withdraw


def client_urls(consent) -> list[str]:
    return [
        reverse("welfare:client_detail", args=[consent.pk]),
        reverse("welfare:client_entries", args=[consent.pk]),
        f"/api/v1/welfare/clients/{consent.pk}/trend/",
    ]


def assert_refused(http, consent) -> None:
    for url in client_urls(consent):
        assert http.get(url).status_code == 404, url
    dashboard = http.get(reverse("welfare:dashboard")).content.decode()
    assert consent.client.name not in dashboard
    assert http.get("/api/v1/welfare/clients/").json()["count"] == 0
    assert not AccessLog.objects.filter(client=consent.client).exists()


@pytest.fixture
def shared(member, organisation, caseworker):
    """A client who shares mood and text, assigned to the caseworker."""
    consent = link(member, organisation, caseworker, share_text=True)
    write_days(member, {0: "happy", 1: "sad"})
    return consent


def test_the_assigned_caseworker_sees_the_client(caseworker_client, shared):
    for url in client_urls(shared):
        assert caseworker_client.get(url).status_code == 200, url
    assert shared.client.name in caseworker_client.get(reverse("welfare:dashboard")).content.decode()


def test_withdrawn_consent_is_refused(caseworker_client, shared):
    consent_withdraw(consent=shared)
    assert_refused(caseworker_client, shared)


def test_another_centres_client_is_refused(client, shared, other_organisation):
    # A caseworker of another centre, even if the client were somehow assigned to them
    outsider = make_caseworker(other_organisation)
    shared.caseworker = outsider
    shared.save()
    mfa_signed_in(client, outsider)
    assert_refused(client, shared)


def test_a_caseworker_who_left_the_centre_is_refused(caseworker_client, shared, caseworker):
    Membership.objects.filter(caseworker=caseworker).delete()
    assert_refused(caseworker_client, shared)


def test_an_unassigned_client_is_refused(caseworker_client, shared):
    shared.caseworker = None
    shared.save()
    assert_refused(caseworker_client, shared)


def test_a_client_assigned_to_a_colleague_is_refused(client, shared, colleague):
    mfa_signed_in(client, colleague)
    assert_refused(client, shared)


def test_consent_to_an_old_text_is_refused(caseworker_client, shared):
    ConsentText.objects.create(version=3, body_en="v2", body_ko="v2")
    assert_refused(caseworker_client, shared)


def test_a_member_who_never_consented_is_invisible(caseworker_client, caseworker, organisation):
    stranger = UserFactory()
    Entry.objects.create(owner=stranger, day="2025-01-01", text="secret")
    assert stranger.name not in caseworker_client.get(reverse("welfare:dashboard")).content.decode()


def test_entry_text_needs_the_text_scope(caseworker_client, member, organisation, caseworker):
    consent = link(member, organisation, caseworker, share_text=False)
    Entry.objects.create(owner=member, day="2025-01-01", text="A very private sentence.")

    response = caseworker_client.get(reverse("welfare:client_entries", args=[consent.pk]))

    assert response.status_code == 403
    assert "A very private sentence." not in response.content.decode()
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "A very private sentence." not in page and "no entry text" in page


def test_shared_entry_text_is_shown_but_never_photos(caseworker_client, shared, member):
    Entry.objects.filter(owner=member).update(text="Walked to the market.", photo="photos/x.jpg")

    body = caseworker_client.get(reverse("welfare:client_entries", args=[shared.pk])).content.decode()

    assert "Walked to the market." in body
    assert "<img" not in body and "photo" not in body.lower().replace("photos are never shared", "")


def test_the_api_trend_has_aggregates_only(caseworker_client, shared, member):
    Entry.objects.filter(owner=member).update(text="Walked to the market.")
    body = caseworker_client.get(f"/api/v1/welfare/clients/{shared.pk}/trend/?days=30").content.decode()
    assert "Walked" not in body and "photo" not in body


@pytest.mark.parametrize("role", ["member", "curator", "staff"])
def test_people_who_are_not_caseworkers_are_refused(client, shared, role):
    user = UserFactory(role=role, is_staff=role == "staff", is_superuser=role == "staff")
    client.force_login(user)
    assert client.get(reverse("welfare:dashboard")).status_code == 403
    assert client.get(reverse("welfare:client_detail", args=[shared.pk])).status_code == 403
    assert client.get("/api/v1/welfare/clients/").status_code == 403


def test_anonymous_visitors_are_refused(client, shared):
    response = client.get(reverse("welfare:client_detail", args=[shared.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get("/api/v1/welfare/clients/").status_code in (401, 403)
    assert client.get(f"/api/v1/welfare/clients/{shared.pk}/trend/").status_code in (401, 403)


def test_alerts_of_clients_one_cannot_see_cannot_be_touched(client, shared, colleague):
    alert = Alert.objects.create(consent=shared, kind=Alert.Kind.NO_ENTRY, evidence={"days": 3, "threshold_days": 3})
    mfa_signed_in(client, colleague)

    assert client.post(reverse("welfare:alert_acknowledge", args=[alert.pk])).status_code == 404
    assert client.post(reverse("welfare:alert_resolve", args=[alert.pk]), {"note": "x"}).status_code == 404
    assert client.post(f"/api/v1/welfare/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert client.post(reverse("welfare:note_add", args=[shared.pk]), {"text": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_staff_admin_shows_no_moods(admin_client, shared):
    body = admin_client.get(reverse("admin:welfare_consent_change", args=[shared.pk])).content.decode()
    assert str(shared.client) in body and "sad" not in body and "happy" not in body


def test_assignment_stays_within_the_centre(shared, other_organisation):
    from django.core.exceptions import ValidationError

    from welfare.services import consent_assign

    outsider = make_caseworker(OrganisationFactory())
    with pytest.raises(ValidationError, match="same centre|centre the client"):
        consent_assign(consent=shared, caseworker=outsider)
    with pytest.raises(ValidationError, match="Only a caseworker"):
        consent_assign(consent=shared, caseworker=UserFactory())


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("welfare:care", "get"),
        ("welfare:link", "post"),
        ("welfare:consent_new", "post"),
        ("welfare:consent_edit", "post"),
        ("welfare:consent_withdraw", "post"),
        ("welfare:access_log", "get"),
        ("welfare:dashboard", "get"),
        ("welfare:client_detail", "get"),
        ("welfare:client_entries", "get"),
        ("welfare:note_add", "post"),
        ("welfare:alert_acknowledge", "post"),
        ("welfare:alert_resolve", "post"),
    ],
)
def test_every_page_sends_anonymous_visitors_to_sign_in(client, shared, name, method):
    alert = Alert.objects.create(consent=shared, kind=Alert.Kind.NO_ENTRY, evidence={"days": 3, "threshold_days": 3})
    needs_id = {
        "consent_edit": shared.pk,
        "consent_withdraw": shared.pk,
        "client_detail": shared.pk,
        "client_entries": shared.pk,
        "note_add": shared.pk,
        "alert_acknowledge": alert.pk,
        "alert_resolve": alert.pk,
    }
    key = name.split(":")[1]
    url = reverse(name, args=[needs_id[key]] if key in needs_id else [])

    response = getattr(client, method)(url)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    shared.refresh_from_db()
    assert shared.is_active


def test_the_api_refuses_anonymous_requests(client, shared):
    alert = Alert.objects.create(consent=shared, kind=Alert.Kind.NO_ENTRY, evidence={"days": 3, "threshold_days": 3})
    assert client.post(f"/api/v1/welfare/alerts/{alert.pk}/acknowledge/").status_code in (401, 403)
    assert client.post("/api/v1/welfare/token/", {"code": "123456"}).status_code in (401, 403)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
