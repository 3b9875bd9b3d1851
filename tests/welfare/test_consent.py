"""Consent flows: link with a code, grant per scope, change, withdraw, and consent again after the
text changes. Every grant and withdrawal is recorded with its time and text version."""

import pytest
from django.urls import reverse

from tests.welfare.conftest import OrganisationFactory, link
from welfare.models import Consent, ConsentEvent, ConsentText
from welfare.selectors import consent_list_visible_to


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def start_link(member_client, organisation):
    return member_client.post(
        reverse("welfare:link"), {"code": organisation.code.lower()[:4] + "-" + organisation.code[4:]}
    )


def test_it_links_with_the_centre_code_and_records_the_consent(member_client, member, organisation):
    # Given the code the centre gave (typed in lower case with a dash)
    response = start_link(member_client, organisation)
    assert response.status_code == 302 and response["Location"] == reverse("welfare:consent_new")

    # When the member reads the text and agrees to mood scores only
    page = member_client.get(reverse("welfare:consent_new"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Consent text, version 2" in body and "Photos" in body and "never shared" in body
    assert "not a diagnosis" in body  # the automatic reading is explained on the consent page
    response = member_client.post(reverse("welfare:consent_new"), {"share_mood": "on", "text_version": 2})

    # Then the consent exists with that scope and the grant is on record with its version and time
    assert response.status_code == 302
    consent = Consent.objects.get(client=member, organisation=organisation)
    assert consent.is_active and consent.share_mood and not consent.share_text and consent.text_version == 2
    [event] = consent.events.all()
    assert (event.action, event.share_mood, event.share_text, event.text_version) == (
        "granted",
        True,
        False,
        2,
    )
    assert event.at is not None


def test_the_consent_text_is_offered_in_korean(member_client, member, organisation):
    start_link(member_client, organisation)
    body = member_client.get(reverse("welfare:consent_new") + "?text=ko").content.decode()
    assert "동의서 (버전 2)" in body and "진단이 아닙니다" in body and "사진" in body


def test_the_mood_scope_is_required(member_client, member, organisation):
    start_link(member_client, organisation)
    response = member_client.post(reverse("welfare:consent_new"), {"share_text": "on", "text_version": 2})
    assert response.status_code == 400
    assert "Sharing mood scores and activity is needed to link" in response.content.decode()
    assert not Consent.objects.exists()


def test_entry_text_is_a_separate_optional_scope(member_client, member, organisation):
    start_link(member_client, organisation)
    member_client.post(reverse("welfare:consent_new"), {"share_mood": "on", "share_text": "on", "text_version": 2})
    consent = Consent.objects.get(client=member)
    assert consent.share_text

    # The member turns text sharing off again
    member_client.post(reverse("welfare:consent_edit", args=[consent.pk]), {"share_mood": "on", "text_version": 2})

    consent.refresh_from_db()
    assert consent.is_active and not consent.share_text
    assert [e.action for e in consent.events.order_by("at", "pk")] == ["granted", "changed"]


def test_a_wrong_code_says_what_to_do(member_client):
    response = member_client.post(reverse("welfare:link"), {"code": "ZZZZ2222"})
    assert response.status_code == 400
    assert "No centre has this code" in response.content.decode()

    response = member_client.post(reverse("welfare:link"), {"code": "12"})
    assert "A centre code has 8 letters and digits" in response.content.decode()


def test_guessing_codes_is_throttled(member_client, organisation):
    for _ in range(10):
        member_client.post(reverse("welfare:link"), {"code": "ZZZZ2222"})
    response = start_link(member_client, organisation)  # even the right code, after ten wrong ones
    assert response.status_code == 429 and "Too many codes" in response.content.decode()


def test_the_consent_page_needs_the_code_first(member_client):
    response = member_client.get(reverse("welfare:consent_new"))
    assert response.status_code == 302 and response["Location"] == reverse("welfare:care")


def test_withdrawal_ends_access_at_once_and_is_recorded(member_client, member, consent, caseworker):
    assert consent_list_visible_to(user=caseworker).count() == 1

    page = member_client.get(reverse("welfare:consent_withdraw", args=[consent.pk]))
    assert "Stop sharing now" in page.content.decode()
    member_client.post(reverse("welfare:consent_withdraw", args=[consent.pk]))

    consent.refresh_from_db()
    assert consent.status == Consent.Status.WITHDRAWN and consent.withdrawn_at and consent.caseworker is None
    assert consent_list_visible_to(user=caseworker).count() == 0
    latest = consent.events.first()
    assert latest.action == ConsentEvent.Action.WITHDRAWN and latest.text_version == 2
    assert "You stopped sharing" in member_client.get(reverse("welfare:care")).content.decode()


def test_sharing_again_after_withdrawal_needs_a_new_assignment(member, consent, caseworker):
    from welfare.services import consent_withdraw

    consent_withdraw(consent=consent)
    link(member, consent.organisation)

    consent.refresh_from_db()
    assert consent.is_active and consent.caseworker is None
    assert [e.action for e in consent.events.order_by("at", "pk")] == ["granted", "withdrawn", "granted"]


def test_a_new_text_version_pauses_sharing_until_the_member_agrees_again(member_client, member, consent, caseworker):
    # Given staff publish a new consent text
    ConsentText.objects.create(version=3, body_en="Version 3 of the text.", body_ko="버전 3")

    # Then the caseworker no longer sees the client, and the member is asked to read the new text
    assert consent_list_visible_to(user=caseworker).count() == 0
    care = member_client.get(reverse("welfare:care")).content.decode()
    assert "The consent text has changed" in care
    page = member_client.get(reverse("welfare:consent_edit", args=[consent.pk])).content.decode()
    assert "Version 3 of the text." in page and 'name="share_mood"' in page and "checked" not in page

    # When the member agrees to version 3
    member_client.post(reverse("welfare:consent_edit", args=[consent.pk]), {"share_mood": "on", "text_version": 3})

    # Then sharing resumes with the same caseworker, and the renewal is on record
    consent.refresh_from_db()
    assert consent.text_version == 3 and consent.caseworker == caseworker
    assert consent.events.first().action == ConsentEvent.Action.RENEWED and consent.events.first().text_version == 3
    assert consent_list_visible_to(user=caseworker).count() == 1


def test_a_text_that_only_adds_an_optional_scope_keeps_earlier_links_in_force(member_client, member, consent,
                                                                             caseworker):
    # Given a member linked under version 2, and staff publish version 3, which only adds a scope
    assert consent.text_version == 2 and not consent.share_checks
    ConsentText.objects.create(version=3, body_en="Version 3 adds a scope.", body_ko="버전 3",
                               adds_optional_scope_only=True)

    # Then the caseworker still sees the client and the member is not told sharing has paused
    assert consent_list_visible_to(user=caseworker).count() == 1
    assert "The consent text has changed" not in member_client.get(reverse("welfare:care")).content.decode()

    # When the member opts into the new scope, they agree to version 3
    member_client.post(reverse("welfare:consent_edit", args=[consent.pk]),
                       {"share_mood": "on", "share_checks": "on", "text_version": 3})
    consent.refresh_from_db()
    assert consent.text_version == 3 and consent.share_checks
    assert consent_list_visible_to(user=caseworker).count() == 1


def test_the_shipped_version_2_keeps_version_1_links_in_force(db):
    # Version 2 (wellbeing checks) was published by a migration as adding an optional scope only
    assert ConsentText.objects.get(version=2).adds_optional_scope_only
    assert not ConsentText.objects.get(version=1).adds_optional_scope_only


def test_agreeing_to_a_text_that_was_replaced_meanwhile_is_refused(member_client, member, organisation):
    start_link(member_client, organisation)
    ConsentText.objects.create(version=3, body_en="v2", body_ko="v2")

    response = member_client.post(reverse("welfare:consent_new"), {"share_mood": "on", "text_version": 2})

    assert response.status_code == 400
    assert "The consent text changed while you were reading it" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_member_cannot_see_or_change_someone_elses_consent(client, stranger, consent):
    client.force_login(stranger)
    assert client.get(reverse("welfare:consent_edit", args=[consent.pk])).status_code == 404
    assert client.post(reverse("welfare:consent_withdraw", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.is_active


@pytest.mark.parametrize("name", ["care", "consent_new", "access_log"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"welfare:{name}"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_linking_to_a_second_centre_is_separate(member, consent):
    second = OrganisationFactory()
    link(member, second)
    assert Consent.objects.filter(client=member).count() == 2


def test_the_pages_speak_korean(client, member):
    member.language = "ko"
    member.save()
    client.force_login(member)
    body = client.get(reverse("welfare:care")).content.decode()
    assert "돌봄 센터" in body and "진단이 아닙니다" in body
