"""An entry's mood — the one rule every part of moodsite uses — as database expressions and SQL.

The rule, person first: an entry's mood is the person's own choice (self_mood) when they made
one; otherwise the automatic reading when it is confident; otherwise the entry is "not read".
A reading that abstained (its top probability below the model's abstain threshold) is stored
with ai_emotion empty, so "ai_emotion is not empty" is exactly "a confident reading".

Every mood comes with its source, "self" (the person's choice) or "ai" (read automatically), so
that every page can say which it shows. On their own tracker a person may explicitly choose the
automatic reading first (PREFER_AI, kept for those who chose it); everything else — music,
compositions, the caseworker's pages, welfare statistics and every alert rule — uses
DEFAULT_PREFER, person first, and never a per-person setting.

The rule is written here once, as ORM expressions and (for hand-written one-pass SQL such as
welfare's statistics) as SQL text over the entry table's columns. inference.selectors.entry_mood
is its Python twin for one loaded entry. A test checks that all three give the same mood, source
and valence for every kind of entry, on SQLite and on PostgreSQL.

How a day with several entries is coloured (the calendar, Year in Pixels) is day_mood() below.
"""

from django.db.models import Case, CharField, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, TruncMonth, TruncWeek
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from moodsite.emotions import (
    CIRCUMPLEX,
    EMOTION_COLOURS,
    EMOTION_INK,
    EMOTION_LABELS,
    EMOTION_LABELS_KO,
    EMOTION_SYMBOLS,
    EMOTIONS,
)

PREFER_SELF = "self"
PREFER_AI = "ai"
PREFERENCES = (PREFER_SELF, PREFER_AI)
DEFAULT_PREFER = PREFER_SELF

SOURCE_SELF = "self"
SOURCE_AI = "ai"
# What a mood's source is called where the person reads it, and where their caseworker does.
SOURCE_LABELS = {SOURCE_SELF: _("my choice"), SOURCE_AI: _("read automatically")}
SOURCE_LABELS_CASEWORKER = {SOURCE_SELF: _("the member's choice"), SOURCE_AI: _("read automatically")}

# The seven moods from the lowest (least pleasant) to the highest, by circumplex valence: the
# order in which a mixed day's "lowest mood" is found, and in which the legend lists them.
EMOTIONS_LOW_TO_HIGH: tuple[str, ...] = tuple(sorted(EMOTIONS, key=lambda name: CIRCUMPLEX[name][0]))

HAS_AI = ~Q(ai_emotion="")
HAS_SELF = ~Q(self_mood="")


def _order(prefer: str) -> tuple[str, str]:
    if prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {PREFERENCES}, not {prefer!r}")
    return (SOURCE_SELF, SOURCE_AI) if prefer == PREFER_SELF else (SOURCE_AI, SOURCE_SELF)


_HAS = {SOURCE_SELF: HAS_SELF, SOURCE_AI: HAS_AI}


def _circumplex_valence(field: str) -> Case:
    """The valence of the emotion named in `field` (NULL when the field is empty)."""
    return Case(
        *[When(**{field: name}, then=Value(CIRCUMPLEX[name][0])) for name in EMOTIONS],
        default=None, output_field=FloatField(),
    )


def _valence(source: str) -> Combinable:
    if source == SOURCE_SELF:
        return _circumplex_valence("self_mood")
    # The pipeline writes ai_valence with ai_emotion; the circumplex value covers a row where it did not.
    return Coalesce(F("ai_valence"), _circumplex_valence("ai_emotion"), output_field=FloatField())


def _emotion(source: str) -> Combinable:
    return F("self_mood") if source == SOURCE_SELF else F("ai_emotion")


def mood_emotion(prefer: str = DEFAULT_PREFER) -> Case:
    """The entry's mood (an emotion name), or NULL when it is not read."""
    first, second = _order(prefer)
    return Case(When(_HAS[first], then=_emotion(first)), When(_HAS[second], then=_emotion(second)),
                default=None, output_field=CharField())


def mood_source(prefer: str = DEFAULT_PREFER) -> Case:
    """Where the entry's mood comes from: "self", "ai", or NULL when it is not read."""
    first, second = _order(prefer)
    return Case(When(_HAS[first], then=Value(first)), When(_HAS[second], then=Value(second)),
                default=None, output_field=CharField())


def mood_valence(prefer: str = DEFAULT_PREFER) -> Case:
    """The valence (-1 … +1) of the entry's mood, or NULL when it is not read.

    A valence stored without a confident emotion (an abstained reading) never counts.
    """
    first, second = _order(prefer)
    return Case(When(_HAS[first], then=_valence(first)), When(_HAS[second], then=_valence(second)),
                default=None, output_field=FloatField())


def _circumplex_valence_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {CIRCUMPLEX[name][0]!r}" for name in EMOTIONS)
    return f"CASE {column} {whens} END"


