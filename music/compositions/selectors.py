"""Every read of compositions goes through here and names who is asking: only the owner."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from diary.models import Entry
from music.compositions.models import Composition


def composition_list_visible_to(*, user: User) -> QuerySet[Composition]:
    if not user.is_authenticated:
        return Composition.objects.none()
    return Composition.objects.filter(owner=user)


def composition_list_for_entry(*, user: User, entry: Entry) -> QuerySet[Composition]:
    return composition_list_visible_to(user=user).filter(entry=entry)


def composition_get_visible_to(*, user: User, composition_id: int) -> Composition:
    """The composition, or 404: a stranger cannot tell someone else's piece from a missing one."""
    try:
        return composition_list_visible_to(user=user).select_related("entry").get(pk=composition_id)
    except (Composition.DoesNotExist, ValueError, TypeError):
        raise Http404("No such composition.") from None
