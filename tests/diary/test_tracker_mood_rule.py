"""An entry's mood, its source and its valence: one rule, written as ORM expressions, as SQL text
and in Python (inference.selectors.entry_mood), that agree on every kind of entry — on SQLite and
on PostgreSQL (the tracker uses the first, welfare's one-pass statistics the second, music and
compositions the third)."""

import datetime

import pytest
from django.db import connection

from diary.models import Entry
from diary.tracker.moods import (
    DEFAULT_PREFER,
    PREFER_AI,
    PREFER_SELF,
    day_mood,
    mood_emotion,
    mood_emotion_sql,
    mood_source,
    mood_source_sql,
    mood_valence,
    mood_valence_sql,
)
from inference.selectors import entry_mood
from moodsite.emotions import CIRCUMPLEX

HAPPY, SAD = CIRCUMPLEX["happy"][0], CIRCUMPLEX["sad"][0]
NOT_READ = (None, None, None)

# (ai_emotion, ai_valence, self_mood) -> expected (emotion, source, valence): person first, then AI first
CASES = {
    "a confident reading only": (("happy", 0.61, ""), ("happy", "ai", 0.61), ("happy", "ai", 0.61)),
    "own mood only": (("", None, "sad"), ("sad", "self", SAD), ("sad", "self", SAD)),
    "both": (("sad", -0.4, "happy"), ("happy", "self", HAPPY), ("sad", "ai", -0.4)),
    "the same from both": (("sad", -0.5, "sad"), ("sad", "self", SAD), ("sad", "ai", -0.5)),
    "a reading without its valence": (("happy", None, "sad"), ("sad", "self", SAD), ("happy", "ai", HAPPY)),
    "neither": (("", None, ""), NOT_READ, NOT_READ),
    # An abstained reading is stored with no emotion; a valence left behind must not count.
    "an abstained reading": (("", -0.7, ""), NOT_READ, NOT_READ),
    "an abstained reading and an own mood": (("", -0.7, "happy"), ("happy", "self", HAPPY), ("happy", "self", HAPPY)),
}


@pytest.fixture
def entries(member):
    day = datetime.date(2026, 3, 1)
    return {
        name: Entry.objects.create(owner=member, day=day, ai_emotion=ai, ai_valence=valence, self_mood=own,
                                   ai_probabilities={ai: 1.0} if ai else None)
        for name, ((ai, valence, own), _own_first, _ai_first) in CASES.items()
    }


def expected(name: str, prefer: str) -> tuple:
    _fields, own_first, ai_first = CASES[name]
    return own_first if prefer == PREFER_SELF else ai_first


@pytest.mark.parametrize("prefer", [PREFER_SELF, PREFER_AI])
def test_the_orm_the_sql_and_python_give_the_same_mood_for_every_kind_of_entry(entries, prefer):
    ids = [entry.pk for entry in entries.values()]
    orm = {
        pk: (emotion, source, valence)
        for pk, emotion, source, valence in Entry.objects.filter(pk__in=ids)
        .annotate(m=mood_emotion(prefer), s=mood_source(prefer), v=mood_valence(prefer))
        .values_list("pk", "m", "s", "v")
    }
    with connection.cursor() as cursor:
        columns = f"id, {mood_emotion_sql(prefer)}, {mood_source_sql(prefer)}, {mood_valence_sql(prefer)}"
        cursor.execute(f"SELECT {columns} FROM {Entry._meta.db_table}")  # noqa: S608 - column names only
        sql = {pk: (emotion, source, valence) for pk, emotion, source, valence in cursor.fetchall()}
    for name, entry in entries.items():
        mood = entry_mood(entry=Entry.objects.get(pk=entry.pk), prefer=prefer)
        python = NOT_READ if mood is None else (mood.emotion, mood.source, mood.valence)
        want = expected(name, prefer)
        assert orm[entry.pk] == pytest.approx(want), (name, "orm")
        assert sql[entry.pk] == pytest.approx(want), (name, "sql")
        assert python == pytest.approx(want), (name, "python")


def test_the_default_everywhere_is_the_persons_own_choice_first(entries):
    assert DEFAULT_PREFER == PREFER_SELF
    both = Entry.objects.get(pk=entries["both"].pk)
    assert entry_mood(entry=both).source == "self"
    assert Entry.objects.filter(pk=both.pk).annotate(m=mood_emotion()).get().m == "happy"


def test_an_unknown_preference_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="prefer must be one of"):
        mood_emotion("robot")


@pytest.mark.parametrize(("moods", "prefer", "colour"), [
    ([("happy", "self", 1), ("sad", "self", 2), ("happy", "self", 3)], PREFER_SELF, ("sad", "self")),
    ([("neutral", "self", 1), ("fear", "ai", 2)], PREFER_SELF, ("neutral", "self")),
    ([("happy", "ai", 1), ("angry", "ai", 2)], PREFER_SELF, ("angry", "ai")),
    ([("neutral", "self", 1), ("surprise", "ai", 2)], PREFER_AI, ("surprise", "ai")),
    ([(None, None, 1)], PREFER_SELF, None),
])
def test_a_mixed_day_takes_its_own_choice_first_and_then_its_lowest_mood(moods, prefer, colour):
    assert day_mood(moods, prefer) == colour
