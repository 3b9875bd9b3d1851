"""An entry's mood and valence: one rule, as ORM expressions and as SQL text, that agree on every
kind of entry (the tracker uses the first, welfare's one-pass statistics the second)."""

import datetime

import pytest
from django.db import connection

from diary.models import Entry
from diary.tracker.moods import (
    PREFER_AI,
    PREFER_SELF,
    mood_emotion,
    mood_emotion_sql,
    mood_valence,
    mood_valence_sql,
)
from inference.emotions import CIRCUMPLEX

HAPPY, SAD = CIRCUMPLEX["happy"][0], CIRCUMPLEX["sad"][0]

# (ai_emotion, ai_valence, self_mood) -> expected (emotion, valence) preferring AI, then self
CASES = {
    "ai reading only": (("happy", 0.61, ""), ("happy", 0.61), ("happy", 0.61)),
    "own mood only": (("", None, "sad"), ("sad", SAD), ("sad", SAD)),
    "both": (("sad", -0.4, "happy"), ("sad", -0.4), ("happy", HAPPY)),
    "ai emotion without its valence": (("happy", None, "sad"), ("happy", HAPPY), ("sad", SAD)),
    "neither": (("", None, ""), (None, None), (None, None)),
}


@pytest.fixture
def entries(member):
    day = datetime.date(2026, 3, 1)
    return {
        name: Entry.objects.create(owner=member, day=day, ai_emotion=ai, ai_valence=valence, self_mood=own).pk
        for name, ((ai, valence, own), _ai_first, _self_first) in CASES.items()
    }


@pytest.mark.parametrize("prefer", [PREFER_AI, PREFER_SELF])
def test_the_orm_and_the_sql_give_the_expected_mood_for_every_kind_of_entry(entries, prefer):
    orm = {
        pk: (emotion, valence)
        for pk, emotion, valence in Entry.objects.filter(pk__in=entries.values())
        .annotate(m=mood_emotion(prefer), v=mood_valence(prefer)).values_list("pk", "m", "v")
    }
    with connection.cursor() as cursor:
        columns = f"id, {mood_emotion_sql(prefer)}, {mood_valence_sql(prefer)}"
        cursor.execute(f"SELECT {columns} FROM {Entry._meta.db_table}")  # noqa: S608 - column names only
        sql = {pk: (emotion, valence) for pk, emotion, valence in cursor.fetchall()}
    for name, pk in entries.items():
        _fields, ai_first, self_first = CASES[name]
        expected = ai_first if prefer == PREFER_AI else self_first
        assert orm[pk] == pytest.approx(expected), (name, "orm")
        assert sql[pk] == pytest.approx(expected), (name, "sql")
