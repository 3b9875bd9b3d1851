"""The tracker's series on hand-built histories: every number here is worked out by hand."""

import datetime

import pytest
from django.utils import timezone, translation

from diary.tracker import selectors
from diary.tracker.ranges import DateRange, month_of, range_from_params, week_of
from diary.tracker.summary import mood_summary
from moodsite.emotions import CIRCUMPLEX
from tests.diary.tracker_fixtures import add, d
from tests.factories import UserFactory

HAPPY, SAD, ANGRY, NEUTRAL = (CIRCUMPLEX[name][0] for name in ("happy", "sad", "angry", "neutral"))


def by_date(days):
    return {day["date"]: day for day in days}


@pytest.fixture
def person(db):
    return UserFactory(time_zone="Asia/Seoul")


def test_it_leaves_days_without_entries_empty_and_averages_the_rest(person):
    # Given entries on the 1st (two), the 3rd, and none on the 2nd
    add(person, d("2024-05-01"), self_mood="happy")
    add(person, d("2024-05-01"), self_mood="sad")
    add(person, d("2024-05-03"), self_mood="angry")
    # When the first three days are summarised
    days = selectors.mood_days(user=person, date_range=DateRange(d("2024-05-01"), d("2024-05-03")),
                               prefer="ai", today=d("2024-06-01"))
    # Then every date is there, the empty day has no reading, and means are per day
    assert [day["date"] for day in days] == [d("2024-05-01"), d("2024-05-02"), d("2024-05-03")]
    first, second, third = days
    assert first["entries"] == 2 and first["valence"] == pytest.approx((HAPPY + SAD) / 2)
    assert second == {"date": d("2024-05-02"), "entries": 0, "valence": None, "emotion": None, "source": None,
                      "entry_id": None, "counts": {}, "own": 0, "rolling_mean": pytest.approx((HAPPY + SAD) / 2)}
    assert third["valence"] == pytest.approx(ANGRY)
    # The rolling mean averages the daily means of the days that have one (not zeros for the gap)
    assert third["rolling_mean"] == pytest.approx(((HAPPY + SAD) / 2 + ANGRY) / 2, abs=1e-4)


def test_it_rolls_the_mean_over_seven_calendar_days_including_the_days_before_the_range(person):
    for offset, mood in enumerate(["happy", "sad", "happy", "sad", "happy", "sad", "happy", "angry"]):
        add(person, d("2024-05-01") + datetime.timedelta(days=offset), self_mood=mood)
    days = by_date(selectors.mood_days(user=person, date_range=DateRange(d("2024-05-07"), d("2024-05-10")),
                                       prefer="ai", today=d("2024-05-09")))
    # 7 May: 1–7 May = 4 happy + 3 sad
    assert days[d("2024-05-07")]["rolling_mean"] == pytest.approx((4 * HAPPY + 3 * SAD) / 7, abs=1e-4)
    # 8 May: 2–8 May = 3 happy, 3 sad, 1 angry
    assert days[d("2024-05-08")]["rolling_mean"] == pytest.approx((3 * HAPPY + 3 * SAD + ANGRY) / 7, abs=1e-4)
    # 9 May has no entry but still a mean of 3–8 May; 10 May is after "today": no mean at all
    assert days[d("2024-05-09")]["rolling_mean"] == pytest.approx((3 * HAPPY + 2 * SAD + ANGRY) / 6, abs=1e-4)
    assert days[d("2024-05-10")]["rolling_mean"] is None


def test_it_colours_a_mixed_day_by_its_own_choice_first_and_then_by_its_lowest_mood(person):
    # Given a day of the person's own choices (mostly happy, once sad)
    add(person, d("2024-05-01"), self_mood="happy")
    add(person, d("2024-05-01"), self_mood="sad")
    add(person, d("2024-05-01"), self_mood="happy")
    # a day where they chose "neutral" once and the reading of another entry said "sad"
    chosen = add(person, d("2024-05-02"), self_mood="neutral")
    add(person, d("2024-05-02"), ai="sad")
    # and a day of automatic readings only, two equally low moods at different times
    add(person, d("2024-05-03"), ai="happy")
    add(person, d("2024-05-03"), ai="angry")
    latest = add(person, d("2024-05-03"), ai="angry")
    # When the days are summarised (the default rule)
    days = by_date(selectors.mood_days(user=person, date_range=DateRange(d("2024-05-01"), d("2024-05-03")),
                                       today=d("2024-05-03")))
    # Then a day of own choices shows the lowest of them, not the most frequent
    assert (days[d("2024-05-01")]["emotion"], days[d("2024-05-01")]["source"]) == ("sad", "self")
    assert days[d("2024-05-01")]["counts"] == {"sad": 1, "happy": 2}
    assert days[d("2024-05-01")]["own"] == 3
    # the person's own word that day comes before a lower automatic reading
    assert (days[d("2024-05-02")]["emotion"], days[d("2024-05-02")]["source"]) == ("neutral", "self")
    assert days[d("2024-05-02")]["counts"] == {"neutral": 1, "sad": 1}
    assert days[d("2024-05-02")]["entry_id"] > chosen.pk  # the newest entry of the day
    # and without an own choice, the lowest reading colours the day
    assert (days[d("2024-05-03")]["emotion"], days[d("2024-05-03")]["source"]) == ("angry", "ai")
    assert days[d("2024-05-03")]["entry_id"] == latest.pk


