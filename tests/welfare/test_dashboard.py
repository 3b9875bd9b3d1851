"""The caseworker's dashboard and client page: figures, sparklines with text, risk sort and
filter, the alert lifecycle and case notes, and a query count that does not grow with clients."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.welfare.conftest import link, write_days
from welfare.evaluation import alerts_evaluate
from welfare.models import Alert, CaseNote
from welfare.selectors import dashboard_rows, with_sparklines


def client_named(name, organisation, caseworker, **kwargs):
    return link(UserFactory(display_name=name), organisation, caseworker, **kwargs)


def test_it_shows_each_clients_figures(caseworker_client, caseworker, organisation):
    consent = client_named("Lee Sunja", organisation, caseworker)
    # 60 days around +0.5, then a sad last week (last entry 2 days ago)
    write_days(consent.client, {7 + i: 0.5 + (0.1 if i % 2 else -0.1) for i in range(60)})
    write_days(consent.client, {2: "sad", 3: "sad", 4: "fear"})

    [row] = with_sparklines(dashboard_rows(user=caseworker))

    assert row.latest_emotion == "sad" and row.days_since_last_entry == 2
    assert row.stats.recent_mean == pytest.approx((-0.63 * 2 - 0.64) / 3)
    assert row.change == pytest.approx(row.stats.recent_mean - 0.5, abs=1e-3)
    assert row.change_sd < -10
    assert len(row.series[7]) == 7 and len(row.series[30]) == 30
    assert row.series[7][-1] is None and row.series[7][-3] == pytest.approx(-0.63)

    body = caseworker_client.get(reverse("welfare:dashboard")).content.decode()
    assert "Lee Sunja" in body and "<svg" in body
    assert "Last 7 days: readings on 3 days" in body  # the sparkline's text alternative


def test_it_sorts_and_filters_by_risk(caseworker_client, caseworker, organisation):
    calm = client_named("Calm", organisation, caseworker)
    write_days(calm.client, {0: "happy", 1: "happy"})
    quiet = client_named("Quiet", organisation, caseworker)
    quiet.granted_at = timezone.now() - datetime.timedelta(days=30)
    quiet.save()
    write_days(quiet.client, {10: "happy"})
    alerts_evaluate()
    assert Alert.objects.filter(consent=quiet).count() == 1

    assert [r.client.name for r in dashboard_rows(user=caseworker)] == ["Quiet", "Calm"]
    assert [r.client.name for r in dashboard_rows(user=caseworker, sort="name")] == ["Calm", "Quiet"]
    assert [r.client.name for r in dashboard_rows(user=caseworker, risk="high")] == ["Quiet"]
    assert [r.client.name for r in dashboard_rows(user=caseworker, risk="low")] == ["Calm"]

    body = caseworker_client.get(reverse("welfare:dashboard") + "?risk=high").content.decode()
    assert "Quiet" in body and "Calm" not in body and "No entries" in body


def test_the_dashboard_query_count_does_not_grow_with_clients(caseworker_client, caseworker, organisation):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert caseworker_client.get(reverse("welfare:dashboard")).status_code == 200
        return len(queries)

    for i in range(2):
        write_days(client_named(f"A{i}", organisation, caseworker).client, {0: "sad", 1: "happy", 9: 0.2})
    few, few_again = count_queries(), count_queries()
    for i in range(10):
        write_days(client_named(f"B{i}", organisation, caseworker).client, {0: "sad", 3: "happy", 40: 0.1})
    many, many_again = count_queries(), count_queries()

    # The first look after a change orders every client; a look with nothing changed builds only the page
    assert few == many and many <= 25
    assert few_again == many_again and many_again < many


def test_a_clients_change_shows_at_once_though_the_figures_are_cached(caseworker, organisation):
    changing = client_named("Cho", organisation, caseworker)
    steady = client_named("Moon", organisation, caseworker)
    write_days(changing.client, {1: "happy", 2: "happy"})
    write_days(steady.client, {1: "happy"})
    [first] = [row for row in dashboard_rows(user=caseworker) if row.consent == changing]
    assert first.stats.recent_negative == 0

    def day_figure_queries() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            rows = {row.consent: row for row in dashboard_rows(user=caseworker)}
        return rows, [q["sql"] for q in queries.captured_queries if "diary_daymood" in q["sql"]]

    # A second look with nothing changed reads no day figures at all
    _rows, read = day_figure_queries()
    assert read == []
    # When one client writes three sad days, the next look shows them, and reads only theirs again
    write_days(changing.client, {0: "sad", 3: "sad", 4: "sad"})
    rows, read = day_figure_queries()
    assert (rows[changing].stats.recent_negative, rows[changing].stats.recent_mood_entries) == (3, 5)
    assert rows[steady].stats.recent_mood_entries == 1
    assert len(read) == 1 and f'"owner_id" IN ({changing.client.pk})' in read[0]


def test_the_client_page_shows_trends_alerts_and_notes(caseworker_client, caseworker, organisation):
    consent = client_named("Park", organisation, caseworker)
    write_days(consent.client, {0: "sad", 1: "sad", 2: "sad"})
    alerts_evaluate()

    body = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk]) + "?days=30").content.decode()

    assert 'id="trend-data"' in body and "chart.umd.min.js" in body
    assert "3 of 3 moods from" in body and "(the last 7 days) were negative (100%" in body
    assert "Acknowledge" in body


def test_the_alert_lifecycle_open_acknowledged_resolved_with_a_note(caseworker_client, caseworker, organisation):
    consent = client_named("Choi", organisation, caseworker)
    alert = Alert.objects.create(
        consent=consent,
        kind=Alert.Kind.NO_ENTRY,
        evidence={"days": 4, "threshold_days": 3, "last_entry": "2025-01-01"},
    )

    caseworker_client.post(reverse("welfare:alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_by == caseworker

    # An empty note is refused with a sentence that says what to do
    response = caseworker_client.post(reverse("welfare:alert_resolve", args=[alert.pk]), {"note": "  "})
    assert response.status_code == 400 and "Please write a short note" in response.content.decode()

    caseworker_client.post(reverse("welfare:alert_resolve", args=[alert.pk]), {"note": "Visited; she had a cold."})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_by == caseworker
    assert alert.resolution_note == "Visited; she had a cold."

    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "Visited; she had a cold." in page


def test_case_notes_are_kept_and_an_empty_one_is_refused(caseworker_client, caseworker, organisation):
    consent = client_named("Yoon", organisation, caseworker)
    response = caseworker_client.post(reverse("welfare:note_add", args=[consent.pk]), {"text": ""})
    assert response.status_code == 400 and "The note is empty" in response.content.decode()

    caseworker_client.post(reverse("welfare:note_add", args=[consent.pk]), {"text": "Phoned on Monday."})
    [note] = CaseNote.objects.filter(consent=consent)
    assert note.author == caseworker and note.text == "Phoned on Monday."


def test_an_unknown_range_falls_back_to_ninety_days(caseworker_client, caseworker, organisation):
    consent = client_named("Han", organisation, caseworker)
    response = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk]) + "?days=abc")
    assert response.status_code == 200 and len(response.context["series"]) == 90
