"""Everything that writes music data, and the glue between the database and `music.matching`."""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Entry
from inference.selectors import Mood, entry_mood
from music import matching
from music.models import (
    Feedback,
    ListeningPreference,
    MoodTag,
    Recommendation,
    RecommendationSet,
    Track,
)

CURATORS_GROUP = "Curators"
# The models a curator may add, change, delete and view in the admin: the catalogue only.
CURATOR_MODELS = ("track", "moodtag")
RECENTLY_OFFERED = datetime.timedelta(hours=24)
# Only the last few sets count as "recently offered": someone who writes many entries in a day (or
# a back-filled diary) must not exclude the whole catalogue and be offered nothing at all.
RECENT_SETS_EXCLUDED = 3
FEEDBACK_WINDOW = datetime.timedelta(days=180)
SKIP_WINDOW = datetime.timedelta(days=30)
CATALOGUE_VERSION_KEY = "music:catalogue-version"
CATALOGUE_RECHECK_SECONDS = 30.0


# --- Curators -----------------------------------------------------------------------------------


def is_catalogue_curator(user) -> bool:
    """Curators and staff may use the catalogue admin and its bulk actions, import and export."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.role in (User.Role.CURATOR, User.Role.STAFF)


def curator_group() -> Group:
    """The "Curators" group with every permission on the catalogue models (created if missing)."""
    group, _created = Group.objects.get_or_create(name=CURATORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label="music", content_type__model__in=CURATOR_MODELS)
    group.permissions.add(*permissions)
    return group


@transaction.atomic
def curator_enable(*, user: User) -> User:
    """Let a person curate the catalogue in the admin (and nothing else there)."""
    user.role = User.Role.CURATOR
    user.is_staff = True
    user.save(update_fields=["role", "is_staff"])
    user.groups.add(curator_group())
    return user


# --- The catalogue as matcher arrays, cached per process ---------------------------------------


def _bump_catalogue_version() -> None:
    try:
        cache.incr(CATALOGUE_VERSION_KEY)
    except ValueError:
        cache.set(CATALOGUE_VERSION_KEY, 1, timeout=None)


def catalogue_changed() -> None:
    """Tell every process (through the shared cache) that its catalogue arrays are stale: now, for
    this transaction's own reads, and again after commit, for processes that rebuilt meanwhile."""
    _bump_catalogue_version()
    transaction.on_commit(_bump_catalogue_version)


@dataclass
class _CatalogueState:
    version: object = None
    fingerprint: tuple | None = None
    checked_at: float = 0.0
    catalogue: matching.Catalogue | None = None


_state = _CatalogueState()
_state_lock = threading.Lock()


def _fingerprint() -> tuple:
    row = Track.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    tags = MoodTag.objects.aggregate(n=Count("id"))
    return row["n"], row["latest"], tags["n"]


def tag_words() -> tuple[list[matching.TagWords], dict[int, int], dict[int, tuple[float, float]]]:
    tags = list(MoodTag.objects.order_by("pk").values_list("pk", "name_en", "name_ko", "valence", "arousal", "slug"))
    words = [matching.TagWords(en, ko, v, a, slug) for _pk, en, ko, v, a, slug in tags]
    index = {pk: i for i, (pk, *_rest) in enumerate(tags)}
    points = {pk: (v, a) for pk, _en, _ko, v, a, _slug in tags}
    return words, index, points


def catalogue_build() -> matching.Catalogue:
    """Every active track that has coordinates, as arrays for the matcher.

    A track's emotion affinity is, in order: what a curator or an import set; else the mean of its
    mood tags' affinities (so a track tagged both Sad and Happy leans to both, not to the neutral
    middle its mean coordinates suggest); else the affinity of its coordinates."""
    import numpy as np

    from inference.emotions import EMOTIONS

    words, tag_index, points = tag_words()
    tag_affinity = matching.affinities_from_va(np.array([[w.valence, w.arousal] for w in words]).reshape(-1, 2))
    tags_of: dict[int, list[int]] = {}
    through = Track.mood_tags.through.objects.filter(track__is_active=True)
    for track_id, tag_id in through.values_list("track_id", "moodtag_id").iterator(chunk_size=20_000):
        tags_of.setdefault(track_id, []).append(tag_id)
    rows = list(
        Track.objects.filter(is_active=True, valence__isnull=False, arousal__isnull=False)
        .order_by("pk")
        .values_list("pk", "artist", "valence", "arousal", "emotion_affinity", "language", "genre",
                     "tempo_bpm", "mode", "sensitive_theme")
        .iterator(chunk_size=20_000)
    )
    pair_track, pair_tag = [], []
    for position, row in enumerate(rows):
        for tag_id in tags_of.get(row[0], ()):
            pair_track.append(position)
            pair_tag.append(tag_index[tag_id])
    from_tags = np.zeros((len(rows), len(EMOTIONS)))
    if pair_track:
        np.add.at(from_tags, np.array(pair_track), tag_affinity[np.array(pair_tag)])
        counts = np.bincount(np.array(pair_track), minlength=len(rows))
        from_tags /= np.maximum(counts, 1)[:, None]

    records = []
    for position, (pk, artist, valence, arousal, affinity, language, genre, tempo, mode, sensitive) in enumerate(rows):
        tag_ids = tags_of.get(pk, ())
        mood_tag = -1
        if tag_ids:
            nearest = min(tag_ids, key=lambda t: (points[t][0] - valence) ** 2 + (points[t][1] - arousal) ** 2)
            mood_tag = tag_index[nearest]
        vector = None
        if isinstance(affinity, dict) and affinity:
            vector = [float(affinity.get(name, 0.0) or 0.0) for name in EMOTIONS]
            if not any(vector):
                vector = None
        if vector is None and tag_ids:
            vector = from_tags[position].tolist()
        records.append(matching.TrackRecord(
            id=pk, artist=artist, valence=valence, arousal=arousal, affinity=vector, language=language,
            genre=genre, tempo=tempo, mode=mode, mood_tag=mood_tag, sensitive=sensitive,
        ))
    return matching.Catalogue.build(records, words)


