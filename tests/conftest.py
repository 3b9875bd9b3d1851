import io

import pytest
from allauth.account.models import EmailAddress
from PIL import Image

from tests.factories import EntryFactory, UserFactory


@pytest.fixture(autouse=True)
def fresh_process_state():
    """Tests share one process: no login throttle counts or cached catalogue arrays carry over."""
    from django.core.cache import cache

    from music.services import catalogue_forget

    cache.clear()
    catalogue_forget()
    yield
    catalogue_forget()


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def member(db):
    return verified(UserFactory())


@pytest.fixture
def stranger(db):
    """Another member, who must never see the first member's things."""
    return verified(UserFactory())


@pytest.fixture
def owner_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def stranger_client(client, stranger):
    client.force_login(stranger)
    return client


@pytest.fixture
def entry(member):
    return EntryFactory(owner=member)


def make_image_bytes(fmt: str = "JPEG", size=(64, 48), colour=(200, 120, 80), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()