def test_a_person_who_chose_the_automatic_reading_first_gets_it_first_on_a_mixed_day_too(person):
    add(person, d("2024-05-02"), self_mood="neutral")
    add(person, d("2024-05-02"), self_mood="happy", ai="surprise")
    days = selectors.mood_days(user=person, date_range=DateRange(d("2024-05-02"), d("2024-05-02")),
                               prefer="ai", today=d("2024-05-02"))
    assert (days[0]["emotion"], days[0]["source"]) == ("surprise", "ai")


def test_it_prefers_the_reading_the_person_chose_and_falls_back_to_the_other(person):
    add(person, d("2024-05-01"), self_mood="happy", ai="sad", ai_valence=-0.5)  # both
    add(person, d("2024-05-02"), ai="angry", ai_valence=-0.4)  # AI only
    add(person, d("2024-05-03"), self_mood="neutral")  # own only
    add(person, d("2024-05-04"))  # neither: counts as an entry, has no mood
    week = DateRange(d("2024-05-01"), d("2024-05-04"))
    ai_first = by_date(selectors.mood_days(user=person, date_range=week, prefer="ai", today=d("2024-05-04")))
    own_first = by_date(selectors.mood_days(user=person, date_range=week, prefer="self", today=d("2024-05-04")))
    assert (ai_first[d("2024-05-01")]["emotion"], ai_first[d("2024-05-01")]["valence"]) == ("sad", -0.5)
    assert (own_first[d("2024-05-01")]["emotion"], own_first[d("2024-05-01")]["valence"]) == ("happy", HAPPY)
    for days in (ai_first, own_first):
        assert (days[d("2024-05-02")]["emotion"], days[d("2024-05-02")]["valence"]) == ("angry", -0.4)
        assert (days[d("2024-05-03")]["emotion"], days[d("2024-05-03")]["valence"]) == ("neutral", NEUTRAL)
        assert days[d("2024-05-04")] | {"rolling_mean": None} == {
            "date": d("2024-05-04"), "entries": 1, "valence": None, "emotion": None, "source": None,
            "entry_id": days[d("2024-05-04")]["entry_id"], "counts": {}, "own": 0, "rolling_mean": None}


def test_it_takes_the_circumplex_valence_when_an_ai_reading_has_none(person):
    entry = add(person, d("2024-05-01"), ai="happy")
    type(entry).objects.filter(pk=entry.pk).update(ai_valence=None)
    days = selectors.mood_days(user=person, date_range=DateRange(d("2024-05-01"), d("2024-05-01")),
                               prefer="ai", today=d("2024-05-01"))
    assert days[0]["valence"] == HAPPY


def test_it_counts_the_current_and_the_longest_streak(person):
    # Given runs 1–3 May (with a second entry on the 2nd), 5–9 May, and 11–12 May, and a future day
    for day in ["01", "02", "02", "03", "05", "06", "07", "08", "09", "11", "12", "20"]:
        add(person, d(f"2024-05-{day}"), self_mood="neutral")
    # When today is the 12th, the 13th (today's entry not written yet) or the 14th
    on_12 = selectors.mood_streaks(user=person, today=d("2024-05-12"))
    on_13 = selectors.mood_streaks(user=person, today=d("2024-05-13"))
    on_14 = selectors.mood_streaks(user=person, today=d("2024-05-14"))
    # Then the longest run is 5 days and the current one lasts until a whole day is missed
    assert on_12 | {} == {"current": 2, "current_from": d("2024-05-11"), "longest": 5,
                          "longest_from": d("2024-05-05"), "longest_to": d("2024-05-09"),
                          "last_entry_day": d("2024-05-12")}
    assert on_13["current"] == 2
    assert on_14["current"] == 0 and on_14["longest"] == 5


def test_it_reports_the_most_recent_of_two_equally_long_streaks(person):
    for day in ["01", "02", "05", "06"]:
        add(person, d(f"2024-05-{day}"))
    streak = selectors.mood_streaks(user=person, today=d("2024-05-30"))
    assert (streak["longest"], streak["longest_from"], streak["current"]) == (2, d("2024-05-05"), 0)


