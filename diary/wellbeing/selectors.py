"""Reads for the wellbeing checks. Every read names the person it is for."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Entry
from diary.services import today_for
from diary.wellbeing import instruments
from diary.wellbeing.models import CheckPrompt, CrisisSignal, SelfCheck

# A check is "recent" for the caseworker and the alert rule for four weeks: two prompts' worth.
RECENT_CHECK_DAYS = 28
# A crisis signal keeps its alert episode running for a week (the caseworker resolves it).
RECENT_SIGNAL_DAYS = 7


def sequence_for(user: User, today: datetime.date) -> list[str]:
    """The questionnaires offered to this person, in order: PHQ, GDS-15 for 65+, UCLA-3."""
    order = [instruments.PHQ9]
    if instruments.is_old_enough_for_gds(user.birth_year, today.year):
        order.append(instruments.GDS15)
    order.append(instruments.UCLA3)
    return order


def next_after(user: User, code: str, today: datetime.date) -> str | None:
    order = sequence_for(user, today)
    position = order.index(code) if code in order else -1
    return order[position + 1] if position + 1 < len(order) else None


def last_completed_day(*, user: User) -> datetime.date | None:
    return (
        SelfCheck.objects.filter(owner=user, completed=True).order_by("-day").values_list("day", flat=True).first()
    )


def prompt_get(*, user: User) -> CheckPrompt | None:
    return CheckPrompt.objects.filter(user=user).first()


def _due(prompt: CheckPrompt | None, last: datetime.date | None, today: datetime.date) -> bool:
    if prompt is not None and (not prompt.enabled or (prompt.snoozed_until and prompt.snoozed_until > today)):
        return False
    return last is None or (today - last).days >= instruments.INTERVAL_DAYS


def prompt_due(*, user: User, today: datetime.date | None = None) -> bool:
    """Offer the check when none was answered in the last two weeks, unless snoozed or turned off."""
    if not user.is_authenticated:
        return False
    return _due(prompt_get(user=user), last_completed_day(user=user), today or today_for(user))


def check_get_open(*, user: User, check_id: int) -> SelfCheck:
    """A PHQ waiting for its items 3-9, owned by `user`; anyone else gets a 404."""
    try:
        return SelfCheck.objects.get(pk=check_id, owner=user, instrument=instruments.PHQ9, completed=False)
    except (SelfCheck.DoesNotExist, ValueError, TypeError):
        raise Http404("No such check.") from None


@dataclass(frozen=True)
class CheckRow:
    day: datetime.date
    instrument: str
    short_name: str
    score: int | None
    screen_score: int | None
    maximum: int
    band: str
    meaning: str
    attention: bool

    @property
    def shown_score(self) -> str:
        if self.score is not None:
            return f"{self.score} / {self.maximum}"
        return f"PHQ-2 {self.screen_score} / 6" if self.screen_score is not None else "—"


def _row(check: SelfCheck) -> CheckRow:
    return _row_of(check.instrument, check.day, check.score, check.screen_score)


def _row_of(instrument: str, day: datetime.date, score: int | None, screen_score: int | None) -> CheckRow:
    form = instruments.INSTRUMENTS[instrument]
    if score is not None:
        band = form.band_for(score)
        return CheckRow(day, instrument, form.short_name, score, screen_score,
                        form.maximum, str(band.label), str(band.meaning), score >= form.attention_at)
    # A negative PHQ-2: the published rule stops here, so there is no PHQ-9 total to band.
    return CheckRow(day, instrument, form.short_name, None, screen_score, form.maximum,
                    _("short check below 3"), _("The two first questions showed few signs of depression."), False)


def check_rows(*, owner: User, since: datetime.date | None = None, hidden: Q | None = None) -> list[CheckRow]:
    """Completed checks, oldest first, for the person's own trend (or a consenting caseworker's view,
    leaving out the `hidden` ones: those of periods their consent did not cover)."""
    checks = SelfCheck.objects.filter(owner=owner, completed=True)
    if hidden is not None:
        checks = checks.exclude(hidden)
    if since is not None:
        checks = checks.filter(day__gte=since)
    return [_row(check) for check in checks.order_by("day", "created_at")]


def trend(*, owner: User) -> dict[str, list[CheckRow]]:
    """Each questionnaire's rows, oldest first (keys in the order they are offered)."""
    rows: dict[str, list[CheckRow]] = {code: [] for code in instruments.INSTRUMENTS}
    for row in check_rows(owner=owner):
        rows[row.instrument].append(row)
    return {code: found for code, found in rows.items() if found}


