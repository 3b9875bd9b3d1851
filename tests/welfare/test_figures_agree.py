"""Issue 15, point 6: on the caseworker's pages the alert's evidence, the summary beside it, the
recent mood and the risk badge use one window, one mood rule and the same counts; resolving an
alert does not lower a risk the data still shows."""

import datetime

from django.urls import reverse
from django.utils import timezone

from diary.models import Entry
from diary.services import today_for
from diary.tracker.daily import day_moods_changed
from tests.factories import UserFactory
from tests.welfare.conftest import link, write_days
from welfare import services
from welfare.evaluation import alerts_evaluate
from welfare.models import Alert
from welfare.selectors import client_summary, dashboard_rows


def client_named(name, organisation, caseworker):
    return link(UserFactory(display_name=name), organisation, caseworker)


def test_resolving_an_alert_leaves_the_risk_the_data_still_shows(caseworker_client, caseworker, organisation):
    # Given a client whose week is mostly sad, and the alert that raised
    consent = client_named("Han", organisation, caseworker)
    write_days(consent.client, {0: "sad", 1: "sad", 2: "fear", 3: "happy"})
    alerts_evaluate()
    [alert] = Alert.objects.filter(consent=consent, kind=Alert.Kind.NEGATIVE_MOOD)
    # When the caseworker resolves it with a note, while the week is still the same
    services.alert_resolve(alert=alert, by=caseworker, note="Called; will call again on Friday.")
    # Then the risk badge still says high, and the alert's status says resolved, apart from it
    [row] = dashboard_rows(user=caseworker)
    assert row.risk_label == "high" and row.alerts == []
    body = caseworker_client.get(reverse("welfare:dashboard")).content.decode()
    assert 'risk-tag risk-high' in body
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "alert status: Resolved" in page
    assert "The figures meet the rule: Sustained negative mood." in page


def test_an_open_alert_does_not_raise_a_risk_the_data_no_longer_shows(caseworker, organisation):
    consent = client_named("Oh", organisation, caseworker)
    write_days(consent.client, {0: "happy", 1: "neutral"})
    Alert.objects.create(consent=consent, kind=Alert.Kind.NEGATIVE_MOOD,
                         evidence={"negative": 3, "entries": 4, "share": 0.75, "threshold_share": 0.6,
                                   "min_entries": 3, "window_days": 7, "emotions": {"sad": 3}})
    [row] = dashboard_rows(user=caseworker)
    assert row.risk_label == "low" and [a.status for a in row.alerts] == ["open"]


def test_the_summary_the_alert_and_the_badge_count_the_same_moods_in_the_same_window(
        caseworker_client, caseworker, organisation):
    # Given a week of four negative moods out of five (two of them read automatically), and one
    # sad entry eight days ago, outside the window
    consent = client_named("Kim", organisation, caseworker)
    member = consent.client
    write_days(member, {0: "sad", 1: "fear", 2: "happy", 8: "sad"})
    write_days(member, {3: "", 4: ""})
    Entry.objects.filter(owner=member, self_mood="").update(ai_emotion="angry", ai_valence=-0.5)
    day_moods_changed(days=Entry.objects.filter(owner=member))  # readings arrive as the worker stores them
    # and an entry the reading could not tell (abstained: no emotion) and the member gave no mood
    write_days(member, {5: ""})
    alerts_evaluate()
    [alert] = Alert.objects.filter(consent=consent, kind=Alert.Kind.NEGATIVE_MOOD)
    row = client_summary(user=caseworker, consent=consent)

    # Then the alert's evidence, the summary row and the badge agree
    assert (alert.evidence["negative"], alert.evidence["entries"], alert.evidence["own"]) == (4, 5, 3)
    assert (row.stats.recent_negative, row.stats.recent_mood_entries, row.stats.recent_own) == (4, 5, 3)
    assert row.holding[Alert.Kind.NEGATIVE_MOOD]["negative"] == 4 and row.risk_label == "high"
    today = today_for(member)
    assert row.window == (today - datetime.timedelta(days=6), today)
    assert alert.evidence["window_from"] == row.window[0].isoformat()

    # And the client page says which window, and shows the same counts beside the alert
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "The last 7 days:" in page and "in the client's time zone" in page
    assert "4 of 5 negative" in page and "3 the member&#x27;s choice, 2 read automatically" in page
    assert page.count("4 of 5 moods from") == 2  # when it opened, and now
    dashboard = caseworker_client.get(reverse("welfare:dashboard")).content.decode()
    assert "Recent mood (last 7 days)" in dashboard and "4 of 5 negative" in dashboard


def test_the_alert_card_says_when_the_rule_no_longer_holds(caseworker_client, caseworker, organisation):
    consent = client_named("Yoon", organisation, caseworker)
    write_days(consent.client, {0: "sad", 1: "sad", 2: "sad"})
    alerts_evaluate()
    # The member writes three happy entries; the next check has not run yet
    write_days(consent.client, {0: "happy", 1: "happy", 2: "happy", 3: "happy", 4: "happy", 5: "happy"})
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "On today&#x27;s figures the rule no longer holds" in page


def test_the_latest_mood_on_the_client_page_names_its_source(caseworker_client, caseworker, organisation):
    consent = client_named("Jang", organisation, caseworker)
    Entry.objects.create(owner=consent.client, day=today_for(consent.client), self_mood="neutral",
                         ai_emotion="sad", ai_valence=-0.6, created_at=timezone.now())
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "neutral <small>(the member&#x27;s choice)</small>" in page
    row = client_summary(user=caseworker, consent=consent)
    assert (row.latest_emotion, row.latest_source) == ("neutral", "self")


def test_a_stranger_caseworker_cannot_see_the_client_page(client, organisation, caseworker, other_organisation):
    from tests.welfare.conftest import make_caseworker, mfa_signed_in

    consent = client_named("Seo", organisation, caseworker)
    outsider = mfa_signed_in(client, make_caseworker(other_organisation))
    assert outsider.get(reverse("welfare:client_detail", args=[consent.pk])).status_code == 404


def test_a_korean_caseworker_reads_the_window_and_the_sources_in_korean(caseworker_client, caseworker,
                                                                         organisation):
    from django.utils import translation

    caseworker.language = "ko"
    caseworker.save()
    consent = client_named("Baek", organisation, caseworker)
    write_days(consent.client, {0: "sad", 1: "sad", 2: "fear"})
    alerts_evaluate()
    with translation.override("en"):
        page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
        dashboard = caseworker_client.get(reverse("welfare:dashboard")).content.decode()
    assert "최근 7일:" in page and "알림이 열렸을 때:" in page and "현재 (위와 같은 기간):" in page
    assert "3개 중 3개 부정적" in page and "이용자가 고른 기분 3개, 자동 분석 0개" in page
    assert "최근 기분 (최근 7일)" in dashboard and "위험도는 알림과 같은 기준으로" in dashboard
