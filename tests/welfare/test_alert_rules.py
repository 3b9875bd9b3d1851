"""Each alert rule on hand-built histories: it fires, it does not fire, it does not repeat within an
episode, and it resolves when the episode ends."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from diary.models import Entry
from diary.services import today_for
from diary.tracker.daily import day_moods_changed
from tests.welfare.conftest import steady_history, write_days
from welfare.evaluation import alerts_evaluate
from welfare.models import Alert
from welfare.stats import mood_stats

DAY = datetime.timedelta(days=1)


def alerts(consent, kind=None):
    qs = Alert.objects.filter(consent=consent)
    return list(qs.filter(kind=kind) if kind else qs)


def backdate_consent(consent, days: int = 90) -> None:
    """As if the client linked long ago (the no-entry rule counts from consent at the earliest)."""
    consent.granted_at = timezone.now() - datetime.timedelta(days=days)
    consent.save(update_fields=["granted_at"])


# --- No entry for N days -----------------------------------------------------------------------


def test_it_alerts_when_no_entry_for_three_days(consent, member):
    backdate_consent(consent)
    write_days(member, {3: "happy", 4: "happy"})

    alerts_evaluate()

    [alert] = alerts(consent)
    assert alert.kind == Alert.Kind.NO_ENTRY and alert.status == Alert.Status.OPEN
    assert alert.evidence["days"] == 3 and alert.evidence["threshold_days"] == 3
    assert "No diary entry for 3 days" in alert.reason and "after 3 days" in alert.reason


def test_it_does_not_alert_after_two_quiet_days(consent, member):
    backdate_consent(consent)
    write_days(member, {2: "happy", 3: "happy"})

    alerts_evaluate()

    assert alerts(consent, Alert.Kind.NO_ENTRY) == []


def test_it_counts_from_consent_when_the_client_never_wrote(consent, member):
    alerts_evaluate()
    assert alerts(consent) == []  # linked today

    backdate_consent(consent, days=5)
    alerts_evaluate()
    [alert] = alerts(consent)
    assert alert.evidence == {"days": 5, "threshold_days": 3, "last_entry": None}


def test_it_uses_the_centre_threshold(consent, member, organisation):
    organisation.no_entry_days = 5
    organisation.save()
    backdate_consent(consent)
    write_days(member, {4: "happy"})

    alerts_evaluate()
    assert alerts(consent) == []

    alerts_evaluate(now=timezone.now() + DAY)
    [alert] = alerts(consent)
    assert alert.evidence["days"] == 5 and alert.evidence["threshold_days"] == 5


def test_it_gives_one_alert_per_quiet_spell_and_resolves_when_the_client_writes(consent, member, caseworker):
    backdate_consent(consent)
    write_days(member, {3: "happy"})
    now = timezone.now()

    # Given a quiet spell evaluated hourly and daily, then every day for a week
    for hours in range(0, 24 * 7, 6):
        alerts_evaluate(now=now + datetime.timedelta(hours=hours))
    [alert] = alerts(consent)
    assert alert.status == Alert.Status.OPEN
    assert len(mail.outbox) == 1  # one e-mail for the episode, not one per run

    # When the client writes again
    write_days(member, {0: "happy"}, today=(now + 7 * DAY).astimezone(member.zone).date())
    alerts_evaluate(now=now + 7 * DAY)

    # Then the episode ends and the alert resolves itself
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_automatically and alert.cleared_at
    # And a later quiet spell is a new episode with a new alert
    alerts_evaluate(now=now + 10 * DAY)
    assert len(alerts(consent, Alert.Kind.NO_ENTRY)) == 2
    assert len(mail.outbox) == 2


def test_an_alert_resolved_by_hand_is_not_reopened_while_the_episode_lasts(consent, member, caseworker):
    from welfare.services import alert_resolve

    backdate_consent(consent)
    write_days(member, {4: "happy"})
    alerts_evaluate()
    [alert] = alerts(consent)

    alert_resolve(alert=alert, by=caseworker, note="Called her; she is on holiday.")
    alerts_evaluate(now=timezone.now() + DAY)
    alerts_evaluate(now=timezone.now() + 2 * DAY)

    [alert] = alerts(consent)
    assert alert.status == Alert.Status.RESOLVED and alert.resolution_note.startswith("Called")
    assert alert.cleared_at is None  # the episode is still running: no new alert


# --- Sustained negative mood -------------------------------------------------------------------


def test_it_alerts_when_most_of_the_week_reads_negative(consent, member):
    write_days(member, {0: "sad", 1: "fear", 2: "happy", 3: "sad", 5: "neutral"})

    alerts_evaluate()

    [alert] = alerts(consent, Alert.Kind.NEGATIVE_MOOD)
    assert alert.evidence["negative"] == 3 and alert.evidence["entries"] == 5
    assert alert.evidence["share"] == 0.6 and alert.evidence["emotions"] == {"sad": 2, "fear": 1}
    today = today_for(member)
    start = today - 6 * DAY
    assert (alert.evidence["window_from"], alert.evidence["window_to"]) == (start.isoformat(), today.isoformat())
    assert alert.evidence["own"] == 5
    assert (f"3 of 5 moods from {start.isoformat()} to {today.isoformat()} (the last 7 days) were negative (60%"
            in alert.reason)
    assert "5 of the 5 were the member's choice, 0 read automatically" in alert.reason


def test_the_members_own_choice_counts_before_the_automatic_reading(consent, member):
    # Given three days the member called happy, which the reading took for angry
    write_days(member, {0: "happy", 1: "happy", 2: "happy"})
    Entry.objects.filter(owner=member).update(ai_emotion="angry", ai_valence=-0.5)
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings

    alerts_evaluate()

    # Then their word stands: no negative-mood alert, no drop
    assert alerts(consent, Alert.Kind.NEGATIVE_MOOD) == []


def test_a_confident_reading_counts_where_the_member_chose_no_mood(consent, member):
    write_days(member, {0: "", 1: "", 2: "happy"})
    Entry.objects.filter(owner=member).update(ai_emotion="angry", ai_valence=-0.5)
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings

    alerts_evaluate()

    [alert] = alerts(consent, Alert.Kind.NEGATIVE_MOOD)
    assert alert.evidence["emotions"] == {"angry": 2} and alert.evidence["entries"] == 3
    assert alert.evidence["own"] == 1
    assert "1 of the 3 were the member's choice, 2 read automatically" in alert.reason


def test_an_abstained_reading_counts_as_not_read(consent, member):
    # Given entries whose reading abstained (stored without an emotion) and no own choice
    write_days(member, {0: "", 1: "", 2: "", 3: "sad"})
    Entry.objects.filter(owner=member, self_mood="").update(ai_emotion="", ai_valence=-0.9)
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings

    alerts_evaluate()

    # Then only the one mood that was given counts: too few for the rule, and no valence either
    assert alerts(consent, Alert.Kind.NEGATIVE_MOOD) == []
    stats = mood_stats(owners=[member.pk], today=today_for(member))[member.pk]
    assert (stats.recent_mood_entries, stats.recent_valence_entries) == (1, 1)


def test_it_does_not_alert_below_sixty_percent(consent, member):
    write_days(member, {0: "sad", 1: "fear", 2: "happy", 3: "happy", 4: "neutral"})
    alerts_evaluate()
    assert alerts(consent, Alert.Kind.NEGATIVE_MOOD) == []


def test_it_needs_three_entries(consent, member):
    write_days(member, {0: "sad", 1: "sad"})
    alerts_evaluate()
    assert alerts(consent, Alert.Kind.NEGATIVE_MOOD) == []


def test_it_looks_only_at_the_last_seven_days(consent, member):
    write_days(member, {0: "happy", 7: "sad", 8: "sad", 9: "sad"})
    alerts_evaluate()
    assert alerts(consent, Alert.Kind.NEGATIVE_MOOD) == []


def test_a_negative_week_gives_one_alert_and_resolves_when_the_mood_lifts(consent, member):
    write_days(member, {0: "sad", 1: "sad", 2: "sad"})
    alerts_evaluate()
    write_days(member, {-1: "sad"}, today=member_today(member))  # a new sad entry: same episode
    alerts_evaluate(now=timezone.now() + DAY)
    [alert] = alerts(consent, Alert.Kind.NEGATIVE_MOOD)
    assert alert.status == Alert.Status.OPEN

    # Then a good week
    tomorrow = member_today(member) + DAY
    write_days(member, {0: "happy", 1: "happy", 2: "happy", 3: "happy", 4: "happy"}, today=tomorrow + 6 * DAY)
    alerts_evaluate(now=timezone.now() + 7 * DAY)

    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_automatically


def test_a_negative_episode_lasts_until_the_share_is_clearly_lower(consent, member):
    # Opened at 3 of 5 (60%)
    write_days(member, {0: "sad", 1: "sad", 2: "fear", 3: "happy", 4: "happy"})
    alerts_evaluate()
    [alert] = alerts(consent, Alert.Kind.NEGATIVE_MOOD)

    # 3 of 6 (50%): below the 60% that opens an alert, but not clearly back: the same episode
    write_days(member, {5: "neutral"})
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN and alert.cleared_at is None

    # 3 of 7 (43%): the episode ends
    write_days(member, {6: "happy"})
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.cleared_at is not None


def member_today(member) -> datetime.date:
    return timezone.localtime(timezone.now(), member.zone).date()


# --- Sharp drop --------------------------------------------------------------------------------


def baseline_with_spread(member) -> None:
    """60 days around +0.5 (SD ≈ 0.1), the week before today left empty."""
    write_days(member, {7 + i: 0.5 + (0.1 if i % 2 else -0.1) for i in range(60)})


def test_it_alerts_when_the_week_drops_far_below_the_baseline(consent, member):
    baseline_with_spread(member)
    write_days(member, {0: 0.1, 1: 0.2, 2: 0.15})

    alerts_evaluate()

    [alert] = alerts(consent, Alert.Kind.VALENCE_DROP)
    evidence = alert.evidence
    assert evidence["recent_entries"] == 3 and evidence["baseline_entries"] == 60
    assert evidence["recent_mean"] == pytest.approx(0.15, abs=1e-3)
    assert evidence["baseline_mean"] == pytest.approx(0.5, abs=1e-3)
    assert evidence["baseline_sd"] == pytest.approx(0.1008, abs=1e-3)
    assert evidence["z"] == pytest.approx(-3.47, abs=0.02)
    assert "3.5 standard deviations lower" in alert.reason and "+0.15" in alert.reason


def test_it_does_not_alert_on_a_small_dip(consent, member):
    baseline_with_spread(member)
    write_days(member, {0: 0.4, 1: 0.45, 2: 0.4})  # about one SD below
    alerts_evaluate()
    assert alerts(consent, Alert.Kind.VALENCE_DROP) == []


def test_it_needs_two_weeks_of_baseline(consent, member):
    write_days(member, {7 + i: 0.5 for i in range(10)})
    write_days(member, {0: -0.6, 1: -0.6, 2: -0.6})
    alerts_evaluate()
    assert alerts(consent, Alert.Kind.VALENCE_DROP) == []


def test_a_steady_baseline_uses_the_sd_floor(consent, member):
    steady_history(member, days=range(7, 67), mood="happy")  # SD 0
    write_days(member, {0: "neutral", 1: "neutral", 2: "neutral"})

    alerts_evaluate()

    [alert] = alerts(consent, Alert.Kind.VALENCE_DROP)
    assert alert.evidence["baseline_sd"] == 0.0 and alert.evidence["sd_used"] == 0.1
    assert alert.evidence["z"] == pytest.approx(-8.1)


def test_a_drop_gives_one_alert_and_resolves_when_the_week_recovers(consent, member, organisation):
    baseline_with_spread(member)
    write_days(member, {0: -0.2, 1: -0.2, 2: -0.2})
    alerts_evaluate()
    alerts_evaluate()
    [alert] = alerts(consent, Alert.Kind.VALENCE_DROP)

    Entry.objects.filter(owner=member, ai_valence=-0.2).update(ai_valence=0.5)
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings
    alerts_evaluate()

    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.cleared_at is not None
    assert len(alerts(consent, Alert.Kind.VALENCE_DROP)) == 1


def test_a_drop_episode_lasts_until_the_mean_is_clearly_back(consent, member):
    baseline_with_spread(member)
    write_days(member, {0: 0.3, 1: 0.3, 2: 0.3})  # about 2 SD below: opens
    alerts_evaluate()
    [alert] = alerts(consent, Alert.Kind.VALENCE_DROP)

    Entry.objects.filter(owner=member, ai_valence=0.3).update(ai_valence=0.37)  # about 1.3 SD below
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.cleared_at is None

    Entry.objects.filter(owner=member, ai_valence=0.37).update(ai_valence=0.45)  # about 0.5 SD below
    day_moods_changed(days=Entry.objects.filter(owner=member))  # as the worker stores readings
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.cleared_at is not None and alert.status == Alert.Status.RESOLVED


def test_the_drop_threshold_is_per_centre(consent, member, organisation):
    baseline_with_spread(member)
    write_days(member, {0: 0.3, 1: 0.3, 2: 0.3})  # two SDs below
    organisation.drop_sd = 2.5
    organisation.save()

    alerts_evaluate()
    assert alerts(consent, Alert.Kind.VALENCE_DROP) == []

    organisation.drop_sd = 1.5
    organisation.save()
    alerts_evaluate()
    assert len(alerts(consent, Alert.Kind.VALENCE_DROP)) == 1


# --- Who is evaluated, and the e-mail ----------------------------------------------------------


def test_withdrawn_and_outdated_consents_are_not_evaluated(consent, member):
    from welfare.models import ConsentText
    from welfare.services import consent_withdraw

    backdate_consent(consent)
    ConsentText.objects.create(version=3, body_en="v2", body_ko="v2")
    alerts_evaluate()
    assert alerts(consent) == []

    ConsentText.objects.filter(version=3).delete()
    consent_withdraw(consent=consent)
    alerts_evaluate()
    assert alerts(consent) == []


def test_the_email_names_no_one_and_goes_to_the_assigned_caseworker(consent, member, caseworker):
    backdate_consent(consent)
    write_days(member, {0: "sad", 1: "sad", 2: "sad"})
    member.display_name = "Kim Younghee"
    member.save()

    alerts_evaluate(now=timezone.now() + 4 * DAY)  # two alerts: no entry and negative mood

    [message] = mail.outbox
    assert message.to == [caseworker.email]
    assert "2 new alerts" in message.subject
    assert "Kim" not in message.body and "sad" not in message.body
    assert "/welfare/dashboard/" in message.body


def test_an_unassigned_client_sends_no_email_until_assigned(member, organisation, caseworker):
    from tests.welfare.conftest import link
    from welfare.services import consent_assign

    consent = link(member, organisation)
    backdate_consent(consent)
    alerts_evaluate()
    assert len(alerts(consent)) == 1 and mail.outbox == []

    consent_assign(consent=consent, caseworker=caseworker)
    alerts_evaluate()
    assert len(mail.outbox) == 1
