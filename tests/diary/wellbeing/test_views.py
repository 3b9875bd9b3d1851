"""The wellbeing check in the web pages: the prompt, the questionnaires, the trend and crisis help."""

import datetime

import pytest
from django.urls import reverse

from diary.services import entry_create, today_for
from diary.wellbeing.models import CheckPrompt, CrisisSignal, SelfCheck

PHQ2_LOW = {"phq1": 0, "phq2": 1}
PHQ2_HIGH = {"phq1": 2, "phq2": 2}
PHQ_REST = {f"phq{n}": 1 for n in range(3, 9)}
UCLA = {"ucla1": 3, "ucla2": 2, "ucla3": 3}


def test_the_prompt_shows_on_the_diary_and_the_tracker_until_answered_or_dismissed(owner_client, member):
    # Given a member who has never answered
    for url in (reverse("diary:entry_list"), reverse("tracker:overview")):
        assert "How have the last two weeks been?" in owner_client.get(url).content.decode()
    # When they press "Not now"
    response = owner_client.post(reverse("wellbeing:prompt"), {"action": "snooze", "next": reverse("diary:entry_list")})
    # Then they are back where they were and the prompt is gone for a few days
    assert response.status_code == 302 and response["Location"] == reverse("diary:entry_list")
    assert "How have the last two weeks been?" not in owner_client.get(reverse("diary:entry_list")).content.decode()
    assert CheckPrompt.objects.get(user=member).snoozed_until > today_for(member)


def test_dont_ask_again_turns_the_prompt_off_and_it_can_be_turned_on(owner_client, member):
    owner_client.post(reverse("wellbeing:prompt"), {"action": "off"})
    assert "How have the last two weeks been?" not in owner_client.get(reverse("tracker:overview")).content.decode()
    owner_client.post(reverse("wellbeing:prompt"), {"action": "on"})
    assert "How have the last two weeks been?" in owner_client.get(reverse("tracker:overview")).content.decode()


def test_the_prompt_returns_two_weeks_after_the_last_check(owner_client, member):
    SelfCheck.objects.create(owner=member, instrument="ucla3", day=today_for(member) - datetime.timedelta(days=13),
                             answers={}, score=3, completed=True)
    assert "How have the last two weeks been?" not in owner_client.get(reverse("tracker:overview")).content.decode()
    SelfCheck.objects.filter(owner=member).update(day=today_for(member) - datetime.timedelta(days=14))
    assert "How have the last two weeks been?" in owner_client.get(reverse("tracker:overview")).content.decode()


def test_a_low_phq2_skips_the_other_seven_items_by_the_published_rule(owner_client, member):
    # When a member under 65 answers the two first questions with a total below 3
    response = owner_client.post(reverse("wellbeing:phq"), PHQ2_LOW)
    # Then the PHQ is complete without a total and the loneliness questions come next
    assert response["Location"] == reverse("wellbeing:questionnaire", args=["ucla3"])
    check = SelfCheck.objects.get(owner=member)
    assert check.completed and check.screen_score == 1 and check.score is None


def test_a_high_phq2_asks_the_rest_and_scores_the_phq9(owner_client, member):
    response = owner_client.post(reverse("wellbeing:phq"), PHQ2_HIGH)
    check = SelfCheck.objects.get(owner=member)
    assert response["Location"] == reverse("wellbeing:phq_rest", args=[check.pk])
    page = owner_client.get(response["Location"]).content.decode()
    assert "Thoughts that you would be better off dead" in page
    response = owner_client.post(response["Location"], {**PHQ_REST, "phq9": 0})
    check.refresh_from_db()
    assert check.completed and check.score == 4 + 6 and check.screen_score == 4
    assert response["Location"] == reverse("wellbeing:questionnaire", args=["ucla3"])
    assert not CrisisSignal.objects.exists()


def test_item9_above_not_at_all_shows_crisis_help_at_once(owner_client, member):
    owner_client.post(reverse("wellbeing:phq"), PHQ2_HIGH)
    check = SelfCheck.objects.get(owner=member)
    response = owner_client.post(reverse("wellbeing:phq_rest", args=[check.pk]), {**PHQ_REST, "phq9": 1})
    assert response["Location"].startswith(reverse("wellbeing:help"))
    page = owner_client.get(response["Location"]).content.decode()
    assert "109" in page and "1577-0199" in page and "119" in page
    signal = CrisisSignal.objects.get(owner=member)
    assert signal.source == "phq_item9" and signal.confirmed and signal.self_check == check


def test_members_of_65_and_over_also_get_the_gds15(owner_client, member):
    member.birth_year = today_for(member).year - 70
    member.save()
    response = owner_client.post(reverse("wellbeing:phq"), PHQ2_LOW)
    assert response["Location"] == reverse("wellbeing:questionnaire", args=["gds15"])
    answers = {f"gds{n}": 1 for n in range(1, 16)}
    response = owner_client.post(response["Location"], answers)
    assert response["Location"] == reverse("wellbeing:questionnaire", args=["ucla3"])
    assert SelfCheck.objects.get(owner=member, instrument="gds15").score == 10


def test_younger_members_are_not_asked_the_gds15(owner_client):
    assert owner_client.get(reverse("wellbeing:questionnaire", args=["gds15"])).status_code == 404


