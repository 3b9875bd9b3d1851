"""The tracker's one write: the person's choice of whose reading colours their days."""

from accounts.models import User
from diary.tracker.models import TrackerPreference


def tracker_preference_set(*, user: User, prefer: str) -> TrackerPreference:
    if prefer not in TrackerPreference.Prefer.values:
        raise ValueError(f"prefer must be one of {TrackerPreference.Prefer.values}, not {prefer!r}")
    preference, _ = TrackerPreference.objects.update_or_create(user=user, defaults={"prefer": prefer})
    return preference
