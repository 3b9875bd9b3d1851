"""The diary's part of "download all my data": every entry (with its mood, where that mood comes
from, and the automatic reading), the tracker's setting, and every photo as a file."""

from accounts.models import User
from diary.models import Entry
from diary.tracker.moods import mood_emotion, mood_source
from diary.tracker.selectors import tracker_preference_get


def export_user_data(user: User) -> dict:
    prefer = tracker_preference_get(user=user)
    return {"entries": _entries(user, prefer), "tracker": {"colour_days_by": prefer}, "reminder": _reminder(user)}


def _reminder(user: User) -> dict:
    from diary.reminders.services import preference_get

    preference = preference_get(user=user)
    return {"enabled": preference.enabled, "time": preference.time.strftime("%H:%M"), "channel": preference.channel,
            "devices": user.push_subscriptions.count(),
            "sent_days": [d.isoformat() for d in user.reminders_sent.order_by("day").values_list("day", flat=True)]}


def _entries(user: User, prefer: str) -> list[dict]:
    # Each mood as the person's own tracker shows it (their own choice first unless they chose otherwise).
    entries = Entry.objects.filter(owner=user).order_by("day", "pk").annotate(
        mood=mood_emotion(prefer), mood_source=mood_source(prefer))
    return [
        {
            "id": entry.pk,
            "day": entry.day.isoformat(),
            "text": entry.text,
            "mood": entry.mood or "",
            "mood_source": entry.mood_source or "",
            "self_mood": entry.self_mood,
            "self_mood_strength": entry.self_mood_strength,
            "ai_emotion": entry.ai_emotion,
            "ai_confidence": entry.ai_confidence,
            "photo": f"photos/entry-{entry.pk}.jpg" if entry.photo else None,
            "created_at": entry.created_at.isoformat(),
            "updated_at": entry.updated_at.isoformat(),
        }
        for entry in entries
    ]


def export_user_files(user: User):
    """(name in the zip, storage, stored name) for each photo."""
    for entry in Entry.objects.filter(owner=user).exclude(photo="").order_by("pk"):
        yield f"photos/entry-{entry.pk}.jpg", entry.photo.storage, entry.photo.name
