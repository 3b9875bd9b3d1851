"""Curators: who may use the catalogue admin, and the group that lets them."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User

CURATORS_GROUP = "Curators"
# The models a curator may add, change, delete and view in the admin: the catalogue only.
CURATOR_MODELS = ("track", "moodtag")


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
