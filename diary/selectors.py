"""Every read of diary entries goes through here and names who is asking."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from diary.models import DayMood, Entry


def entry_list_visible_to(*, user: User) -> QuerySet[Entry]:
    """Only the owner ever sees their entries (caseworker access lives in welfare.selectors)."""
    if not user.is_authenticated:
        return Entry.objects.none()
    return Entry.objects.filter(owner=user)


def day_mood_list_visible_to(*, user: User) -> QuerySet[DayMood]:
    """The per-day mood figures of the entries entry_list_visible_to shows (the owner's own)."""
    if not user.is_authenticated:
        return DayMood.objects.none()
    return DayMood.objects.filter(owner=user)


def entry_get_visible_to(*, user: User, entry_id: int) -> Entry:
    """The entry, or 404 — a stranger cannot tell someone else's entry from a missing one."""
    try:
        return entry_list_visible_to(user=user).get(pk=entry_id)
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404("No such entry.") from None
