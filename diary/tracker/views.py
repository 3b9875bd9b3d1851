"""The tracker's HTML pages and downloads. Thin: parse the range, call the summary, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from diary.services import today_for
from diary.tracker import exports, present, selectors
from diary.tracker.cache import cached
from diary.tracker.calendars import (
    MAX_CALENDAR_MONTHS,
    PAGE_CALENDAR_MONTHS,
    month_grids,
    month_names,
    months_to_draw,
    other_months,
    range_months,
    year_pixels,
)
from diary.tracker.models import TrackerPreference
from diary.tracker.moods import SOURCE_LABELS, day_rule_text, emotion_label, emotion_legend
from diary.tracker.ranges import RangeError, parse_date, range_from_params, year_of
from diary.tracker.services import tracker_preference_set
from diary.tracker.summary import mood_summary

MIN_YEAR, MAX_YEAR = 1900, 2100


def chart_text() -> dict:
    """The words the charts draw, in the reader's language."""
    return {
        "valence": _("Mood score"),
        "rolling": _("7-day average"),
        "average": _("Average mood"),
        "entries": _("Entries"),
        "weekdays": [present.weekday_name(day) for day in range(1, 8)],
        "loading_failed": _("The charts could not be loaded. The tables below show the same numbers."),
        "no_data": _("No entries in this range yet."),
        "sources": {source: str(label) for source, label in SOURCE_LABELS.items()},
    }


def _bad_range(request: HttpRequest, error: RangeError) -> HttpResponse:
    return render(request, "diary/tracker/bad_range.html", {"message": str(error)}, status=400)


def _summary_page(request: HttpRequest, template: str, default_kind: str, calendar_months: int) -> HttpResponse:
    today = today_for(request.user)
    try:
        choice = range_from_params(request.GET, today, default_kind=default_kind)
    except RangeError as error:
        return _bad_range(request, error)
    prefer = selectors.tracker_preference_get(user=request.user)
    months = len(range_months(choice.date_range))

    def figures() -> dict:
        summary = mood_summary(user=request.user, date_range=choice.date_range,
                               granularity=choice.granularity, prefer=prefer, today=today)
        drawn = months_to_draw(summary["days"], choice.date_range, last=calendar_months)
        # The day-by-day table covers the months the calendar draws; the others are in the
        # per-period table, and every day is in the CSV download.
        partial = len(drawn) < months
        return {"summary": summary, "tables": present.tables(summary, daily_months=set(drawn) if partial else None),
                "calendars": month_grids(summary["days"], choice.date_range, drawn), "partial": partial,
                "other_months": other_months(summary["days"], choice.date_range, drawn)}

    # The figures, their tables and calendars, once per person and change (diary.tracker.cache);
    # read only when the page's cached fragment is missing (overview.html), so a repeated look
    # unpickles none of it.
    page = SimpleLazyObject(lambda: cached("page", request.user, (
        choice.date_range.start, choice.date_range.end, choice.granularity, prefer, today, calendar_months), figures))
    context = {
        "choice": choice,
        "prefer": prefer,
        **{name: SimpleLazyObject(lambda name=name: page[name])
           for name in ("summary", "tables", "calendars", "other_months", "partial")},
        "range_kinds": [("week", _("Week")), ("month", _("Month")), ("year", _("Year"))],
        "chart_text": chart_text(),
        "previous": choice.neighbour(-1),
        "next": choice.neighbour(+1),
        "legend": SimpleLazyObject(lambda: page["summary"]["emotions"]),
        "prefer_choices": TrackerPreference.Prefer.choices,
        "endpoint": f"{reverse('mood-summary')}?{choice.query(prefer=prefer)}",
        "today": today,
    }
    return render(request, template, context)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _summary_page(request, "diary/tracker/overview.html", default_kind="month",
                         calendar_months=PAGE_CALENDAR_MONTHS)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """A printable report of a chosen range, for a doctor or a caseworker."""
    return _summary_page(request, "diary/tracker/report.html", default_kind="month",
                         calendar_months=MAX_CALENDAR_MONTHS)


