"""The per-day mood figures (DayMood) agree with the entries after any sequence of edits.

Random edits go through the services people's edits go through (create, change of mood or day,
delete, an admin's delete, an answer to "Is this right?", a changed photo or text that clears the
reading), and readings arrive the way the worker stores them (an UPDATE of the
entries, then day_moods_changed over them). After each step the stored rows must equal a fresh
aggregation of all entries, and the tracker's readers (daily series, periods, totals) must show
from them exactly what they show grouping the entries afresh. Runs on SQLite and, with DATABASE_URL set, on PostgreSQL.
"""

import dataclasses
import datetime
import random

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.services import user_delete
from diary.admin import EntryAdmin
from diary.models import DayMood, Entry
from diary.services import entry_create, entry_delete, entry_update
from diary.tracker import selectors
from diary.tracker.daily import _figures, day_moods_changed
from diary.tracker.ranges import DateRange
from inference.models import AnalysisJob, AnalysisResult
from inference.services import analysis_request, correction_set
from moodsite.emotions import CIRCUMPLEX, EMOTIONS
from tests.factories import UserFactory
from welfare import stats
from welfare.periods import Gap

FIELDS = ("entries", "valence_n", "with_mood", "own", *EMOTIONS, "emotion", "source", "last_entry_id",
          "both", "agree")
FIRST = datetime.date(2024, 2, 26)  # across the end of February in a leap year
SPAN = 8
BEFORE = [("diary", "0006_daily_reminders")]
AFTER = [("diary", "0007_day_mood")]


def as_dicts(rows) -> dict:
    return {
        (row.owner_id, row.day): {**{name: getattr(row, name) for name in FIELDS},
                                  "valence_sum": pytest.approx(row.valence_sum, abs=1e-9),
                                  "valence_sq": pytest.approx(row.valence_sq, abs=1e-9)}
        for row in rows
    }


