"""The music part of "download all my data": preferences, feedback and the music offered."""

from accounts.models import User
from music.models import Feedback, ListeningPreference, Recommendation, RecommendationSet


def export_user_data(user: User) -> dict:
    preference = ListeningPreference.objects.filter(user=user).first()
    return {
        "preferences": {
            "languages": list(preference.languages) if preference else [],
            "genres": list(preference.genres) if preference else [],
        },
        "feedback": [
            {
                "track": {"title": f.track.title, "artist": f.track.artist},
                "action": f.action,
                "entry": f.entry_id,
                "created_at": f.created_at.isoformat(),
            }
            for f in Feedback.objects.filter(user=user).select_related("track").order_by("created_at", "pk")
        ],
        "recommendations": [
            {
                "entry": s.entry_id,
                "strategy": s.strategy,
                "target": s.target,
                "mood": {"source": s.mood_source, "emotion": s.mood_emotion,
                         "valence": s.mood_valence, "arousal": s.mood_arousal},
                "created_at": s.created_at.isoformat(),
                "tracks": [_offered(item) for item in Recommendation.load_tag_names(
                    list(s.items.select_related("track").order_by("position")))],
            }
            for s in RecommendationSet.objects.filter(owner=user).order_by("created_at", "pk")
        ],
    }


def _offered(item: Recommendation) -> dict:
    """One offered track, with its reason in English and Korean (as the export always gave it)."""
    reasons = item.reasons
    return {"title": item.track.title, "artist": item.track.artist, "reason": reasons["en"], "reason_ko": reasons["ko"]}


def export_user_files(user: User):
    return []
