"""A day's mood as database expressions, so every series is computed by the database.

An entry can carry two readings: the automatic one (ai_emotion / ai_valence, written by the
analysis pipeline) and the person's own (self_mood). The person chooses which comes first when
both exist; the other stands in when the first is missing. This mirrors
inference.selectors.entry_mood, which does the same for one entry in Python.

The rule is written here once, as ORM expressions and (for hand-written one-pass SQL such as
welfare's statistics) as SQL text over the entry table's columns; a test checks that the two give
the same value for every kind of entry, on SQLite and on PostgreSQL.
"""

from django.db.models import Case, CharField, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, NullIf, TruncMonth, TruncWeek
from django.utils.translation import get_language

from inference.emotions import CIRCUMPLEX, EMOTION_COLOURS, EMOTION_LABELS, EMOTION_LABELS_KO, EMOTIONS

PREFER_AI = "ai"
PREFER_SELF = "self"
PREFERENCES = (PREFER_AI, PREFER_SELF)

# A shape for each emotion, so that no calendar square relies on colour alone.
EMOTION_SYMBOLS = {
    "angry": "▲",
    "disgust": "◆",
    "fear": "✱",
    "happy": "●",
    "sad": "▼",
    "surprise": "★",
    "neutral": "■",
}

# Text drawn on a coloured square: white where it reaches 4.5:1 contrast (WCAG AA), else black.
EMOTION_INK = {name: "#ffffff" if name in {"angry", "sad"} else "#000000" for name in EMOTION_SYMBOLS}

HAS_AI = ~Q(ai_emotion="")
HAS_SELF = ~Q(self_mood="")


def _circumplex_valence(field: str) -> Case:
    """The valence of the emotion named in `field` (NULL when the field is empty)."""
    return Case(
        *[When(**{field: name}, then=Value(CIRCUMPLEX[name][0])) for name in EMOTIONS],
        default=None, output_field=FloatField(),
    )


def _ai_valence() -> Combinable:
    # The pipeline writes ai_valence with ai_emotion; the circumplex value covers a row where it did not.
    return Coalesce(F("ai_valence"), _circumplex_valence("ai_emotion"), output_field=FloatField())


def mood_emotion(prefer: str) -> Combinable:
    """The emotion the tracker shows for an entry, or NULL when it has none."""
    ai = NullIf(F("ai_emotion"), Value(""))
    own = NullIf(F("self_mood"), Value(""))
    first, second = (ai, own) if prefer == PREFER_AI else (own, ai)
    return Coalesce(first, second, output_field=CharField())


def mood_valence(prefer: str) -> Case:
    """The valence (-1 … +1) the tracker shows for an entry, or NULL when it has no reading."""
    ai = _ai_valence()
    own = _circumplex_valence("self_mood")
    if prefer == PREFER_AI:
        return Case(When(HAS_AI, then=ai), default=own, output_field=FloatField())
    return Case(When(HAS_SELF, then=own), default=ai, output_field=FloatField())


def _circumplex_valence_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {CIRCUMPLEX[name][0]!r}" for name in EMOTIONS)
    return f"CASE {column} {whens} END"


def mood_valence_sql(prefer: str) -> str:
    """mood_valence(prefer) as SQL text over the diary entry table's columns."""
    ai = f"COALESCE(ai_valence, {_circumplex_valence_sql('ai_emotion')})"
    own = _circumplex_valence_sql("self_mood")
    if prefer == PREFER_AI:
        return f"CASE WHEN ai_emotion <> '' THEN {ai} ELSE {own} END"
    return f"CASE WHEN self_mood <> '' THEN {own} ELSE {ai} END"


def mood_emotion_sql(prefer: str) -> str:
    """mood_emotion(prefer) as SQL text over the diary entry table's columns."""
    first, second = ("ai_emotion", "self_mood") if prefer == PREFER_AI else ("self_mood", "ai_emotion")
    return f"COALESCE(NULLIF({first}, ''), NULLIF({second}, ''))"


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
        for name in EMOTIONS
    ]
