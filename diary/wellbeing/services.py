"""Writes for the wellbeing checks: answers and scores, the prompt's state, crisis signals."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from diary.models import Entry
from diary.services import today_for
from diary.wellbeing import crisis, instruments
from diary.wellbeing.models import CheckPrompt, CrisisSignal, SelfCheck
from diary.wellbeing.signals import crisis_signalled

# "Not now" on the prompt hides it for three days: soon enough to be offered again within the
# same two-week window, far enough not to nag.
SNOOZE_DAYS = 3


def _announce(signal: CrisisSignal) -> None:
    transaction.on_commit(
        lambda: crisis_signalled.send_robust(sender=CrisisSignal, signal_id=signal.pk, owner_id=signal.owner_id)
    )


# --- Questionnaires ----------------------------------------------------------------------------


@transaction.atomic
def phq_screen_submit(*, owner: User, answers: Mapping[str, object]) -> SelfCheck:
    """The PHQ-2 (items 1-2). A negative screen (< 3) is complete; a positive one asks for items 3-9."""
    phq = instruments.PHQ9_INSTRUMENT
    cleaned = instruments.clean_answers(phq, answers, instruments.PHQ2_ITEMS)
    screen = instruments.phq2_score(cleaned)
    positive = instruments.phq2_positive(cleaned)
    now = timezone.now()
    return SelfCheck.objects.create(
        owner=owner, instrument=phq.code, day=today_for(owner), answers=cleaned, screen_score=screen,
        completed=not positive, completed_at=None if positive else now,
    )


@transaction.atomic
def phq_rest_submit(*, check: SelfCheck, answers: Mapping[str, object]) -> SelfCheck:
    """Items 3-9 after a positive PHQ-2: the PHQ-9 total, and crisis help if item 9 is above "not at all"."""
    phq = instruments.PHQ9_INSTRUMENT
    rest = tuple(item.code for item in phq.items if item.code not in instruments.PHQ2_ITEMS)
    cleaned = instruments.clean_answers(phq, answers, rest)
    check = SelfCheck.objects.select_for_update().get(pk=check.pk)
    if check.completed:
        return check  # sent twice (a double tap): the first answers stand
    check.answers = {**check.answers, **cleaned}
    check.score = instruments.score(phq, check.answers)
    check.completed = True
    check.completed_at = timezone.now()
    check.save(update_fields=["answers", "score", "completed", "completed_at"])
    if instruments.phq_item9_positive(check.answers):
        signal = CrisisSignal.objects.create(
            owner=check.owner, source=CrisisSignal.Source.PHQ_ITEM9, level=CrisisSignal.Level.CLEAR,
            confirmed=True, rule="phq_item9", self_check=check,
        )
        _announce(signal)
    return check


@transaction.atomic
def check_submit(*, owner: User, instrument: str, answers: Mapping[str, object]) -> SelfCheck:
    """A whole GDS-15 or UCLA-3, scored by its published rule."""
    form = instruments.INSTRUMENTS[instrument]
    cleaned = instruments.clean_answers(form, answers, tuple(item.code for item in form.items))
    now = timezone.now()
    return SelfCheck.objects.create(
        owner=owner, instrument=form.code, day=today_for(owner), answers=cleaned,
        score=instruments.score(form, cleaned), completed=True, completed_at=now,
    )


def prompt_snooze(*, user: User, days: int = SNOOZE_DAYS) -> CheckPrompt:
    prompt, _created = CheckPrompt.objects.get_or_create(user=user)
    prompt.snoozed_until = today_for(user) + datetime.timedelta(days=days)
    prompt.save(update_fields=["snoozed_until", "updated_at"])
    return prompt


def prompt_set_enabled(*, user: User, enabled: bool) -> CheckPrompt:
    prompt, _created = CheckPrompt.objects.get_or_create(user=user)
    prompt.enabled = enabled
    prompt.snoozed_until = None
    prompt.save(update_fields=["enabled", "snoozed_until", "updated_at"])
    return prompt


# --- Diary words -------------------------------------------------------------------------------


def entry_text_check(*, entry: Entry) -> crisis.Finding:
    """Run the rules on the entry's words as it is saved, so that help shows on the next page.

    A clear match is a signal at once. A possible one waits for the text model (entry_text_confirm,
    in the worker). A possible match that was never confirmed is replaced when the words change.
    """
    finding = crisis.check_text(entry.text)
    CrisisSignal.objects.filter(entry=entry, confirmed=False).delete()
    if finding.level == crisis.NONE:
        return finding
    if CrisisSignal.objects.filter(entry=entry, confirmed=True).exists():
        return finding  # this entry already raised its signal; an edit does not raise it again
    signal = CrisisSignal.objects.create(
        owner_id=entry.owner_id, source=CrisisSignal.Source.ENTRY_TEXT, level=finding.level,
        confirmed=finding.is_clear, rule=finding.rule, entry=entry,
    )
    if signal.confirmed:
        _announce(signal)
    return finding


@transaction.atomic
def entry_text_confirm(*, entry_id: int, text_probabilities: Mapping[str, float] | None) -> CrisisSignal | None:
    """After the worker read the words: a possible match the model finds despairing is confirmed."""
    signal = (
        CrisisSignal.objects.select_for_update()
        .filter(entry_id=entry_id, source=CrisisSignal.Source.ENTRY_TEXT, level=CrisisSignal.Level.POSSIBLE,
                confirmed=False)
        .first()
    )
    if signal is None:
        return None
    finding = crisis.Finding(crisis.POSSIBLE, signal.rule)
    if not crisis.confirms(finding, text_probabilities):
        return None
    # Guarded: two deliveries of the same analysis confirm (and announce) once.
    if not CrisisSignal.objects.filter(pk=signal.pk, confirmed=False).update(confirmed=True):
        return None
    signal.confirmed = True
    _announce(signal)
    return signal
