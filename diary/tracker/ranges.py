"""Which days a tracker view covers: week, month, year or a custom range, in the person's days.

Entry.day is already the date in the person's own time zone, so a range is plain dates; only
"today" depends on the clock, and it is always today where the person lives.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Five years of daily entries is the benchmarked case; ten years is the most one request may ask for.
MAX_RANGE_DAYS = 3660
GRANULARITIES = ("day", "week", "month")
RANGE_KINDS = ("week", "month", "year", "custom")


class RangeError(ValueError):
    """A request for days that makes no sense; the message is shown to the person as it is."""

    def __init__(self, message: str, field: str = "range"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DateRange:
    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.start > self.end:
            raise RangeError(_("The start date must be on or before the end date."), field="from")
        if self.days > MAX_RANGE_DAYS:
            raise RangeError(
                _("A range can cover at most %(days)d days; please choose a shorter one.")
                % {"days": MAX_RANGE_DAYS}, field="to",
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self):
        for offset in range(self.days):
            yield self.start + datetime.timedelta(days=offset)

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> "DateRange":
        """The same number of days just before this range (for "compared with before")."""
        length = datetime.timedelta(days=self.days)
        return DateRange(self.start - length, self.start - datetime.timedelta(days=1))


def parse_date(value: str | None, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise RangeError(
            _("“%(value)s” is not a date; please write it as YYYY-MM-DD, for example 2024-05-31.")
            % {"value": value[:40]}, field=field,
        ) from None


def week_of(day: datetime.date) -> DateRange:
    monday = day - datetime.timedelta(days=day.weekday())
    return DateRange(monday, monday + datetime.timedelta(days=6))


def month_of(day: datetime.date) -> DateRange:
    last = calendar.monthrange(day.year, day.month)[1]
    return DateRange(day.replace(day=1), day.replace(day=last))


def year_of(day: datetime.date) -> DateRange:
    return DateRange(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))


def range_for(kind: str, anchor: datetime.date) -> DateRange:
    if kind == "week":
        return week_of(anchor)
    if kind == "year":
        return year_of(anchor)
    return month_of(anchor)


def shift(kind: str, current: DateRange, step: int) -> DateRange:
    """The range before (step=-1) or after (step=+1) the current one, of the same kind."""
    if kind == "week":
        return week_of(current.start + datetime.timedelta(days=7 * step))
    if kind == "month":
        anchor = current.start - datetime.timedelta(days=1) if step < 0 else current.end + datetime.timedelta(days=1)
        return month_of(anchor)
    if kind == "year":
        return year_of(datetime.date(current.start.year + step, 1, 1))
    length = datetime.timedelta(days=current.days * step)
    return DateRange(current.start + length, current.end + length)


def default_granularity(date_range: DateRange) -> str:
    """Days for a week or a month, weeks up to about a quarter, months beyond."""
    if date_range.days <= 31:
        return "day"
    if date_range.days <= 120:
        return "week"
    return "month"


def validate_granularity(value: str | None, date_range: DateRange) -> str:
    if value in (None, ""):
        return default_granularity(date_range)
    if value not in GRANULARITIES:
        raise RangeError(
            _("granularity must be one of day, week or month (not “%(value)s”).") % {"value": value[:20]},
            field="granularity",
        )
    return value


@dataclass(frozen=True)
class RangeChoice:
    kind: str
    date_range: DateRange
    granularity: str

    def neighbour(self, step: int) -> "RangeChoice":
        moved = shift(self.kind, self.date_range, step)
        return RangeChoice(self.kind, moved, self.granularity)

    def query(self, **extra) -> str:
        """The query string that asks for this range again (for links and the endpoint)."""
        from urllib.parse import urlencode

        params = {"range": self.kind, "from": self.date_range.start.isoformat(),
                  "to": self.date_range.end.isoformat(), "granularity": self.granularity, **extra}
        return urlencode(params)


def range_from_params(params, today: datetime.date, default_kind: str = "month") -> RangeChoice:
    """range=week|month|year (around on=, default today) or custom (from= and to=).

    A request that gives from= and to= without range= is a custom range; from= alone runs to today.
    """
    kind = params.get("range") or ("custom" if params.get("from") else default_kind)
    if kind not in RANGE_KINDS:
        raise RangeError(
            _("range must be one of week, month, year or custom (not “%(value)s”).") % {"value": kind[:20]},
            field="range",
        )
    start, end = parse_date(params.get("from"), "from"), parse_date(params.get("to"), "to")
    if kind == "custom":
        if start is None:
            raise RangeError(_("A custom range needs a start date (from=YYYY-MM-DD)."), field="from")
        date_range = DateRange(start, end or today)
    else:
        anchor = parse_date(params.get("on"), "on") or start or today
        date_range = range_for(kind, anchor)
    granularity = validate_granularity(params.get("granularity"), date_range)
    return RangeChoice(kind, date_range, granularity)