def catalogue() -> matching.Catalogue:
    """The cached arrays; rebuilt when a curator changed the catalogue (any process), or when the
    database says so (checked at most every 30 s, for writes that bypassed the signals)."""
    version = cache.get(CATALOGUE_VERSION_KEY, 0)
    now = time.monotonic()
    with _state_lock:
        if _state.catalogue is not None and _state.version == version:
            if now - _state.checked_at < CATALOGUE_RECHECK_SECONDS:
                return _state.catalogue
            fingerprint = _fingerprint()
            if fingerprint == _state.fingerprint:
                _state.checked_at = now
                return _state.catalogue
        fingerprint = _fingerprint()
        built = catalogue_build()
        _state.version, _state.fingerprint, _state.checked_at, _state.catalogue = version, fingerprint, now, built
        return built


def catalogue_forget() -> None:
    """Drop this process's arrays (tests)."""
    with _state_lock:
        _state.catalogue = None
        _state.version = None


# --- Coordinates from tags ----------------------------------------------------------------------


def track_coordinates_refresh(tracks: Iterable[Track], *, force: bool = False) -> list[Track]:
    """Give tracks their coordinates from their mood tags, unless a curator (or the audio analysis
    the curator accepted) set them; `force` applies the tags anyway. Returns the tracks changed."""
    tracks = list(tracks)
    if not tracks:
        return []
    _words, _index, points = tag_words()
    tags_of: dict[int, list[int]] = {}
    for track_id, tag_id in Track.mood_tags.through.objects.filter(track__in=[t.pk for t in tracks]).values_list(
        "track_id", "moodtag_id"
    ):
        tags_of.setdefault(track_id, []).append(tag_id)
    changed = []
    now = timezone.now()
    for track in tracks:
        if not force and track.coordinates_source in (Track.CoordinatesSource.CURATOR, Track.CoordinatesSource.AUDIO):
            continue
        coordinates = matching.coordinates_from_tags(points[t] for t in tags_of.get(track.pk, ()))
        source = Track.CoordinatesSource.TAGS if coordinates else Track.CoordinatesSource.NONE
        valence, arousal = coordinates if coordinates else (None, None)
        if (track.valence, track.arousal, track.coordinates_source) != (valence, arousal, source) or force:
            track.valence, track.arousal, track.coordinates_source = valence, arousal, source
            if force:
                track.emotion_affinity = None
            track.updated_at = now
            changed.append(track)
    if changed:
        Track.objects.bulk_update(
            changed, ["valence", "arousal", "coordinates_source", "emotion_affinity", "updated_at"], batch_size=500
        )
        catalogue_changed()
    return changed


def tracks_set_active(*, tracks, active: bool) -> int:
    count = tracks.update(is_active=active, updated_at=timezone.now())
    catalogue_changed()
    return count


def tracks_set_sensitive(*, tracks, sensitive: bool) -> int:
    """The curator's flag for works about death, mourning, funerals, war or despair."""
    count = tracks.update(sensitive_theme=sensitive, updated_at=timezone.now())
    catalogue_changed()
    return count


@transaction.atomic
def tracks_set_mood(*, tracks, tags: Iterable[MoodTag], replace: bool = True) -> int:
    """The curator's "set mood" action: give the tracks these tags; their coordinates follow."""
    tags = list(tags)
    tracks = list(tracks)
    through = Track.mood_tags.through
    if replace:
        through.objects.filter(track__in=tracks).delete()
    through.objects.bulk_create(
        [through(track_id=track.pk, moodtag_id=tag.pk) for track in tracks for tag in tags], ignore_conflicts=True
    )
    track_coordinates_refresh(tracks, force=True)
    catalogue_changed()
    return len(tracks)


@transaction.atomic
def tracks_accept_suggestion(*, tracks) -> int:
    """Copy the audio analysis's suggestions (coordinates, tempo, key, energy) onto the tracks."""
    changed = []
    for track in tracks:
        if track.suggested_valence is None or track.suggested_arousal is None:
            continue
        track.valence, track.arousal = track.suggested_valence, track.suggested_arousal
        track.coordinates_source = Track.CoordinatesSource.AUDIO
        track.emotion_affinity = None
        analysis = track.analysis or {}
        if analysis.get("tempo"):
            track.tempo_bpm = analysis["tempo"]
        if analysis.get("key"):
            track.key = analysis["key"]
            track.mode = analysis.get("mode", "")
        if analysis.get("energy") is not None:
            track.energy = analysis["energy"]
        track.updated_at = timezone.now()
        changed.append(track)
    Track.objects.bulk_update(
        changed,
        ["valence", "arousal", "coordinates_source", "emotion_affinity", "tempo_bpm", "key", "mode", "energy",
         "updated_at"],
    )
    catalogue_changed()
    return len(changed)


# --- The person ---------------------------------------------------------------------------------


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


# --- Recommendations ----------------------------------------------------------------------------


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
