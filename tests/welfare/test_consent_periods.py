"""What a member writes while their consent is withdrawn stays theirs, even after they consent
again (issue 14, finding 6): caseworkers see only data from the periods a consent with that scope
was in force — on the web pages, in the API, in the figures, sparklines and alerts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from diary.models import Entry
from diary.tracker.daily import day_moods_changed
from tests.welfare.conftest import link
from welfare import services
from welfare.evaluation import alerts_evaluate
from welfare.models import Alert
from welfare.selectors import current_consent_text, dashboard_rows, with_sparklines

REAL_NOW = timezone.now()


@pytest.fixture
def clock(monkeypatch):
    """Set the time of what follows: consent events and entries' created_at read timezone.now."""

    def at(days_ago: float) -> datetime.datetime:
        moment = REAL_NOW - datetime.timedelta(days=days_ago)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return at


def write(member, *, days_ago: int, text: str, mood: str = "happy") -> Entry:
    day = timezone.localtime(REAL_NOW, member.zone).date() - datetime.timedelta(days=days_ago)
    entry = Entry.objects.create(owner=member, day=day, text=text, self_mood=mood)
    day_moods_changed(days=[(member.pk, day)])  # the day figures follow, as through diary.services
    return entry


@pytest.fixture
def reconsented(clock, member, organisation, caseworker):
    """Shared with text 20 days ago, withdrew 10 days ago, consented again 2 days ago."""
    clock(20)
    consent = link(member, organisation, caseworker, share_text=True)
    write(member, days_ago=20, text="Shared before: a good walk")
    clock(10)
    services.consent_withdraw(consent=consent)
    clock(6)
    write(member, days_ago=6, text="Private while withdrawn", mood="sad")
    write(member, days_ago=15, text="Private too, about an earlier day", mood="sad")
    clock(2)
    consent = services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                                     share_mood=True, share_text=True)
    services.consent_assign(consent=consent, caseworker=caseworker)
    clock(1)
    # Written after consenting again, but about a day inside the withdrawal: private as well.
    write(member, days_ago=5, text="Private, backdated into the gap", mood="angry")
    write(member, days_ago=1, text="Shared after: tea with a neighbour")
    clock(0)
    return consent


def test_the_withdrawn_period_is_invisible_in_the_caseworkers_html_views(reconsented, caseworker_client, member):
    entries = caseworker_client.get(reverse("welfare:client_entries", args=[reconsented.pk])).content.decode()
    assert "Shared before" in entries and "Shared after" in entries
    assert "Private" not in entries
    detail = caseworker_client.get(reverse("welfare:client_detail", args=[reconsented.pk]))
    assert detail.status_code == 200
    days = {day.day: day.entries for day in detail.context["series"]}
    gap_day = timezone.localtime(REAL_NOW, member.zone).date() - datetime.timedelta(days=6)
    assert days[gap_day] == 0
    assert sum(days.values()) == 2


def test_the_withdrawn_period_is_invisible_in_the_api(reconsented, caseworker_client, member):
    today = timezone.localtime(REAL_NOW, member.zone).date()
    trend = caseworker_client.get(f"/api/v1/welfare/clients/{reconsented.pk}/trend/?days=30").json()
    by_day = {row["day"]: row for row in trend["days"]}
    for days_ago in (5, 6, 15):
        assert by_day[(today - datetime.timedelta(days=days_ago)).isoformat()]["entries"] == 0
    assert sum(row["entries"] for row in trend["days"]) == 2
    assert sum(week["counts"]["sad"] + week["counts"]["angry"] for week in trend["weeks"]) == 0
    listing = caseworker_client.get("/api/v1/welfare/clients/").json()["results"]
    assert [row["latest_entry_day"] for row in listing] == [(today - datetime.timedelta(days=1)).isoformat()]


def test_the_dashboard_figures_and_sparklines_leave_the_gap_out(reconsented, caseworker, member):
    # Given the only negative days are in the withdrawal period
    [row] = with_sparklines(dashboard_rows(user=caseworker))
    # then the sparkline shows nothing on them: only the two shared days have a value
    assert row.series[30][-7] is None and row.series[30][-6] is None
    assert sum(value is not None for value in row.series[30]) == 2
    assert row.latest_emotion == "happy"


def test_alerts_are_not_raised_from_the_withdrawal_period(reconsented, member):
    # Given a run of sad days in the last week, all written while consent was withdrawn
    for days_ago in (3, 4, 5, 6):
        write(member, days_ago=days_ago, text="sad", mood="sad")
    Entry.objects.filter(text="sad").update(created_at=REAL_NOW - datetime.timedelta(days=6))
    # when the alerts are evaluated
    alerts_evaluate(client_ids=[member.pk], notify=False)
    # then no negative-mood alert comes from them
    assert not Alert.objects.filter(kind=Alert.Kind.NEGATIVE_MOOD).exists()


def test_the_same_days_do_raise_the_alert_when_they_were_shared(consent, member):
    # The control: the same sad week, written while sharing, does raise it (the rule is live).
    for days_ago in (1, 3, 4, 5, 6):
        write(member, days_ago=days_ago, text="sad", mood="sad")
    alerts_evaluate(client_ids=[member.pk], notify=False)
    assert Alert.objects.filter(kind=Alert.Kind.NEGATIVE_MOOD).exists()


def test_text_written_while_text_sharing_was_off_stays_hidden(clock, member, organisation, caseworker,
                                                               caseworker_client):
    clock(9)
    consent = link(member, organisation, caseworker, share_text=True)
    write(member, days_ago=9, text="Shared text")
    clock(8)
    services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                           share_mood=True, share_text=False)
    write(member, days_ago=8, text="Mood only, text private")
    clock(3)
    services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                           share_mood=True, share_text=True)
    clock(0)
    page = caseworker_client.get(reverse("welfare:client_entries", args=[consent.pk])).content.decode()
    assert "Shared text" in page and "text private" not in page
    # the mood of that entry was shared all along, so it counts in the trend
    trend = caseworker_client.get(f"/api/v1/welfare/clients/{consent.pk}/trend/?days=30").json()
    assert sum(row["entries"] for row in trend["days"]) == 2
