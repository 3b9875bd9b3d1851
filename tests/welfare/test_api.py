"""The welfare API: client list, trend and acknowledging an alert, with the web's rules."""

import pytest

from tests.welfare.conftest import link, write_days
from welfare.models import Alert


@pytest.fixture
def shared(member, organisation, caseworker):
    consent = link(member, organisation, caseworker)
    write_days(member, {0: "sad", 1: "happy", 5: 0.3})
    return consent


def test_it_lists_the_caseworkers_clients_with_figures(caseworker_client, shared):
    alert = Alert.objects.create(
        consent=shared,
        kind=Alert.Kind.NO_ENTRY,
        evidence={"days": 3, "threshold_days": 3, "last_entry": "2025-01-01"},
    )

    data = caseworker_client.get("/api/v1/welfare/clients/").json()

    [row] = data["results"]
    assert row["id"] == shared.pk and row["name"] == shared.client.name
    assert row["latest_emotion"] == "sad" and row["latest_mood_source"] == "self"
    assert row["days_since_last_entry"] == 0
    assert (row["moods_7_days"], row["negative_7_days"], row["own_choice_7_days"]) == (3, 1, 2)
    assert len(row["sparkline_7_days"]) == 7 and len(row["sparkline_30_days"]) == 30
    # The risk comes from the figures (nothing holds), the alert's status is shown apart from it
    assert row["risk"] == "low"
    assert row["unresolved_alerts"][0]["id"] == alert.pk and row["unresolved_alerts"][0]["status"] == "open"
    assert "No diary entry for 3 days" in row["unresolved_alerts"][0]["reason"]


def test_it_gives_a_daily_trend(caseworker_client, shared):
    data = caseworker_client.get(f"/api/v1/welfare/clients/{shared.pk}/trend/?days=30").json()
    assert data["id"] == shared.pk and len(data["days"]) == 30
    today = data["days"][-1]
    assert today["entries"] == 1 and today["emotions"] == {"sad": 1} and today["mean_valence"] == -0.63
    assert len(data["rolling_mean_7_days"]) == 30 and data["weeks"]


def test_it_acknowledges_an_alert_once(caseworker_client, shared, caseworker):
    alert = Alert.objects.create(
        consent=shared,
        kind=Alert.Kind.NEGATIVE_MOOD,
        evidence={
            "negative": 3,
            "entries": 3,
            "share": 1.0,
            "threshold_share": 0.6,
            "min_entries": 3,
            "window_days": 7,
            "emotions": {"sad": 3},
        },
    )
    url = f"/api/v1/welfare/alerts/{alert.pk}/acknowledge/"

    first = caseworker_client.post(url)
    again = caseworker_client.post(url)

    assert first.status_code == 200 and first.json()["status"] == "acknowledged"
    assert again.status_code == 200 and again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == caseworker


def test_a_resolved_alert_cannot_be_acknowledged(caseworker_client, shared):
    alert = Alert.objects.create(
        consent=shared,
        kind=Alert.Kind.NO_ENTRY,
        status=Alert.Status.RESOLVED,
        evidence={"days": 3, "threshold_days": 3, "last_entry": None},
    )
    response = caseworker_client.post(f"/api/v1/welfare/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 409 and "already resolved" in response.json()["detail"]


def test_the_schema_documents_the_welfare_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/welfare/clients/",
        "/api/v1/welfare/clients/{client_id}/trend/",
        "/api/v1/welfare/alerts/{alert_id}/acknowledge/",
        "/api/v1/welfare/token/",
    ):
        assert path in schema
