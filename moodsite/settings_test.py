"""Test settings: the real settings, with a fast hasher, in-memory e-mail and throwaway media."""

import os
import tempfile
import uuid
from pathlib import Path

from moodsite.settings import *  # noqa: F403
from moodsite.settings import (
    S3_ACCESS_KEY_ID,
    S3_BUCKET,
    S3_ENDPOINT_URL,
    S3_PREFIX,
    S3_REGION,
    S3_SECRET_ACCESS_KEY,
    S3_SERVER_SIDE_ENCRYPTION,
    S3_SSE_KMS_KEY_ID,
    STORAGES,
    private_storage_settings,
)

_TEST_FILES = Path(os.environ.get("MOODSITE_TEST_FILES") or tempfile.mkdtemp(prefix="moodsite-test-"))
MEDIA_ROOT = _TEST_FILES / "media"
PRIVATE_MEDIA_ROOT = _TEST_FILES / "private"
# With S3_BUCKET set (CI's PostgreSQL + Redis pass starts a SeaweedFS for it), the whole run keeps
# its private files in that store, under a prefix of its own: runs sharing a bucket never mix.
S3_PREFIX = os.environ.get("MOODSITE_TEST_S3_PREFIX") or f"{S3_PREFIX}test-{uuid.uuid4().hex[:12]}/"
STORAGES = {
    **STORAGES,
    "private": private_storage_settings(
        private_root=PRIVATE_MEDIA_ROOT, bucket=S3_BUCKET, endpoint_url=S3_ENDPOINT_URL, region=S3_REGION,
        access_key=S3_ACCESS_KEY_ID, secret_key=S3_SECRET_ACCESS_KEY, prefix=S3_PREFIX,
        encryption=S3_SERVER_SIDE_ENCRYPTION, kms_key_id=S3_SSE_KMS_KEY_ID,
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; the integration tests start real workers against real Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT = _TEST_FILES / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
