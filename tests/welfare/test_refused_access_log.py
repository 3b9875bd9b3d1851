"""Refused attempts to reach caseworker data are written to the oversight log (issue 14,
finding 9): a caseworker probing clients of another centre, a member on caseworker pages, a
caseworker without two-factor sign-in, on the web and on the API. Allowed looks are not."""

import pytest
from django.urls import reverse

from tests.conftest import verified
from tests.factories import UserFactory
from tests.welfare.conftest import OrganisationFactory, link, make_caseworker
from welfare.models import AccessLog, RefusedAccess


@pytest.fixture
def elsewhere(db):
    """A client of another centre, whom our caseworker must not see."""
    centre = OrganisationFactory()
    return link(verified(UserFactory()), centre, make_caseworker(centre))


def test_a_caseworker_probing_another_centres_client_is_logged(caseworker_client, caseworker, elsewhere):
    for url in (reverse("welfare:client_detail", args=[elsewhere.pk]),
                reverse("welfare:client_entries", args=[elsewhere.pk]),
                f"/api/v1/welfare/clients/{elsewhere.pk}/trend/",
                "/welfare/clients/987654/"):
        assert caseworker_client.get(url).status_code == 404
    refused = list(RefusedAccess.objects.order_by("pk"))
    assert [r.reason for r in refused] == [RefusedAccess.Reason.NOT_VISIBLE] * 4
    assert {r.viewer_id for r in refused} == {caseworker.pk}
    assert refused[0].path == reverse("welfare:client_detail", args=[elsewhere.pk])
    assert not AccessLog.objects.exists()  # the client's own "who looked" page stays truthful


def test_a_member_on_the_caseworker_pages_is_logged(owner_client, member):
    assert owner_client.get(reverse("welfare:dashboard")).status_code == 403
    assert owner_client.get("/api/v1/welfare/clients/").status_code == 403
    assert owner_client.post("/api/v1/welfare/token/", {"code": "123456"},
                              content_type="application/json").status_code == 403
    assert list(RefusedAccess.objects.values_list("viewer_id", "reason")) == [
        (member.pk, RefusedAccess.Reason.NOT_CASEWORKER)] * 3


def test_a_caseworker_without_two_factor_sign_in_is_logged(client, caseworker):
    client.force_login(caseworker)
    client.get(reverse("welfare:dashboard"))
    client.get("/api/v1/welfare/clients/")
    assert list(RefusedAccess.objects.values_list("reason", flat=True)) == [
        RefusedAccess.Reason.NO_SECOND_FACTOR] * 2


def test_allowed_looks_and_anonymous_requests_write_no_refusal(caseworker_client, consent, client):
    assert caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).status_code == 200
    assert caseworker_client.get(f"/api/v1/welfare/clients/{consent.pk}/trend/").status_code == 200
    client.logout()
    client.get(reverse("welfare:dashboard"))
    assert not RefusedAccess.objects.exists()
