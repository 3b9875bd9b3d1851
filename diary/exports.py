"""The diary's part of "download all my data": every entry, the tracker's setting, and every
photo as a file."""

from accounts.models import User
from diary.models import Entry
from diary.tracker.selectors import tracker_preference_get


def export_user_data(user: User) -> dict:
    return {"entries": _entries(user), "tracker": {"colour_days_by": tracker_preference_get(user=user)}}


def _entries(user: User) -> list[dict]:
    return [
        {
            "id": entry.pk,
            "day": entry.day.isoformat(),
            "text": entry.text,
            "self_mood": entry.self_mood,
            "photo": f"photos/entry-{entry.pk}.jpg" if entry.photo else None,
            "created_at": entry.created_at.isoformat(),
            "updated_at": entry.updated_at.isoformat(),
        }
        for entry in Entry.objects.filter(owner=user).order_by("day", "pk")
    ]


def export_user_files(user: User):
    """(name in the zip, storage, stored name) for each photo."""
    for entry in Entry.objects.filter(owner=user).exclude(photo="").order_by("pk"):
        yield f"photos/entry-{entry.pk}.jpg", entry.photo.storage, entry.photo.name


def user_folders(user: User):
    """(storage, folder) holding only this person's files, removed with the account."""
    from diary.models import photo_path

    storage = Entry._meta.get_field("photo").storage
    return [(storage, photo_path(Entry(owner=user), "").rsplit("/", 1)[0])]