def test_it_has_no_streak_without_entries(person):
    assert selectors.mood_streaks(user=person, today=d("2024-05-30"))["longest"] == 0


def test_it_averages_mood_by_weekday(person):
    # 6 May 2024 is a Monday, 11 May a Saturday
    add(person, d("2024-05-06"), self_mood="happy")
    add(person, d("2024-05-13"), self_mood="sad")
    add(person, d("2024-05-11"), self_mood="happy")
    add(person, d("2024-05-11"), self_mood="happy")
    totals = selectors.mood_totals(user=person, date_range=DateRange(d("2024-05-01"), d("2024-05-31")),
                                   prefer="ai", today=d("2024-05-31"))
    weekdays = {w["weekday"]: w for w in totals["weekdays"]}
    assert weekdays[1] == {"weekday": 1, "mean": pytest.approx((HAPPY + SAD) / 2, abs=1e-4), "entries": 2}
    assert weekdays[6] == {"weekday": 6, "mean": pytest.approx(HAPPY), "entries": 2}
    assert weekdays[3] == {"weekday": 3, "mean": None, "entries": 0}


def test_it_measures_agreement_only_where_both_readings_exist(person):
    add(person, d("2024-05-01"), self_mood="happy", ai="happy")
    add(person, d("2024-05-02"), self_mood="happy", ai="sad")
    add(person, d("2024-05-03"), self_mood="sad", ai="sad")
    add(person, d("2024-05-04"), self_mood="sad", ai="fear")
    add(person, d("2024-05-05"), self_mood="sad")  # no AI reading: not counted
    add(person, d("2024-05-06"), ai="sad")  # no own choice: not counted
    add(person, d("2024-04-30"), self_mood="sad", ai="sad")  # outside the range
    totals = selectors.mood_totals(user=person, date_range=DateRange(d("2024-05-01"), d("2024-05-31")),
                                   prefer="ai", today=d("2024-05-31"))
    assert (totals["both"], totals["agree"], totals["agreement_percent"]) == (4, 2, 50.0)


def test_it_groups_weeks_from_monday_and_months_and_clips_them_to_the_range(person):
    add(person, d("2024-04-28"), self_mood="sad")  # Sunday before the range
    add(person, d("2024-04-30"), self_mood="happy")  # Tuesday
    add(person, d("2024-05-05"), self_mood="sad")  # Sunday, same ISO week
    add(person, d("2024-05-06"), self_mood="happy")  # next Monday
    add(person, d("2024-05-31"), self_mood="angry")
    date_range = DateRange(d("2024-04-30"), d("2024-05-31"))
    weeks = selectors.mood_periods(user=person, date_range=date_range, granularity="week", prefer="ai")
    assert weeks[0]["start"] == d("2024-04-30") and weeks[0]["end"] == d("2024-05-05")
    assert weeks[0]["entries"] == 2 and weeks[0]["counts"] == {"happy": 1, "sad": 1}
    assert weeks[1]["start"] == d("2024-05-06") and weeks[1]["counts"] == {"happy": 1}
    assert weeks[2]["counts"] == {}
    assert [w["entries"] for w in weeks] == [2, 1, 0, 0, 1]
    months = selectors.mood_periods(user=person, date_range=date_range, granularity="month", prefer="ai")
    assert [(m["start"], m["end"], m["entries"]) for m in months] == [
        (d("2024-04-30"), d("2024-04-30"), 1), (d("2024-05-01"), d("2024-05-31"), 3)]
    assert months[1]["valence"] == pytest.approx((SAD + HAPPY + ANGRY) / 3, abs=1e-4)


def test_it_compares_the_last_week_with_the_sixty_days_before_in_plain_words(person):
    # Given 53 pleasant days, then 7 unpleasant ones, ending today
    today = d("2024-06-30")
    for offset in range(60):
        add(person, today - datetime.timedelta(days=offset), self_mood="sad" if offset < 7 else "happy")
    summary = mood_summary(user=person, date_range=DateRange(d("2024-06-24"), today), granularity="day",
                           prefer="ai", today=today)
    baseline = round((7 * SAD + 53 * HAPPY) / 60, 4)
    insight = next(i for i in summary["insights"] if i["key"] == "recent_vs_baseline")
    assert insight["numbers"]["recent"] == pytest.approx(SAD)
    assert insight["numbers"]["baseline"] == pytest.approx(baseline)
    assert insight["text"] == (
        "Over the last 7 days your mood was lower than your 60-day average (−0.63 vs +0.64).")
    with translation.override("ko"):
        korean = mood_summary(user=person, date_range=DateRange(d("2024-06-24"), today), granularity="day",
                              prefer="ai", today=today)
    korean_text = next(i for i in korean["insights"] if i["key"] == "recent_vs_baseline")["text"]
    assert "−0.63" in korean_text and "+0.64" in korean_text and "60일" in korean_text


