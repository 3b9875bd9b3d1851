"""Readings the worker stores show in the per-day mood figures (DayMood) at once, whether a batch
is stored in one go or, when that fails, job by job."""

import pytest
from django.db import IntegrityError

from diary.models import DayMood, Entry
from diary.tracker.daily import _figures
from inference import pipeline, storing
from tests.inference.conftest import GREEN, entry_with_photo


def assert_day_figures_follow(member) -> None:
    [row] = DayMood.objects.filter(owner=member)
    [fresh] = _figures(Entry.objects.filter(owner=member))
    assert (row.entries, row.with_mood, row.happy, row.emotion, row.source, row.valence_n) == (
        fresh.entries, fresh.with_mood, fresh.happy, fresh.emotion, fresh.source, fresh.valence_n)
    assert (row.happy, row.emotion, row.source) == (3, "happy", "ai")


@pytest.mark.django_db
def test_a_stored_batch_shows_in_the_day_figures(member, scripted_models):
    # Given three photo entries of today, not read yet: the day has no mood
    for _ in range(3):
        entry_with_photo(member, colour=GREEN)
    assert DayMood.objects.get(owner=member).with_mood == 0
    # When the worker reads and stores them in one batch
    assert pipeline.batch_run(size=4, max_wait=0) == {"claimed": 3, "done": 3}
    # Then the day's figures count the readings
    assert_day_figures_follow(member)


@pytest.mark.django_db
def test_readings_stored_one_by_one_show_in_the_day_figures(member, scripted_models, monkeypatch):
    for _ in range(3):
        entry_with_photo(member, colour=GREEN)

    def refuse(**kwargs):
        raise IntegrityError("a row the database refused")

    monkeypatch.setattr(storing, "batch_store", refuse)
    assert pipeline.batch_run(size=4, max_wait=0) == {"claimed": 3, "done": 3}
    assert_day_figures_follow(member)
