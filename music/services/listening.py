"""The person: their listening preferences, feedback, and what the matcher knows of their taste."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Entry
from music import matching
from music.models import Feedback, ListeningPreference, Recommendation, RecommendationSet, Track

RECENTLY_OFFERED = datetime.timedelta(hours=24)
# Only the last few sets count as "recently offered": someone who writes many entries in a day (or
# a back-filled diary) must not exclude the whole catalogue and be offered nothing at all.
RECENT_SETS_EXCLUDED = 3
FEEDBACK_WINDOW = datetime.timedelta(days=180)
SKIP_WINDOW = datetime.timedelta(days=30)


def preference_get(*, user: User) -> ListeningPreference:
    try:
        return user.music_preference
    except ListeningPreference.DoesNotExist:
        return ListeningPreference(user=user)


def preference_set(*, user: User, languages: Iterable[str], genres: Iterable[str],
                   match_sadness: bool | None = None) -> ListeningPreference:
    defaults = {"languages": sorted(set(languages)), "genres": sorted(set(genres))}
    if match_sadness is not None:
        defaults["match_sadness"] = match_sadness
    preference, _created = ListeningPreference.objects.update_or_create(user=user, defaults=defaults)
    return preference


def catalogue_choices() -> tuple[list[str], list[str]]:
    """The languages and genres present among active tracks (for the preferences form)."""
    active = Track.objects.filter(is_active=True)
    languages = sorted(set(active.exclude(language__in=["", "zxx"]).values_list("language", flat=True)))
    genres = sorted(set(active.exclude(genre="").values_list("genre", flat=True)))
    return languages, genres


def listener_for(*, user: User, entry: Entry | None = None) -> matching.Listener:
    """The person's feedback, preferences and recent offers (other than for this entry)."""
    now = timezone.now()
    state: dict[int, str] = {}
    artist_of: dict[int, str] = {}
    skips: Counter[int] = Counter()
    rows = (
        Feedback.objects.filter(user=user, created_at__gte=now - FEEDBACK_WINDOW)
        .order_by("created_at", "pk")
        .values_list("track_id", "action", "track__artist", "created_at")
    )
    for track_id, action, artist, created_at in rows:
        artist_of[track_id] = artist
        if action in (Feedback.Action.LIKE, Feedback.Action.DISLIKE):
            state[track_id] = action
        elif action == Feedback.Action.SKIP and created_at >= now - SKIP_WINDOW:
            skips[track_id] += 1
    liked = frozenset(t for t, a in state.items() if a == Feedback.Action.LIKE)
    disliked = frozenset(t for t, a in state.items() if a == Feedback.Action.DISLIKE)
    liked_artists = frozenset(matching.artist_key(artist_of[t]) for t in liked)
    disliked_artists = frozenset(matching.artist_key(artist_of[t]) for t in disliked) - liked_artists
    recent_sets = RecommendationSet.objects.filter(owner=user, created_at__gte=now - RECENTLY_OFFERED)
    if entry is not None:
        recent_sets = recent_sets.exclude(entry=entry)
    recent_ids = list(recent_sets.order_by("-created_at", "-pk").values_list("pk", flat=True)[:RECENT_SETS_EXCLUDED])
    offered = Recommendation.objects.filter(recommendation_set_id__in=recent_ids)
    preference = preference_get(user=user)
    return matching.Listener(
        liked_tracks=liked,
        disliked_tracks=disliked,
        skipped_tracks=dict(skips),
        liked_artists=liked_artists,
        disliked_artists=disliked_artists,
        exclude=frozenset(offered.values_list("track_id", flat=True)) - liked,
        languages=frozenset(preference.languages or ()),
        genres=frozenset(preference.genres or ()),
        match_sadness=preference.match_sadness,
    )


@transaction.atomic
def feedback_record(*, user: User, track: Track, action: str, entry: Entry | None = None) -> Feedback:
    if action not in Feedback.Action.values:
        raise ValidationError({"action": _("Unknown action.")})
    if entry is not None and entry.owner_id != user.pk:
        raise PermissionDenied("Not your entry.")
    if not track.is_active:
        raise ValidationError({"track": _("This track is no longer in the catalogue.")})
    return Feedback.objects.create(user=user, track=track, action=action, entry=entry)
