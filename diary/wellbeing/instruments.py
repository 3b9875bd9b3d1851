"""The published self-report questionnaires, their wording and their scoring rules.

Pure Python: no models. The English wording is the published one; the Korean wording (in
diary/wellbeing/locale/ko/LC_MESSAGES/django.po) follows the established Korean versions named
below as closely as we could write them; a clinician should compare it with the licensed forms
before the questionnaires are used for anything but a person's own record.

PHQ-9 and PHQ-2
  Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure.
  J Gen Intern Med 2001;16:606-613. Developed by Drs. Spitzer, Williams, Kroenke and colleagues
  with an educational grant from Pfizer Inc.; no permission is required to reproduce, translate,
  display or distribute (phqscreeners.com). Korean: the Pfizer Korean translation validated by
  Park SJ, Choi HR, Choi JH, Kim KW, Hong JP. Reliability and validity of the Korean version of
  the Patient Health Questionnaire-9 (PHQ-9). Anxiety and Mood 2010;6(2):119-124.
  PHQ-2 (items 1-2): Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-1292 — a score of
  3 or more is the published cut-point for going on to the full PHQ-9.
  Severity of the PHQ-9 total (0-27): 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
  severe, 20-27 severe.

GDS-15
  Sheikh JI, Yesavage JA. Geriatric Depression Scale (GDS): recent evidence and development of a
  shorter version. Clin Gerontol 1986;5:165-173 (public domain). Korean: the Short Form of the
  Geriatric Depression Scale, Korean version (SGDS-K), Bae JN, Cho MJ. J Psychosom Res
  2004;57:297-305. Yes/no; items 1, 5, 7, 11 and 13 score a point for "no", the others for
  "yes"; 0-15. A score of 5 or more suggests depression (Sheikh & Yesavage's cut-off; Bae & Cho
  report 8 as the best cut-off in Korean older adults, which we show as a second line).

UCLA-3
  Hughes ME, Waite LJ, Hawkley LC, Cacioppo JT. A short scale for measuring loneliness in large
  surveys. Res Aging 2004;26(6):655-672. Three items, 1 (hardly ever) to 3 (often); 3-9. Scores
  of 6 or more are commonly reported as "lonely" (e.g. Steptoe et al., PNAS 2013;110:5797).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PHQ9, GDS15, UCLA3 = "phq9", "gds15", "ucla3"
# Asked every two weeks: the PHQ-9's and GDS's "over the last two weeks / past week" windows.
INTERVAL_DAYS = 14
GDS_MIN_AGE = 65


@dataclass(frozen=True)
class Option:
    value: int
    label: object  # a lazy translation


@dataclass(frozen=True)
class Item:
    code: str
    text: object
    options: tuple[Option, ...]
    # GDS-15: the answer that scores a point ("yes" = 1, "no" = 0 as stored values).
    point_for: int | None = None


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: object
    meaning: object


@dataclass(frozen=True)
class Instrument:
    code: str
    name: object
    short_name: str
    intro: object
    items: tuple[Item, ...]
    minimum: int
    maximum: int
    bands: tuple[Band, ...]
    citation: str
    # The score at or above which the result is worth talking about with someone.
    attention_at: int

    def band_for(self, score: int) -> Band:
        return next(band for band in self.bands if band.low <= score <= band.high)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)


_PHQ_OPTIONS = (
    Option(0, _("Not at all")),
    Option(1, _("Several days")),
    Option(2, _("More than half the days")),
    Option(3, _("Nearly every day")),
)
_YES_NO = (Option(1, _("Yes")), Option(0, _("No")))
_UCLA_OPTIONS = (Option(1, _("Hardly ever")), Option(2, _("Some of the time")), Option(3, _("Often")))

PHQ9_INSTRUMENT = Instrument(
    code=PHQ9,
    name=_("Patient Health Questionnaire (PHQ-9)"),
    short_name="PHQ-9",
    intro=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    items=tuple(
        Item(f"phq{n}", text, _PHQ_OPTIONS)
        for n, text in enumerate(
            [
                _("Little interest or pleasure in doing things"),
                _("Feeling down, depressed, or hopeless"),
                _("Trouble falling or staying asleep, or sleeping too much"),
                _("Feeling tired or having little energy"),
                _("Poor appetite or overeating"),
                _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
                _("Trouble concentrating on things, such as reading the newspaper or watching television"),
                _(
                    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
                    "fidgety or restless that you have been moving around a lot more than usual"
                ),
                _("Thoughts that you would be better off dead or of hurting yourself in some way"),
            ],
            start=1,
        )
    ),
    minimum=0,
    maximum=27,
    bands=(
        Band(0, 4, _("minimal"), _("Few or no signs of depression in the last two weeks.")),
        Band(5, 9, _("mild"), _("Some signs of low mood. Keep an eye on how you feel.")),
        Band(10, 14, _("moderate"), _("Enough signs that it is worth talking to a doctor or your caseworker.")),
        Band(15, 19, _("moderately severe"), _("Many signs of depression. Please talk to a doctor soon.")),
        Band(20, 27, _("severe"), _("Strong signs of depression. Please talk to a doctor soon; help is available.")),
    ),
    citation="Kroenke, Spitzer & Williams 2001; Korean version: Park et al. 2010",
    attention_at=10,
)
PHQ2_ITEMS = ("phq1", "phq2")
PHQ2_CUTOFF = 3  # Kroenke et al. 2003: PHQ-2 >= 3 goes on to the remaining seven items
PHQ_ITEM9 = "phq9"

_GDS_WORDING = [
    (_("Are you basically satisfied with your life?"), 0),
    (_("Have you dropped many of your activities and interests?"), 1),
    (_("Do you feel that your life is empty?"), 1),
    (_("Do you often get bored?"), 1),
    (_("Are you in good spirits most of the time?"), 0),
    (_("Are you afraid that something bad is going to happen to you?"), 1),
    (_("Do you feel happy most of the time?"), 0),
    (_("Do you often feel helpless?"), 1),
    (_("Do you prefer to stay at home, rather than going out and doing new things?"), 1),
    (_("Do you feel you have more problems with memory than most?"), 1),
    (_("Do you think it is wonderful to be alive now?"), 0),
    (_("Do you feel pretty worthless the way you are now?"), 1),
    (_("Do you feel full of energy?"), 0),
    (_("Do you feel that your situation is hopeless?"), 1),
    (_("Do you think that most people are better off than you are?"), 1),
]
GDS15_INSTRUMENT = Instrument(
    code=GDS15,
    name=_("Geriatric Depression Scale, short form (GDS-15)"),
    short_name="GDS-15",
    intro=_("Choose the best answer for how you have felt over the past week."),
    items=tuple(
        Item(f"gds{n}", text, _YES_NO, point_for=point)
        for n, (text, point) in enumerate(_GDS_WORDING, start=1)
    ),
    minimum=0,
    maximum=15,
    bands=(
        Band(0, 4, _("within the usual range"), _("Few signs of depression in the past week.")),
        Band(5, 15, _("suggests depression"),
             _("A score of 5 or more suggests depression. It is worth talking to a doctor or your caseworker.")),
    ),
    citation="Sheikh & Yesavage 1986; Korean version (SGDS-K): Bae & Cho 2004",
    attention_at=5,
)

UCLA3_INSTRUMENT = Instrument(
    code=UCLA3,
    name=_("Three-item loneliness scale (UCLA-3)"),
    short_name="UCLA-3",
    intro=_("The next questions are about how you feel about different aspects of your life."),
    items=(
        Item("ucla1", _("How often do you feel that you lack companionship?"), _UCLA_OPTIONS),
        Item("ucla2", _("How often do you feel left out?"), _UCLA_OPTIONS),
        Item("ucla3", _("How often do you feel isolated from others?"), _UCLA_OPTIONS),
    ),
    minimum=3,
    maximum=9,
    bands=(
        Band(3, 5, _("not lonely"), _("You seldom feel lonely.")),
        Band(6, 9, _("lonely"), _("You often feel lonely. Many people do; company and a call can help.")),
    ),
    citation="Hughes, Waite, Hawkley & Cacioppo 2004",
    attention_at=6,
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (PHQ9_INSTRUMENT, GDS15_INSTRUMENT, UCLA3_INSTRUMENT)}


class IncompleteAnswers(ValueError):
    """An item was left out or given a value its scale does not have."""


def clean_answers(instrument: Instrument, answers: Mapping[str, object], item_codes: tuple[str, ...]) -> dict[str, int]:
    """The answers to `item_codes` as integers, or IncompleteAnswers naming the first gap."""
    cleaned: dict[str, int] = {}
    for code in item_codes:
        item = instrument.item(code)
        raw = answers.get(code)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise IncompleteAnswers(code) from None
        if value not in {option.value for option in item.options}:
            raise IncompleteAnswers(code)
        cleaned[code] = value
    return cleaned


def score(instrument: Instrument, answers: Mapping[str, int]) -> int:
    """The published total: a sum, with the GDS-15's reverse-scored items counted for "no"."""
    if instrument.code == GDS15:
        return sum(1 for item in instrument.items if answers[item.code] == item.point_for)
    return sum(answers[item.code] for item in instrument.items)


def phq2_score(answers: Mapping[str, int]) -> int:
    return sum(answers[code] for code in PHQ2_ITEMS)


def phq2_positive(answers: Mapping[str, int]) -> bool:
    return phq2_score(answers) >= PHQ2_CUTOFF


def phq_item9_positive(answers: Mapping[str, int]) -> bool:
    """Any answer above "not at all" to item 9 shows crisis help at once."""
    return answers.get(PHQ_ITEM9, 0) > 0


def is_old_enough_for_gds(birth_year: int | None, year: int) -> bool:
    return birth_year is not None and year - birth_year >= GDS_MIN_AGE