def tracker_state(*, user: User, today: datetime.date) -> dict:
    """The prompt and the trend for the tracker page, in one query (the page's budget is eight).

    Starts from the person's own row so that the prompt's state comes back even with no checks."""
    values = (
        User.objects.filter(pk=user.pk)
        .annotate(done=FilteredRelation("self_checks", condition=Q(self_checks__completed=True)))
        .values_list("check_prompt__enabled", "check_prompt__snoozed_until", "done__instrument", "done__day",
                     "done__score", "done__screen_score")
        .order_by("done__day", "done__created_at")
    )
    prompt: CheckPrompt | None = None
    rows: list[CheckRow] = []
    for enabled, snoozed_until, instrument, day, score, screen_score in values:
        if enabled is not None and prompt is None:
            prompt = CheckPrompt(user=user, enabled=enabled, snoozed_until=snoozed_until)
        if instrument:
            rows.append(_row_of(instrument, day, score, screen_score))
    trend_rows: dict[str, list[CheckRow]] = {}
    for row in rows:
        trend_rows.setdefault(row.instrument, []).append(row)
    last = max((row.day for row in rows), default=None)
    return {
        "due": _due(prompt, last, today),
        "trend": [(instruments.INSTRUMENTS[code], trend_rows[code]) for code in instruments.INSTRUMENTS
                  if code in trend_rows],
    }


def latest_for_owners(
    *, owner_ids: Iterable[int], today: datetime.date, hidden: Q | None = None
) -> dict[int, dict[str, CheckRow]]:
    """Each person's latest completed result per questionnaire in the last four weeks (alert rule),
    leaving out the `hidden` ones."""
    owner_ids = list(owner_ids)
    if not owner_ids:
        return {}
    since = today - datetime.timedelta(days=RECENT_CHECK_DAYS)
    latest: dict[int, dict[str, CheckRow]] = {}
    checks = SelfCheck.objects.filter(owner_id__in=owner_ids, completed=True, day__gte=since)
    if hidden is not None:
        checks = checks.exclude(hidden)
    checks = checks.order_by(
        "owner_id", "instrument", "-day", "-created_at"
    )
    for check in checks:
        latest.setdefault(check.owner_id, {}).setdefault(check.instrument, _row(check))
    return latest


def recent_signals_for_owners(*, owner_ids: Iterable[int], now: datetime.datetime | None = None) -> dict[int, int]:
    """How many confirmed crisis signals each person had in the last week."""
    since = (now or timezone.now()) - datetime.timedelta(days=RECENT_SIGNAL_DAYS)
    counts: dict[int, int] = {}
    for owner_id in CrisisSignal.objects.filter(
        owner_id__in=list(owner_ids), confirmed=True, created_at__gte=since
    ).values_list("owner_id", flat=True):
        counts[owner_id] = counts.get(owner_id, 0) + 1
    return counts


def entry_help_level(*, entry: Entry) -> str:
    """"clear" (crisis help), "possible" (a gentle line with the numbers) or "" for the entry page."""
    levels = set(CrisisSignal.objects.filter(entry=entry).values_list("level", "confirmed"))
    if any(level == CrisisSignal.Level.CLEAR or confirmed for level, confirmed in levels):
        return "clear"
    return "possible" if levels else ""


def signal_get(*, user: User, signal_id: int) -> CrisisSignal:
    try:
        return CrisisSignal.objects.get(pk=signal_id, owner=user)
    except (CrisisSignal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such signal.") from None
