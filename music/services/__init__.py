"""Everything that writes music data, and the glue between the database and `music.matching`.

Modules: curators, arrays (the catalogue cached as matcher arrays), tracks (coordinates and the
curator's bulk actions), listening (preferences, feedback, the listener), recommendations. The
public names are importable from `music.services`.
"""

from music.services.arrays import (
    CATALOGUE_RECHECK_SECONDS,
    CATALOGUE_VERSION_KEY,
    catalogue,
    catalogue_build,
    catalogue_changed,
    catalogue_forget,
    tag_words,
)
from music.services.curators import CURATOR_MODELS, CURATORS_GROUP, curator_enable, curator_group, is_catalogue_curator
from music.services.listening import (
    FEEDBACK_WINDOW,
    RECENT_SETS_EXCLUDED,
    RECENTLY_OFFERED,
    SKIP_WINDOW,
    catalogue_choices,
    feedback_record,
    listener_for,
    preference_get,
    preference_set,
)
from music.services.recommendations import recommendation_items, recommendations_compute, recommendations_get
from music.services.tracks import (
    track_coordinates_refresh,
    tracks_accept_suggestion,
    tracks_set_active,
    tracks_set_mood,
    tracks_set_sensitive,
)

__all__ = [
    "CATALOGUE_RECHECK_SECONDS", "CATALOGUE_VERSION_KEY", "CURATORS_GROUP", "CURATOR_MODELS", "FEEDBACK_WINDOW",
    "RECENTLY_OFFERED", "RECENT_SETS_EXCLUDED", "SKIP_WINDOW", "catalogue", "catalogue_build", "catalogue_changed",
    "catalogue_choices", "catalogue_forget", "curator_enable", "curator_group", "feedback_record",
    "is_catalogue_curator", "listener_for", "preference_get", "preference_set", "recommendation_items",
    "recommendations_compute", "recommendations_get", "tag_words", "track_coordinates_refresh",
    "tracks_accept_suggestion", "tracks_set_active", "tracks_set_mood", "tracks_set_sensitive",
]
