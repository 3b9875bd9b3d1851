"""Writes the per-person, per-day mood figures (DayMood) from the entries.

`day_moods_changed` is what every service that changes entries or readings calls, after its
write and inside its transaction: it bumps the people's mood_version (diary.tracker.cache), which
also locks their user rows until commit, so two edits of one person's day cannot interleave and
leave a stale row; then it works out the touched days again from their entries. The figures of a
day come from `_figures`, the same mood rule (moods.mood_emotion / mood_source / mood_valence and
moods.day_mood) the tracker applied when it aggregated entries on every request.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum

from diary.models import Entry
from diary.tracker.cache import mood_changed
from diary.tracker.models import DayMood
from diary.tracker.moods import HAS_AI, HAS_SELF, SOURCE_SELF, day_mood, mood_emotion, mood_source, mood_valence
from moodsite.emotions import EMOTIONS

Day = tuple[int, datetime.date]  # (owner id, day)

# People per rebuild batch: 200 people × 2 years is ~140,000 entries in one grouped query and as
# many rows in memory. bench/pages.py's fill (1,300 people × 730 days, 901k entries, PostgreSQL)
# rebuilt in 134 s on the shared 2-core AMD EPYC at load ~3: ~20 s a batch (2026-12-03).
REBUILD_BATCH = 200


def _figures(entries: QuerySet[Entry], model: type[DayMood] = DayMood) -> list[DayMood]:
    """The DayMood rows of these entries (not saved), one per owner and day, person first.

    `model` is the DayMood class to build: the migration that creates the table passes its
    historical model, so a deployed site has its figures before anyone runs the command.
    """
    valence = mood_valence()
    groups = (
        entries.order_by()
        .annotate(mood=mood_emotion(), src=mood_source(), v=valence)
        .values("owner_id", "day", "mood", "src")
        .annotate(
            n=Count("id"), v_n=Count("v"), v_sum=Sum("v"), v_sq=Sum(F("v") * F("v")), last_id=Max("id"),
            both=Count("id", filter=HAS_AI & HAS_SELF),
            agree=Count("id", filter=HAS_AI & HAS_SELF & Q(ai_emotion=F("self_mood"))),
        )
        .values_list("owner_id", "day", "mood", "src", "n", "v_n", "v_sum", "v_sq", "last_id", "both", "agree")
    )
    rows: dict[Day, DayMood] = {}
    moods: dict[Day, list[tuple[str, str, int]]] = {}
    for owner_id, day, mood, src, n, v_n, v_sum, v_sq, last_id, both, agree in groups:
        row = rows.get((owner_id, day))
        if row is None:
            row = rows[(owner_id, day)] = model(
                owner_id=owner_id, day=day, entries=0, valence_n=0, valence_sum=0.0, valence_sq=0.0,
                with_mood=0, own=0, emotion="", source="", last_entry_id=last_id, both=0, agree=0,
                **dict.fromkeys(EMOTIONS, 0),
            )
            moods[(owner_id, day)] = []
        row.entries += n
        row.valence_n += v_n
        row.valence_sum += v_sum or 0.0
        row.valence_sq += v_sq or 0.0
        row.last_entry_id = max(row.last_entry_id, last_id)
        row.both += both
        row.agree += agree
        if mood:
            row.with_mood += n
            row.own += n if src == SOURCE_SELF else 0
            setattr(row, mood, getattr(row, mood) + n)
            moods[(owner_id, day)].append((mood, src, last_id))
    for key, row in rows.items():
        row.emotion, row.source = day_mood(moods[key]) or ("", "")
    return list(rows.values())


def _days_q(days: Iterable[Day], prefix: str = "") -> Q:
    by_owner: dict[int, set[datetime.date]] = {}
    for owner_id, day in days:
        by_owner.setdefault(owner_id, set()).add(day)
    q = Q(pk__in=[])
    for owner_id, owner_days in by_owner.items():
        q |= Q(**{f"{prefix}owner_id": owner_id, f"{prefix}day__in": sorted(owner_days)})
    return q


def _touched(entries: QuerySet[Entry] | Iterable[Day]) -> set[Day]:
    if isinstance(entries, QuerySet):
        return set(entries.order_by().values_list("owner_id", "day").distinct())
    return {(owner_id, day) for owner_id, day in entries}


@transaction.atomic
def day_moods_changed(*, days: QuerySet[Entry] | Iterable[Day]) -> None:
    """These (owner, day)s' entries or readings changed (a queryset: the days of those entries):
    their cached tracker figures go stale and their DayMood rows are worked out again.

    Call it after the write (a deleted entry's day must be passed in, taken before the delete).
    """
    touched = _touched(days)
    if not touched:
        return
    # The version bump first: it holds each person's user row until commit (see the module doc).
    mood_changed(owner_ids={owner_id for owner_id, _day in touched})
    DayMood.objects.filter(_days_q(touched)).delete()
    DayMood.objects.bulk_create(_figures(Entry.objects.filter(_days_q(touched))))


def day_moods_fill(*, entry_model: type[Entry], day_mood_model: type[DayMood]) -> int:
    """Every person's DayMood rows written from scratch into an empty table (the migration that
    creates it calls this with its historical models); returns the number of rows written."""
    owner_ids = sorted(set(entry_model.objects.order_by().values_list("owner_id", flat=True).distinct()))
    written = 0
    for start in range(0, len(owner_ids), REBUILD_BATCH):
        entries = entry_model.objects.filter(owner_id__in=owner_ids[start:start + REBUILD_BATCH])
        written += len(day_mood_model.objects.bulk_create(_figures(entries, model=day_mood_model),
                                                          batch_size=2000))
    return written


def day_moods_rebuild(*, owner_ids: list[int], progress: Callable[[int, int], None] | None = None) -> int:
    """Every DayMood row of these people, from their entries; returns the number of rows written.
    `progress(people done, rows written)` is called after each batch."""
    written = 0
    for start in range(0, len(owner_ids), REBUILD_BATCH):
        batch = owner_ids[start:start + REBUILD_BATCH]
        with transaction.atomic():
            mood_changed(owner_ids=batch)
            DayMood.objects.filter(owner_id__in=batch).delete()
            written += len(DayMood.objects.bulk_create(_figures(Entry.objects.filter(owner_id__in=batch)),
                                                       batch_size=2000))
        if progress:
            progress(start + len(batch), written)
    return written
