"""Recommendations: match an entry's mood against the catalogue, store the set, read it back."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from diary.models import Entry
from inference.selectors import Mood, entry_mood
from music import matching
from music.models import Recommendation, RecommendationSet, Track
from music.services.arrays import catalogue
from music.services.listening import listener_for


def _normalise(strategy: str, target: str | None) -> tuple[str, str]:
    strategy = strategy or matching.DEFAULT_STRATEGY
    if strategy not in matching.STRATEGIES:
        raise ValidationError({"strategy": _("Unknown strategy.")})
    if strategy != "lift":
        return strategy, ""
    target = target or matching.DEFAULT_TARGET
    if target not in matching.TARGETS:
        raise ValidationError({"target": _("Unknown target.")})
    return strategy, target


def _same_mood(stored: RecommendationSet, mood: Mood) -> bool:
    return (
        stored.mood_source == mood.source
        and stored.mood_emotion == mood.emotion
        and stored.mood_valence is not None
        and abs(stored.mood_valence - mood.valence) < 1e-3
        and abs((stored.mood_arousal or 0.0) - mood.arousal) < 1e-3
    )


def recommendations_compute(*, entry: Entry, strategy: str = matching.DEFAULT_STRATEGY, target: str | None = None,
                            n: int | None = None) -> RecommendationSet | None:
    """Match the entry's mood against the catalogue and store the result (replacing the previous
    set for this entry, strategy and target). None when the entry has no mood yet."""
    strategy, target = _normalise(strategy, target)
    mood = entry_mood(entry=entry)
    if mood is None:
        return None
    picks = matching.recommend(
        catalogue(), mood.probabilities, strategy=strategy, target=target or None, n=n,
        listener=listener_for(user=entry.owner, entry=entry),
    )
    tracks = Track.objects.in_bulk([p.track_id for p in picks])
    for _attempt in range(2):
        try:
            with transaction.atomic():
                RecommendationSet.objects.filter(entry=entry, strategy=strategy, target=target).delete()
                stored = RecommendationSet.objects.create(
                    owner=entry.owner, entry=entry, strategy=strategy, target=target, mood_source=mood.source,
                    mood_emotion=mood.emotion, mood_valence=mood.valence, mood_arousal=mood.arousal,
                )
                Recommendation.objects.bulk_create([
                    Recommendation(recommendation_set=stored, track=tracks[p.track_id], position=i, score=p.score,
                                   reason_code=p.reason.code, reason_params=dict(p.reason.params))
                    for i, p in enumerate(picks) if p.track_id in tracks
                ])
            return stored
        except IntegrityError:  # another process stored the same set at the same moment
            continue
    return RecommendationSet.objects.filter(entry=entry, strategy=strategy, target=target).first()


def recommendations_get(*, entry: Entry, strategy: str = matching.DEFAULT_STRATEGY, target: str | None = None,
                        n: int | None = None, fresh: bool = False) -> RecommendationSet | None:
    """The stored set when it still fits the entry's mood (and size), else a newly computed one."""
    strategy, target = _normalise(strategy, target)
    if not fresh:
        stored = (
            RecommendationSet.objects.filter(entry=entry, strategy=strategy, target=target)
            .annotate(size=Count("items")).first()
        )
        mood = entry_mood(entry=entry)
        if stored is not None and mood is not None and _same_mood(stored, mood) and (n is None or stored.size == n):
            return stored
        if mood is None:
            return None
    return recommendations_compute(entry=entry, strategy=strategy, target=target, n=n)


def recommendation_items(recommendation_set: RecommendationSet | None) -> list[Recommendation]:
    if recommendation_set is None:
        return []
    return Recommendation.load_tag_names(list(
        recommendation_set.items.select_related("track").filter(track__is_active=True).order_by("position")
    ))
