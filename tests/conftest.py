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


# --- Object storage ------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _test_bucket_prefix_emptied():
    """A run against the environment's S3 store (CI's second pass) leaves nothing under its prefix."""
    yield
    from django.conf import settings

    if settings.S3_BUCKET:
        from diary.storage import private_folder_delete

        private_folder_delete("")  # "" is the run's own prefix (settings_test.S3_PREFIX), not the bucket


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The S3 store for the object-storage tests: None when the environment names one (S3_BUCKET,
    as in CI's PostgreSQL + Redis pass, where every test already uses it), else a SeaweedFS started
    here for the session; skips with the reason where neither is possible."""
    from django.conf import settings

    if settings.S3_BUCKET:
        yield None
        return
    from tests.s3_server import S3Unavailable, SeaweedS3

    try:
        server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs")).start()
    except S3Unavailable as error:
        pytest.skip(f"no S3 server for the object-storage tests: {error}")
    yield server
    server.stop()


def private_fields():
    """Every file field kept in the private storage (photos, thumbnails, audio, MIDI)."""
    from django.apps import apps
    from django.db.models import FileField

    from diary.storage import private_storage

    return [field for model in apps.get_models() for field in model._meta.get_fields()
            if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is private_storage]


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """The private storage of this test, in the S3 store: the environment's own, or the session's
    SeaweedFS under a prefix of this test's (the fields' storages are swapped for the test)."""
    from django.core.files.storage import storages

    if s3_server is None:
        return storages["private"]
    import uuid

    from moodsite.settings import private_storage_settings

    env = s3_server.env()
    settings.S3_BUCKET, settings.S3_ENDPOINT_URL = env["S3_BUCKET"], env["S3_ENDPOINT_URL"]
    settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY = env["S3_ACCESS_KEY_ID"], env["S3_SECRET_ACCESS_KEY"]
    settings.S3_PREFIX = f"test-{uuid.uuid4().hex[:12]}/"
    settings.S3_SERVER_SIDE_ENCRYPTION = env["S3_SERVER_SIDE_ENCRYPTION"]
    settings.STORAGES = {**settings.STORAGES, "private": private_storage_settings(
        private_root=settings.PRIVATE_MEDIA_ROOT, bucket=settings.S3_BUCKET, endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID, secret_key=settings.S3_SECRET_ACCESS_KEY, prefix=settings.S3_PREFIX,
        encryption=settings.S3_SERVER_SIDE_ENCRYPTION)}
    store = storages["private"]
    for field in private_fields():
        monkeypatch.setattr(field, "storage", store)
    return store


@pytest.fixture
def s3_store_down(s3_storage, settings, monkeypatch):
    """From here on, the private storage is an S3 store that does not answer (nothing listens at its
    address): same bucket and prefix, so names saved before still point into it."""
    from django.core.files.storage import storages

    from moodsite.settings import private_storage_settings
    from tests.s3_server import _free_ports

    (port,) = _free_ports(1)
    settings.STORAGES = {**settings.STORAGES, "private": private_storage_settings(
        private_root=settings.PRIVATE_MEDIA_ROOT, bucket=s3_storage.bucket_name,
        endpoint_url=f"http://127.0.0.1:{port}", access_key="unused", secret_key="unused",  # noqa: S106
        prefix=s3_storage.location)}
    down = storages["private"]
    for field in private_fields():
        monkeypatch.setattr(field, "storage", down)
    return down


def stored_names(storage=None, prefix: str = "") -> list[str]:
    """Every file in the private storage (or under `prefix`), through the storage API."""
    import posixpath

    from diary.storage import private_storage

    storage = storage or private_storage()
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    names = [posixpath.join(prefix, name) for name in files if name]
    for folder in folders:
        names += stored_names(storage, posixpath.join(prefix, folder))
    return sorted(names)


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