_HAS_SQL = {SOURCE_SELF: "self_mood <> ''", SOURCE_AI: "ai_emotion <> ''"}
_EMOTION_SQL = {SOURCE_SELF: "self_mood", SOURCE_AI: "ai_emotion"}
_VALENCE_SQL = {
    SOURCE_SELF: _circumplex_valence_sql("self_mood"),
    SOURCE_AI: f"COALESCE(ai_valence, {_circumplex_valence_sql('ai_emotion')})",
}


def _case_sql(prefer: str, values: dict[str, str]) -> str:
    first, second = _order(prefer)
    return (f"CASE WHEN {_HAS_SQL[first]} THEN {values[first]} "
            f"WHEN {_HAS_SQL[second]} THEN {values[second]} END")


def mood_emotion_sql(prefer: str = DEFAULT_PREFER) -> str:
    """mood_emotion(prefer) as SQL text over the diary entry table's columns."""
    return _case_sql(prefer, _EMOTION_SQL)


def mood_source_sql(prefer: str = DEFAULT_PREFER) -> str:
    """mood_source(prefer) as SQL text over the diary entry table's columns."""
    return _case_sql(prefer, {source: f"'{source}'" for source in (SOURCE_SELF, SOURCE_AI)})


def mood_valence_sql(prefer: str = DEFAULT_PREFER) -> str:
    """mood_valence(prefer) as SQL text over the diary entry table's columns."""
    return _case_sql(prefer, _VALENCE_SQL)


def day_mood(moods: list[tuple[str, str, int]], prefer: str = DEFAULT_PREFER) -> tuple[str, str] | None:
    """The mood that colours a day, from its entries' (emotion, source, newest id) — or None.

    The rule people read in the legend: the day's own choice first (when the person chose a mood
    for any entry that day, only those count), otherwise its automatic readings; of those, the
    lowest mood, so that a hard moment is never hidden behind a brighter one. The newest entry
    breaks a tie (the same emotion from both sources cannot tie: the first source wins).
    """
    first, _second = _order(prefer)
    candidates = [m for m in moods if m[0]]
    if not candidates:
        return None
    if any(source == first for _e, source, _i in candidates):
        candidates = [m for m in candidates if m[1] == first]
    emotion, source, _newest = min(candidates, key=lambda m: (CIRCUMPLEX[m[0]][0], -m[2]))
    return emotion, source


def day_rule_text(prefer: str = DEFAULT_PREFER) -> str:
    """The day rule in words, for the legend."""
    if prefer == PREFER_AI:
        return str(_("A day with several entries shows the automatic reading first (your own choice where "
                     "there is none), and of those its lowest mood. A corner mark means the day has "
                     "several moods: select it to see that day's entries."))
    return str(_("A day with several entries shows your own choice first (the automatic reading where you "
                 "made none), and of those its lowest mood. A corner mark means the day has several "
                 "moods: select it to see that day's entries."))


class DayNumber(Func):
    """Whole days since a fixed date, so that consecutive days are consecutive integers."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '2000-01-01')", **extra)

    def as_sql(self, compiler, connection, **extra):
        if "template" not in extra and connection.vendor not in {"sqlite", "postgresql"}:
            # MySQL and Oracle are not supported by moodsite; say so rather than guess.
            raise NotImplementedError(f"DayNumber has no SQL for {connection.vendor}.")
        return super().as_sql(compiler, connection, **extra)


class IsoWeekday(ExtractIsoWeekDay):
    """1 = Monday … 7 = Sunday. On SQLite, the built-in strftime instead of Django's Python
    function, which SQLite would call once per row for every aggregate that reads it."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        # strftime's %w counts from Sunday = 0; "%%" is how Django's SQL writes a literal %.
        return f"((CAST(strftime('%%w', {sql}) AS INTEGER) + 6) %% 7 + 1)", params


class WeekStart(TruncWeek):
    """The Monday of the day's ISO week (SQLite: built-in date() instead of a Python function)."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'weekday 0', '-6 days')", params  # on to Sunday, back to Monday


class MonthStart(TruncMonth):
    """The first of the day's month (SQLite: built-in date() instead of a Python function)."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


def emotion_label(name: str) -> str:
    """The emotion's name in the reader's language (Korean readers get the fixed Korean words)."""
    if (get_language() or "").startswith("ko"):
        return EMOTION_LABELS_KO[name]
    return str(EMOTION_LABELS[name])


def emotion_legend() -> list[dict]:
    return [
        {"key": name, "label": emotion_label(name), "colour": EMOTION_COLOURS[name],
         "symbol": EMOTION_SYMBOLS[name], "ink": EMOTION_INK[name]}
        for name in EMOTIONS_LOW_TO_HIGH
    ]