def test_an_unanswered_question_is_named_and_nothing_is_saved(owner_client):
    response = owner_client.post(reverse("wellbeing:questionnaire", args=["ucla3"]), {"ucla1": 1, "ucla2": 9})
    assert response.status_code == 400
    assert "Please choose an answer for this question." in response.content.decode()
    assert not SelfCheck.objects.exists()


def test_results_and_trend_say_what_the_score_does_not_mean(owner_client, member):
    owner_client.post(reverse("wellbeing:questionnaire", args=["ucla3"]), UCLA)
    done = owner_client.get(reverse("wellbeing:done")).content.decode()
    assert "8 / 9" in done and "lonely" in done and "A score is not a diagnosis." in done
    tracker = owner_client.get(reverse("tracker:overview")).content.decode()
    assert "Wellbeing check over time" in tracker and "8 / 9" in tracker and "A score is not a diagnosis." in tracker


def test_the_pages_are_in_korean_for_korean_readers(owner_client, member):
    member.language = "ko"
    member.save()
    page = owner_client.get(reverse("wellbeing:phq")).content.decode()
    assert "지난 2주 동안" in page and "전혀 방해 받지 않았다" in page
    help_page = owner_client.get(reverse("wellbeing:help")).content.decode()
    assert "자살예방상담전화 109" in help_page and "1577-0199" in help_page


def test_a_stranger_cannot_continue_someone_elses_check(owner_client, member, client, stranger):
    owner_client.post(reverse("wellbeing:phq"), PHQ2_HIGH)
    check = SelfCheck.objects.get(owner=member)
    client.force_login(stranger)
    assert client.get(reverse("wellbeing:phq_rest", args=[check.pk])).status_code == 404
    assert client.post(reverse("wellbeing:phq_rest", args=[check.pk]), {**PHQ_REST, "phq9": 0}).status_code == 404
    check.refresh_from_db()
    assert not check.completed
    assert "8 / 9" not in client.get(reverse("wellbeing:home")).content.decode()


@pytest.mark.parametrize("name", ["home", "phq", "done"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"wellbeing:{name}"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_crisis_help_page_is_open_to_everyone_and_keeps_next_on_this_site(client):
    page = client.get(reverse("wellbeing:help") + "?next=https://evil.example/").content.decode()
    assert "109" in page and 'href="https://evil.example/"' not in page


# --- Diary words ---------------------------------------------------------------------------------


def test_saving_an_entry_that_speaks_of_wanting_to_die_shows_help_at_once(owner_client, member):
    response = owner_client.post(reverse("diary:entry_create"), {"day": today_for(member).isoformat(),
                                                                  "text": "남편 기일이다. 나도 그만 죽고 싶다."})
    entry = member.entries.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wellbeing:help')}?next={reverse('diary:entry_detail', args=[entry.pk])}"
    detail = owner_client.get(reverse("diary:entry_detail", args=[entry.pk])).content.decode()
    assert "Help is here, right now" in detail and "tel:109" in detail
    signal = CrisisSignal.objects.get(entry=entry)
    assert signal.level == "clear" and signal.confirmed and signal.rule == "ko_want_to_die"


IDIOMS = ["배고파 죽겠다", "죽을 만큼 웃었다", "I'm dying to see you", "this traffic is killing me"]


@pytest.mark.parametrize("text", IDIOMS)
def test_everyday_idioms_do_not_show_crisis_help(owner_client, member, text):
    response = owner_client.post(reverse("diary:entry_create"), {"day": today_for(member).isoformat(), "text": text})
    entry = member.entries.get()
    assert response["Location"] == reverse("diary:entry_detail", args=[entry.pk])
    assert "Help is here, right now" not in owner_client.get(response["Location"]).content.decode()
    assert not CrisisSignal.objects.exists()


def test_a_possible_phrase_waits_for_the_text_model_and_is_confirmed_by_it(member):
    from diary.wellbeing.services import entry_text_confirm

    entry = entry_create(owner=member, text="그냥 사라지고 싶다.")
    signal = CrisisSignal.objects.get(entry=entry)
    assert signal.level == "possible" and not signal.confirmed
    # The model reads the words as mostly cheerful: not a crisis signal
    assert entry_text_confirm(entry_id=entry.pk, text_probabilities={"happy": 0.7, "sad": 0.2}) is None
    # It reads them as despairing: confirmed once, however often the analysis is delivered
    assert entry_text_confirm(entry_id=entry.pk, text_probabilities={"sad": 0.6, "fear": 0.1}) is not None
    assert entry_text_confirm(entry_id=entry.pk, text_probabilities={"sad": 0.6, "fear": 0.1}) is None
    assert CrisisSignal.objects.get(entry=entry).confirmed


def test_editing_the_words_away_removes_an_unconfirmed_possible_match(member):
    from diary.services import entry_update

    entry = entry_create(owner=member, text="I want to disappear.")
    entry_update(entry=entry, text="A better day, a walk in the park.")
    assert not CrisisSignal.objects.exists()


def test_re_saving_a_clear_entry_does_not_raise_a_second_signal(member):
    from diary.services import entry_update

    entry = entry_create(owner=member, text="I want to die.")
    entry_update(entry=entry, text="I want to die. I am so tired.")
    assert CrisisSignal.objects.filter(entry=entry).count() == 1
