"""A year on the tracker page: the calendar draws the latest three months with entries, and every
other month of the range is one line that opens that month's own calendar; the day-by-day table
covers the drawn months. (A whole year of drawn days made a 170 KB page; Year in Pixels shows every
day of a year, and the printable report lists every day.)"""

import re

from django.urls import reverse

from tests.diary.tracker_fixtures import add, d

YEAR = reverse("tracker:overview") + "?range=year&on=2024-06-01"


def captions(body: str) -> list[str]:
    return re.findall(r'<table class="mood-calendar">\s*<caption>([^<]+)</caption>', body)


def test_a_year_draws_the_latest_three_months_with_entries_and_lists_the_others(owner_client, member):
    # Given entries in February, May, July and September 2024 (none after)
    feb = add(member, d("2024-02-10"), self_mood="sad")
    for day in ("2024-05-03", "2024-07-14", "2024-09-20"):
        add(member, d(day), self_mood="happy")

    body = owner_client.get(YEAR).content.decode()

    # then the calendar draws May, July and September, oldest first
    assert captions(body) == ["May 2024", "July 2024", "September 2024"]
    # and lists the other nine months, newest first, February with its mood
    listed = re.findall(r'<li><a href="\?range=month&amp;on=(\d{4}-\d\d)-01">', body)
    assert listed == ["2024-12", "2024-11", "2024-10", "2024-08", "2024-06", "2024-04", "2024-03", "2024-02",
                      "2024-01"]
    assert "February 2024</a>: 1 day with entries, mostly sad" in body
    assert re.search(r"February 2024</a>: 1 day with entries, mostly sad <span[^>]*>[^<]*</span> "
                     r"\(my choice on 1 day\)", body)
    assert "December 2024</a>: 0 days with entries" in body
    # the day-by-day table leaves February out (it is in the per-month table and the CSV)
    timeline = body[body.index('id="table-timeline"'):body.index("</table>", body.index('id="table-timeline"'))]
    assert "Feb. 10, 2024" not in timeline and "Sept. 20, 2024" in timeline
    # and February's line opens February's calendar, with its entry
    month = owner_client.get(reverse("tracker:overview") + "?range=month&on=2024-02-01").content.decode()
    assert captions(month) == ["February 2024"]
    assert reverse("diary:entry_detail", args=[feb.pk]) in month


def test_the_printable_report_lists_every_day_and_a_month_draws_its_calendar(owner_client, member):
    for day in ("2024-02-10", "2024-05-03", "2024-07-14", "2024-09-20"):
        add(member, d(day), self_mood="sad")
    report = owner_client.get(reverse("tracker:report") + "?from=2024-01-01&to=2024-12-31").content.decode()
    assert "Feb. 10, 2024" in report and "Sept. 20, 2024" in report
    month = owner_client.get(reverse("tracker:overview") + "?range=month&on=2024-09-01").content.decode()
    assert captions(month) == ["September 2024"] and "Other months" not in month


def test_a_listed_month_says_on_how_many_days_the_mood_was_the_persons_own_choice(owner_client, member):
    # Given March 2024 with two moods the person chose and one read automatically, and April
    # with only readings; the latest three months with entries are drawn, so add three after
    for day in ("2024-03-02", "2024-03-09"):
        add(member, d(day), self_mood="happy")
    add(member, d("2024-03-16"), ai="happy")
    add(member, d("2024-04-05"), ai="sad")
    for day in ("2024-05-03", "2024-07-14", "2024-09-20"):
        add(member, d(day), self_mood="happy")

    body = owner_client.get(YEAR).content.decode()

    # then March's line says its mostly-happy days were the person's own choice on two of them
    assert re.search(r"March 2024</a>: 3 days with entries, mostly happy <span[^>]*>[^<]*</span> "
                     r"\(my choice on 2 days\)", body)
    # and April's says its mood was read automatically
    assert re.search(r"April 2024</a>: 1 day with entries, mostly sad <span[^>]*>[^<]*</span> "
                     r"\(read automatically\)", body)
    # and a Korean speaker's page says it in Korean
    from django.utils import translation

    member.language = "ko"
    member.save()
    with translation.override("en"):  # the middleware leaves Korean active after the request
        korean = owner_client.get(YEAR).content.decode()
    assert "(2일은 내가 고른 기분)" in korean and "(자동 분석)" in korean