def readers(person, *, stored: bool) -> dict:
    """Everything the tracker, pixels and report read, from the day figures or from the entries."""
    old, selectors.READ_DAY_MOODS = selectors.READ_DAY_MOODS, stored
    try:
        date_range = DateRange(FIRST, FIRST + datetime.timedelta(days=SPAN))
        today = FIRST + datetime.timedelta(days=SPAN // 2)  # the rolling mean stops after today
        return {
            "days": selectors.mood_days(user=person, date_range=date_range, today=today),
            "weeks": selectors.mood_periods(user=person, date_range=date_range, granularity="week"),
            "months": selectors.mood_periods(user=person, date_range=date_range, granularity="month"),
            "totals": selectors.mood_totals(user=person, date_range=date_range, today=today),
        }
    finally:
        selectors.READ_DAY_MOODS = old


def welfare_figures(person, *, stored: bool) -> dict:
    """The caseworker's statistics and trend, from the day figures or (given a consent gap that
    hides nothing, which sends them to the entries) from the entries."""
    far = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    hidden = [] if stored else [Gap(client_id=person.pk, start=far, end=far, zone=person.zone)]
    today = FIRST + datetime.timedelta(days=SPAN)
    [figures] = stats.mood_stats(owners=[person.pk], today=today, series_days=SPAN + 1, hidden=hidden).values()
    trend = stats.trend(owner_id=person.pk, start=FIRST, end=today, hidden=hidden)
    return rounded({"stats": dataclasses.asdict(figures), "trend": [dataclasses.asdict(day) for day in trend]})


def rounded(value):
    """Floats to 9 places: the stored sums and the database's AVG may differ in the last bits."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def assert_agree(people) -> None:
    # The stored rows are those of a fresh aggregation of all entries
    assert as_dicts(DayMood.objects.all()) == as_dicts(_figures(Entry.objects.all()))
    # And what the readers show from them is what grouping the entries shows
    for person in people:
        assert readers(person, stored=True) == readers(person, stored=False)
        assert welfare_figures(person, stored=True) == welfare_figures(person, stored=False)


def reading_arrives(entry: Entry, emotion: str, valence: float | None) -> None:
    """As inference.storing does it: the entries' reading columns in one UPDATE, then their days."""
    Entry.objects.filter(pk=entry.pk).update(ai_emotion=emotion, ai_valence=valence,
                                             ai_probabilities={emotion: 1.0} if emotion else None)
    day_moods_changed(days=Entry.objects.filter(pk=entry.pk))


def correction_given(entry: Entry, emotion: str) -> None:
    """The person answers "Is this right?" about the entry's reading (one is made if it has none)."""
    if not AnalysisJob.objects.filter(entry=entry, result__isnull=False).exists():
        result = AnalysisResult.objects.create(entry=entry, emotion=entry.ai_emotion, source="text",
                                               confidence=0.9)
        AnalysisJob.objects.update_or_create(entry=entry, defaults={
            "status": AnalysisJob.Status.DONE, "result": result, "requested_at": timezone.now()})
    correction_set(entry=entry, emotion=emotion)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_agrees_with_the_entries_after_random_edits(seed):
    # Given two people in time zones a day apart
    rng = random.Random(seed)
    people = [UserFactory(time_zone="Asia/Seoul"), UserFactory(time_zone="America/Los_Angeles")]
    moods = ["", *EMOTIONS]

    def a_day() -> datetime.date:
        return FIRST + datetime.timedelta(days=rng.randrange(SPAN))

    # When they write, change, move and delete entries, and readings arrive, in random order
    done = set()
    for _step in range(80):
        entries = list(Entry.objects.order_by("pk"))
        action = rng.choice(["create", "create", "mood", "day", "delete", "admin-delete", "reading", "abstain",
                             "correction", "reread"])
        if action == "create" or not entries:
            entry_create(owner=rng.choice(people), day=a_day(), text="a few words",
                         self_mood=rng.choice(moods))
            continue
        entry = rng.choice(entries)
        done.add(action)
        if action == "mood":
            entry_update(entry=entry, self_mood=rng.choice(moods))
        elif action == "day":
            entry_update(entry=entry, day=a_day())
        elif action == "delete":
            entry_delete(entry=entry)
        elif action == "admin-delete":
            EntryAdmin(Entry, admin.site).delete_queryset(None, Entry.objects.filter(pk=entry.pk))
        elif action == "correction":
            correction_given(entry, rng.choice(EMOTIONS))
        elif action == "reread":
            analysis_request(entry=entry)  # the photo or text changed: the old reading goes
        elif action == "reading":
            emotion = rng.choice(EMOTIONS)
            # Sometimes the worker stores no valence: the circumplex value stands in.
            valence = rng.choice([None, round(CIRCUMPLEX[emotion][0] + rng.uniform(-0.2, 0.2), 3)])
            reading_arrives(entry, emotion, valence)
        else:
            reading_arrives(entry, "", rng.uniform(-1, 1))  # a valence without a confident emotion
        # Then the stored day figures are those of a fresh aggregation
        assert_agree(people)
    assert DayMood.objects.count() > 0
    assert len(done) >= 7  # the random walk took most kinds of step


@pytest.mark.django_db
def test_it_rebuilds_every_row_with_the_command(capsys):
    # Given entries written around the services, and a stale row of a day with no entry left
    person = UserFactory()
    Entry.objects.create(owner=person, day=FIRST, text="x", self_mood="sad")
    Entry.objects.create(owner=person, day=FIRST, text="y", ai_emotion="happy", ai_valence=0.8)
    stale = _figures(Entry.objects.filter(owner=person))[0]
    stale.pk, stale.day = None, FIRST + datetime.timedelta(days=1)
    stale.save()
    # When the command runs
    call_command("rebuild_day_moods")
    # Then the rows are the entries' figures, and it said how far it got
    assert as_dicts(DayMood.objects.all()) == as_dicts(_figures(Entry.objects.all()))
    [row] = DayMood.objects.all()
    assert (row.entries, row.emotion, row.source, row.sad, row.happy) == (2, "sad", "self", 1, 1)
    assert "1/1 people, 1 days written" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_it_fills_the_table_when_the_migration_creates_it():
    person, other = UserFactory(), UserFactory()
    executor = MigrationExecutor(connection)
    try:
        # Given entries written before the DayMood table existed
        executor.migrate(BEFORE)
        OldEntry = executor.loader.project_state(BEFORE).apps.get_model("diary", "Entry")
        OldEntry.objects.create(owner_id=person.pk, day=FIRST, text="x", self_mood="sad")
        OldEntry.objects.create(owner_id=person.pk, day=FIRST, text="y", ai_emotion="happy", ai_valence=0.8)
        OldEntry.objects.create(owner_id=other.pk, day=FIRST + datetime.timedelta(days=1), text="z")
        # When the migration runs
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        # Then every person's days are there, as the writer works them out
        assert DayMood.objects.count() == 2
        assert as_dicts(DayMood.objects.all()) == as_dicts(_figures(Entry.objects.all()))
        # And going back drops the table without complaint
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_deleted_account_takes_its_day_figures_with_it():
    # Given two people with entries
    person, other = UserFactory(), UserFactory()
    entry_create(owner=person, day=FIRST, text="x", self_mood="sad")
    entry_create(owner=other, day=FIRST, text="y", self_mood="happy")
    # When one deletes their account
    user_delete(user=person)
    # Then their rows are gone and the other's stay
    assert list(DayMood.objects.values_list("owner_id", flat=True)) == [other.pk]
