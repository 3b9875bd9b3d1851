"""The access log: every look at a client's data by a caseworker is written down (who, whom, what,
when), and the member can see who looked and when."""

import pytest
from django.urls import reverse

from tests.welfare.conftest import link, write_days
from welfare.models import AccessLog, Alert
from welfare.selectors import access_rows_of


@pytest.fixture
def shared(member, organisation, caseworker):
    consent = link(member, organisation, caseworker, share_text=True)
    write_days(member, {0: "happy", 1: "sad"})
    return consent


def logged(client_user) -> list[tuple]:
    return list(
        access_rows_of(member=client_user)
        .order_by("pk")
        .values_list("viewer_id", "viewer_name", "organisation_name", "action")
    )


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("welfare:dashboard", AccessLog.Action.DASHBOARD),
        ("welfare:client_detail", AccessLog.Action.CLIENT_PAGE),
        ("welfare:client_entries", AccessLog.Action.ENTRY_TEXT),
    ],
)
def test_each_page_that_shows_client_data_is_logged(caseworker_client, caseworker, shared, url, action):
    args = [] if url == "welfare:dashboard" else [shared.pk]

    caseworker_client.get(reverse(url, args=args))

    [entry] = logged(shared.client)
    assert entry == (caseworker.pk, str(caseworker), shared.organisation.name, action)
    assert AccessLog.objects.get().at is not None


def test_the_api_is_logged(caseworker_client, caseworker, shared):
    caseworker_client.get("/api/v1/welfare/clients/")
    caseworker_client.get(f"/api/v1/welfare/clients/{shared.pk}/trend/")
    assert [row[3] for row in logged(shared.client)] == [
        AccessLog.Action.API_LIST,
        AccessLog.Action.API_TREND,
    ]


def test_alert_and_note_actions_are_logged(caseworker_client, shared):
    alert = Alert.objects.create(consent=shared, kind=Alert.Kind.NO_ENTRY, evidence={"days": 4, "threshold_days": 3})
    caseworker_client.post(reverse("welfare:alert_acknowledge", args=[alert.pk]))
    caseworker_client.post(reverse("welfare:note_add", args=[shared.pk]), {"text": "Phoned, all well."})
    assert [row[3] for row in logged(shared.client)] == [AccessLog.Action.ALERT, AccessLog.Action.NOTE]


def test_the_dashboard_logs_each_client_shown_in_one_row(caseworker_client, caseworker, organisation, shared):
    from tests.factories import UserFactory

    others = [link(UserFactory(), organisation, caseworker) for _ in range(3)]
    caseworker_client.get(reverse("welfare:dashboard"))
    [row] = AccessLog.objects.all()
    assert {int(i) for i in row.client_ids.strip(",").split(",")} == {c.client_id for c in [shared, *others]}
    for consent in [shared, *others]:
        assert access_rows_of(member=consent.client).get() == row


def test_the_member_sees_who_looked_and_when(caseworker_client, caseworker, shared, client, member):
    caseworker_client.get(reverse("welfare:client_detail", args=[shared.pk]))
    caseworker_client.get(reverse("welfare:client_detail", args=[shared.pk]))
    caseworker_client.get(reverse("welfare:client_entries", args=[shared.pk]))
    caseworker_client.logout()

    client.force_login(member)
    body = client.get(reverse("welfare:access_log")).content.decode()

    assert str(caseworker) in body and shared.organisation.name in body
    assert "looked at your mood charts and alerts" in body and "2 times" in body
    assert "read the text of your entries" in body
    assert "not a diagnosis" in body  # the automatic reading is explained on this page too


def test_a_member_sees_only_their_own_log(caseworker_client, shared, client, stranger):
    caseworker_client.get(reverse("welfare:client_detail", args=[shared.pk]))
    caseworker_client.logout()
    client.force_login(stranger)
    body = client.get(reverse("welfare:access_log")).content.decode()
    assert "No one has looked at your data." in body


def test_the_log_outlives_the_caseworker_account(caseworker_client, caseworker, shared):
    caseworker_client.get(reverse("welfare:client_detail", args=[shared.pk]))
    name = str(caseworker)
    caseworker.delete()
    entry = AccessLog.objects.get()
    assert entry.viewer is None and entry.viewer_name == name


def test_refused_looks_are_not_logged_as_views(caseworker_client, shared):
    shared.caseworker = None
    shared.save()
    caseworker_client.get(reverse("welfare:client_detail", args=[shared.pk]))
    assert not AccessLog.objects.exists()