@login_required
@require_GET
def pixels(request: HttpRequest) -> HttpResponse:
    """Year in Pixels: one square per day of the year, coloured by that day's mood."""
    today = today_for(request.user)
    raw = request.GET.get("year") or str(today.year)
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        return _bad_range(request, RangeError(
            _("year must be a year between %(min)d and %(max)d, like %(example)d.")
            % {"min": MIN_YEAR, "max": MAX_YEAR, "example": today.year}, field="year"))
    year = int(raw)
    date_range = year_of(datetime.date(year, 1, 1))
    prefer = selectors.tracker_preference_get(user=request.user)
    days = cached("pixels", request.user, (year, prefer, today), lambda: selectors.mood_days(
        user=request.user, date_range=date_range, prefer=prefer, today=today))
    counts: dict[str, int] = {}
    for day in days:
        if day["emotion"]:
            counts[day["emotion"]] = counts.get(day["emotion"], 0) + 1
    legend = [dict(item, days=counts.get(item["key"], 0)) for item in emotion_legend()]
    months = month_names()
    # The squares are drawn only when their cached fragment is missing (pixels.html): building
    # the 372 cells was most of the page's time on every view.
    rows = SimpleLazyObject(lambda: year_pixels(days, year))
    halves = [
        {"months": months[part],
         "rows": SimpleLazyObject(lambda part=part: [dict(row, squares=row["squares"][part]) for row in rows])}
        for part in (slice(0, 6), slice(6, 12))
    ]
    context = {
        "year": year, "halves": halves, "months": months, "legend": legend,
        "days_with_entries": sum(1 for d in days if d["entries"]), "days_in_year": date_range.days,
        "prefer": prefer, "day_rule": day_rule_text(prefer), "today": today,
    }
    return render(request, "diary/tracker/pixels.html", context)


@login_required
@require_POST
def preference(request: HttpRequest) -> HttpResponse:
    prefer = request.POST.get("prefer", "")
    if prefer in TrackerPreference.Prefer.values:
        tracker_preference_set(user=request.user, prefer=prefer)
        if prefer == TrackerPreference.Prefer.SELF:
            messages.success(request, _("Saved: your own choice of mood comes first."))
        else:
            messages.success(request, _("Saved: the automatic reading comes first, "
                                        "your own choice where there is none."))
    else:
        messages.error(request, _("Please choose one of the two options."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("tracker:overview")
    return redirect(next_url)


@login_required
@require_GET
def day(request: HttpRequest, day: str) -> HttpResponse:
    """The entries of one day, with each one's mood and where it comes from (a calendar day with
    several entries opens this, in place when scripts run)."""
    try:
        date = parse_date(day, "day")
    except RangeError as error:
        return _bad_range(request, error)
    entries = list(selectors.day_entries(user=request.user, day=date))
    for entry in entries:
        entry.mood_label = emotion_label(entry.mood) if entry.mood else ""
        entry.source_label = str(SOURCE_LABELS[entry.mood_source]) if entry.mood_source else ""
    return render(request, "diary/tracker/day.html", {"date": date, "entries": entries})


def _export_range(request: HttpRequest) -> tuple[datetime.date | None, datetime.date | None]:
    """The whole history unless from= / to= narrow it (no length limit: it is the person's own)."""
    start, end = parse_date(request.GET.get("from"), "from"), parse_date(request.GET.get("to"), "to")
    if start and end and start > end:
        raise RangeError(_("The start date must be on or before the end date."), field="from")
    return start, end


# The export formats of the mood history; the URL picks one.
EXPORTERS = {"csv": exports.mood_history_csv, "json": exports.mood_history_json}


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        start, end = _export_range(request)
    except RangeError as error:
        return _bad_range(request, error)
    prefer = selectors.tracker_preference_get(user=request.user)
    return EXPORTERS[fmt](user=request.user, start=start, end=end, prefer=prefer)