def test_it_names_the_best_weekday(person):
    # Saturdays happy, Mondays sad, other days neutral, 6 May – 2 June 2024 (May has 3 such Saturdays)
    for offset in range(28):
        day = d("2024-05-06") + datetime.timedelta(days=offset)
        add(person, day, self_mood={6: "happy", 1: "sad"}.get(day.isoweekday(), "neutral"))
    summary = mood_summary(user=person, date_range=month_of(d("2024-05-15")), granularity="week",
                           prefer="ai", today=d("2024-06-30"))
    texts = {i["key"]: i["text"] for i in summary["insights"]}
    assert texts["best_weekday"] == "Saturdays are your best days (average +0.81 over 3 entries)."
    assert texts["hardest_weekday"] == "Mondays are your hardest days (average −0.63 over 4 entries)."


def test_today_is_the_persons_own_day_at_the_date_line(db, monkeypatch):
    # Given it is 15:30 UTC on 31 May: already 00:30 on 1 June in Seoul, still 31 May in London
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2024, 5, 31, 15, 30, tzinfo=datetime.UTC))
    seoul = UserFactory(time_zone="Asia/Seoul")
    london = UserFactory(time_zone="Europe/London")
    for person in (seoul, london):
        add(person, d("2024-05-30"))
        add(person, d("2024-05-31"))
    from diary.services import today_for

    # Then the default month and the streak follow each person's own calendar
    assert range_from_params({}, today_for(seoul)).date_range == DateRange(d("2024-06-01"), d("2024-06-30"))
    assert range_from_params({}, today_for(london)).date_range == DateRange(d("2024-05-01"), d("2024-05-31"))
    assert selectors.mood_streaks(user=seoul, today=today_for(seoul))["current"] == 2  # yesterday counts
    add(seoul, d("2024-05-28"))
    assert selectors.mood_streaks(user=seoul, today=today_for(seoul))["current"] == 2


@pytest.mark.parametrize(("utc", "local_day"), [
    # New York springs forward at 02:00 on 10 March 2024 (EST -5 -> EDT -4)
    (datetime.datetime(2024, 3, 10, 4, 59, tzinfo=datetime.UTC), d("2024-03-09")),
    (datetime.datetime(2024, 3, 10, 5, 0, tzinfo=datetime.UTC), d("2024-03-10")),
    (datetime.datetime(2024, 3, 11, 3, 59, tzinfo=datetime.UTC), d("2024-03-10")),
    (datetime.datetime(2024, 3, 11, 4, 0, tzinfo=datetime.UTC), d("2024-03-11")),
    # and falls back at 02:00 on 3 November 2024
    (datetime.datetime(2024, 11, 4, 4, 59, tzinfo=datetime.UTC), d("2024-11-03")),
    (datetime.datetime(2024, 11, 4, 5, 0, tzinfo=datetime.UTC), d("2024-11-04")),
])
def test_day_boundaries_follow_daylight_saving_time(db, monkeypatch, utc, local_day):
    monkeypatch.setattr(timezone, "now", lambda: utc)
    person = UserFactory(time_zone="America/New_York")
    from diary.services import today_for

    assert today_for(person) == local_day


def test_a_week_across_a_daylight_saving_change_has_seven_days_each_counted_once(db):
    # Given an entry every day of the week in which New York springs forward (Mon 4 – Sun 10 March 2024)
    person = UserFactory(time_zone="America/New_York")
    for offset in range(7):
        add(person, d("2024-03-04") + datetime.timedelta(days=offset), self_mood="happy")
    week = week_of(d("2024-03-10"))
    summary = mood_summary(user=person, date_range=week, granularity="day", prefer="ai", today=d("2024-03-11"))
    assert [day["date"] for day in summary["days"]] == [d("2024-03-04") + datetime.timedelta(days=i)
                                                       for i in range(7)]
    assert all(day["entries"] == 1 for day in summary["days"])
    assert summary["streak"]["current"] == 7
    assert [w["entries"] for w in summary["weekdays"]] == [1] * 7


def test_a_summary_never_includes_another_persons_entries(person):
    other = UserFactory()
    add(other, d("2024-05-01"), self_mood="sad", ai="sad")
    add(person, d("2024-05-02"), self_mood="happy")
    summary = mood_summary(user=person, date_range=month_of(d("2024-05-01")), granularity="week",
                           prefer="ai", today=d("2024-05-31"))
    assert summary["totals"]["entries"] == 1
    assert summary["agreement"]["both"] == 0
    assert by_date(summary["days"])[d("2024-05-01")]["entries"] == 0
