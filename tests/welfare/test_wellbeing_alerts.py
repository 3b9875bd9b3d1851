"""Wellbeing checks for the caseworker: only with the share_checks scope; a self-check alert rule;
urgent crisis alerts e-mailed at once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from diary.services import entry_create, today_for
from diary.wellbeing.models import SelfCheck
from diary.wellbeing.services import check_submit, phq_rest_submit, phq_screen_submit
from tests.welfare.conftest import link
from welfare import services
from welfare.evaluation import alerts_evaluate
from welfare.models import AccessLog, Alert, ConsentEvent
from welfare.selectors import current_consent_text

PHQ_REST_HIGH = {f"phq{n}": 2 for n in range(3, 9)}


@pytest.fixture
def sharing(member, organisation, caseworker):
    """A client who shares their wellbeing checks, followed by the caseworker."""
    link(member, organisation, caseworker)
    return services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                                  share_mood=True, share_text=False, share_checks=True)


def lonely_check(member, score_each: int = 3):
    return check_submit(owner=member, instrument="ucla3",
                        answers={"ucla1": score_each, "ucla2": score_each, "ucla3": score_each})


def test_the_scope_is_a_separate_box_and_its_change_is_on_record(owner_client, member, organisation, caseworker):
    consent = link(member, organisation, caseworker)
    page = owner_client.get(reverse("welfare:consent_edit", args=[consent.pk])).content.decode()
    assert 'name="share_checks"' in page and "wellbeing check results and crisis signals" in page
    owner_client.post(reverse("welfare:consent_edit", args=[consent.pk]),
                       {"share_mood": "on", "share_checks": "on", "text_version": current_consent_text().version})
    consent.refresh_from_db()
    assert consent.share_checks
    event = consent.events.first()
    assert event.action == ConsentEvent.Action.CHANGED and event.share_checks


def test_the_consent_text_describes_the_scope_in_both_languages(db):
    text = current_consent_text()
    assert "wellbeing check results and crisis signals" in text.body_en and "urgent alert" in text.body_en
    assert "마음 건강 설문 결과와 위기 신호" in text.body_ko and "긴급 알림" in text.body_ko


def test_without_the_scope_the_caseworker_sees_no_scores_and_no_rule_fires(consent, member, caseworker_client):
    lonely_check(member)
    alerts_evaluate()
    assert not Alert.objects.filter(kind=Alert.Kind.SELF_CHECK).exists()
    page = caseworker_client.get(reverse("welfare:client_detail", args=[consent.pk])).content.decode()
    assert "does not share their wellbeing check results" in page and "9 / 9" not in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHECKS).exists()


def test_with_the_scope_the_caseworker_sees_the_scores_and_the_look_is_logged(sharing, member, caseworker_client):
    lonely_check(member)
    page = caseworker_client.get(reverse("welfare:client_detail", args=[sharing.pk])).content.decode()
    assert "9 / 9" in page and "a score is not a diagnosis" in page
    assert AccessLog.objects.filter(client=member, action=AccessLog.Action.CHECKS).count() == 1


def test_a_check_worth_talking_about_opens_an_alert_that_ends_when_a_later_check_is_lower(sharing, member):
    lonely_check(member)  # UCLA-3 9: at or above 6
    alerts_evaluate()
    [alert] = Alert.objects.filter(consent=sharing, kind=Alert.Kind.SELF_CHECK)
    assert alert.evidence["checks"][0] | {"day": None} == {
        "instrument": "ucla3", "score": 9, "maximum": 9, "threshold": 6, "day": None}
    assert "UCLA-3 9 of 9" in alert.reason and "not a diagnosis" in alert.reason
    lonely_check(member, score_each=1)  # 3: not lonely
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.cleared_at is not None and alert.resolved_automatically


def test_an_old_check_does_not_keep_an_alert(sharing, member):
    check = lonely_check(member)
    SelfCheck.objects.filter(pk=check.pk).update(day=today_for(member) - datetime.timedelta(days=40))
    alerts_evaluate()
    assert not Alert.objects.filter(kind=Alert.Kind.SELF_CHECK).exists()


def test_item9_raises_an_urgent_alert_e_mailed_at_once(sharing, member, caseworker, django_capture_on_commit_callbacks):
    # Given a client who shares their checks answers item 9 above "not at all"
    with django_capture_on_commit_callbacks(execute=True):
        check = phq_screen_submit(owner=member, answers={"phq1": 3, "phq2": 3})
        phq_rest_submit(check=check, answers={**PHQ_REST_HIGH, "phq9": 1})
    # Then an urgent alert is open and the caseworker has the e-mail now, not at the next hourly run
    [alert] = Alert.objects.filter(consent=sharing, kind=Alert.Kind.CRISIS)
    assert alert.is_urgent and alert.notified_at is not None
    assert alert.evidence["source"] == "phq_item9"
    [message] = mail.outbox
    assert message.to == [caseworker.email] and message.subject.startswith("URGENT")
    assert member.name not in message.body and member.email not in message.body


def test_diary_words_raise_the_urgent_alert_with_consent(sharing, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="I want to kill myself.")
    [alert] = Alert.objects.filter(consent=sharing, kind=Alert.Kind.CRISIS)
    assert alert.evidence["source"] == "entry_text" and "diary entry about dying or self-harm" in alert.reason
    assert len([m for m in mail.outbox if m.subject.startswith("URGENT")]) == 1


def test_no_urgent_alert_without_the_scope(consent, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="죽고 싶다.")
    assert not Alert.objects.filter(kind=Alert.Kind.CRISIS).exists()
    assert not [m for m in mail.outbox if m.subject.startswith("URGENT")]


def test_evaluation_keeps_the_crisis_alert_until_resolved_and_a_later_crisis_opens_a_new_one(
    sharing, member, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="I want to die.")
    alerts_evaluate()
    [alert] = Alert.objects.filter(kind=Alert.Kind.CRISIS)
    assert alert.cleared_at is None and alert.status == Alert.Status.OPEN
    # A second signal while it is open adds to it (no second e-mail)
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="자살하고 싶다.")
    alert.refresh_from_db()
    assert alert.evidence["signals"] == 2 and len(mail.outbox) == 1
    # Resolved by the caseworker, then a new crisis: a new urgent alert and e-mail
    services.alert_resolve(alert=alert, by=caseworker, note="Called her; her daughter is with her.")
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="I want to end my life.")
    assert Alert.objects.filter(kind=Alert.Kind.CRISIS).count() == 2
    assert len([m for m in mail.outbox if m.subject.startswith("URGENT")]) == 2


def test_turning_the_scope_off_ends_the_wellbeing_alerts(sharing, member, organisation,
                                                         django_capture_on_commit_callbacks):
    lonely_check(member)
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="I want to die.")
    alerts_evaluate()
    assert Alert.objects.filter(cleared_at__isnull=True).count() == 2
    services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                           share_mood=True, share_text=False, share_checks=False)
    alerts_evaluate()
    assert not Alert.objects.filter(kind__in=[Alert.Kind.CRISIS, Alert.Kind.SELF_CHECK],
                                    cleared_at__isnull=True).exists()


def test_the_client_page_shows_the_urgent_alert_as_open_until_resolved(sharing, member, caseworker_client,
                                                                       django_capture_on_commit_callbacks):
    lonely_check(member)
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(owner=member, text="I want to die.")
    alerts_evaluate()
    page = caseworker_client.get(reverse("welfare:client_detail", args=[sharing.pk])).content.decode()
    assert "URGENT: crisis help was shown" in page and "it stays open until you resolve it" in page
    assert "Wellbeing check worth talking about" in page and "UCLA-3 9 of 9" in page
    dashboard = caseworker_client.get(reverse("welfare:dashboard"))
    assert dashboard.status_code == 200


def test_a_check_taken_while_the_scope_was_off_stays_private_after_sharing_again(
    sharing, member, organisation, caseworker_client
):
    # given a client who stopped sharing their checks, took one, then shared them again
    services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                           share_mood=True, share_text=False, share_checks=False)
    lonely_check(member)
    again = services.consent_grant(client=member, organisation=organisation, text=current_consent_text(),
                                   share_mood=True, share_text=False, share_checks=True)
    # when the alerts are evaluated and the caseworker opens the client page
    alerts_evaluate()
    page = caseworker_client.get(reverse("welfare:client_detail", args=[again.pk])).content.decode()
    # then the private check is in neither
    assert "9 / 9" not in page
    assert not Alert.objects.filter(kind=Alert.Kind.SELF_CHECK).exists()
    # and a check taken after sharing again is shown as before
    lonely_check(member)
    alerts_evaluate()
    page = caseworker_client.get(reverse("welfare:client_detail", args=[again.pk])).content.decode()
    assert "9 / 9" in page
    assert Alert.objects.filter(kind=Alert.Kind.SELF_CHECK).count() == 1


def test_a_running_wellbeing_alert_makes_the_dashboard_risk_high(sharing, member, caseworker):
    from welfare.selectors import dashboard_rows

    # given a client whose mood figures alone show only a medium risk (no entries yet)
    [row] = dashboard_rows(user=caseworker)
    assert row.risk_label == "medium"
    # when a wellbeing check worth talking about opens an alert
    lonely_check(member)
    alerts_evaluate()
    # then the badge says high, and goes back when a later check is lower
    [row] = dashboard_rows(user=caseworker)
    assert row.risk_label == "high"
    lonely_check(member, score_each=1)
    alerts_evaluate()
    [row] = dashboard_rows(user=caseworker)
    assert row.risk_label == "medium"
