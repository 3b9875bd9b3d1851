import pytest
from django.core.cache import cache

from accounts.models import User
from music import services
from music.models import MoodTag, Track
from tests.conftest import verified
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_catalogue_arrays():
    """Each test has its own database rows: drop the arrays a previous test cached."""
    services.catalogue_forget()
    cache.delete(services.CATALOGUE_VERSION_KEY)
    yield
    services.catalogue_forget()


def make_track(title: str, artist: str, *, tags=(), valence=None, arousal=None, **fields) -> Track:
    track = Track.objects.create(title=title, artist=artist, valence=valence, arousal=arousal,
                                 coordinates_source="curator" if valence is not None else "", **fields)
    if tags:
        track.mood_tags.set(MoodTag.objects.filter(name_en__in=tags))
        services.track_coordinates_refresh([track])
        track.refresh_from_db()
    return track


@pytest.fixture
def small_catalogue(db):
    """Sixteen tracks spread over the circumplex, two per artist at most."""
    rows = [
        ("Calm one", "Anna", 0.45, -0.6), ("Calm two", "Boris", 0.5, -0.5), ("Calm three", "Anna", 0.4, -0.55),
        ("Happy one", "Chen", 0.8, 0.5), ("Happy two", "Dana", 0.75, 0.45), ("Happy three", "Chen", 0.85, 0.55),
        ("Sad one", "Eun", -0.65, -0.3), ("Sad two", "Farid", -0.6, -0.35), ("Sad three", "Eun", -0.7, -0.25),
        ("Angry one", "Gita", -0.55, 0.7), ("Angry two", "Hana", -0.5, 0.6),
        ("Middle one", "Ivan", 0.0, 0.0), ("Middle two", "Jae", 0.1, -0.1),
        ("Lively one", "Kofi", 0.55, 0.75), ("Lively two", "Lena", 0.6, 0.7),
        ("Warm one", "Min", 0.6, -0.1),
    ]
    return [make_track(title, artist, valence=v, arousal=a, tempo_bpm=70 if a < 0 else 120,
                       mode="major" if v > 0 else "minor") for title, artist, v, a in rows]


@pytest.fixture
def curator(db):
    user = verified(UserFactory(role=User.Role.MEMBER))
    return services.curator_enable(user=user)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client
