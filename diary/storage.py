"""Where photos, thumbnails and composed audio are kept: STORAGES["private"] — the local folder
PRIVATE_MEDIA_ROOT by default, an S3-compatible bucket when S3_BUCKET is set (settings.py).

Everything reads and writes these files through the storage API (open, save, delete, size,
listdir), never by a local path, so a worker on another machine reads what a web process stored.
"""

from __future__ import annotations

import functools
import posixpath
import tempfile
import threading
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.utils.encoding import filepath_to_uri


def private_storage() -> Storage:
    """Storage with no public URL: files in it are served only by views that check the owner."""
    return storages["private"]


_client_lock = threading.Lock()


@functools.cache
def _s3_storage_class():
    from botocore.exceptions import ClientError
    from django.core.files import File
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    class PrivateS3Storage(S3Storage):
        """django-storages' S3 backend that never hands out a URL to the bucket, and reads a file
        with one GET.

        S3Storage.url() would return a presigned URL: a bearer link that works for anyone who gets
        it (forwarded, in a proxy log, in the browser history) until it expires, and that deleting
        the entry or withdrawing consent cannot revoke. Files are streamed by the owner-checked
        views instead (README: "Object storage"); like the local storage (base_url=None), url()
        names a path under MEDIA_URL that nothing serves.
        """

        def url(self, name, parameters=None, expire=None, http_method=None):  # noqa: ARG002
            return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

        @property
        def client(self):
            """One boto3 client for every thread of the process. Clients are thread-safe; the
            backend's own per-thread resource costs a session and the parsed S3 model for each
            of a web process's threads."""
            with _client_lock:
                if self._shared_client is None:
                    self._shared_client = self._create_session().client(
                        "s3", region_name=self.region_name, use_ssl=self.use_ssl, endpoint_url=self.endpoint_url,
                        config=self.client_config, verify=self.verify,
                    )
            return self._shared_client

        _shared_client = None

        def _save(self, name, content):
            """A small file (a photo, a piece) in one PutObject, without the transfer manager's
            machinery; a large one (or gzip) as django-storages does it (multipart)."""
            size = getattr(content, "size", None)
            if self.gzip or size is None or size > self.max_memory_size:
                return super()._save(name, content)
            cleaned = clean_name(name)
            key = self._normalize_name(cleaned)
            params = self._get_write_parameters(key, content)
            if hasattr(content, "seek"):
                content.seek(0)
            data = content.read()
            self.client.put_object(Bucket=self.bucket_name, Key=key,
                                   Body=data.encode() if isinstance(data, str) else data, **params)
            return cleaned

        def delete(self, name):
            # Deleting a key that is not there is not an error in S3.
            self.client.delete_object(Bucket=self.bucket_name, Key=self._normalize_name(clean_name(name)))

        def _open(self, name, mode="rb"):
            """Reading: one GET into memory (a temporary file past max_memory_size). S3File would
            send a HEAD, then boto3's download another HEAD, then the GET: three round trips for
            every photo a page or a worker reads (bench/README.md, "Object storage")."""
            if any(flag in mode for flag in "wa+"):
                return super()._open(name, mode)
            key = self._normalize_name(clean_name(name))
            try:
                response = self.client.get_object(Bucket=self.bucket_name, Key=key)
            except ClientError as error:
                if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    raise FileNotFoundError(f"File does not exist: {name}") from None
                raise
            copy = tempfile.SpooledTemporaryFile(max_size=self.max_memory_size, suffix=".S3File")
            body = response["Body"]
            try:
                for chunk in iter(lambda: body.read(256 * 1024), b""):
                    copy.write(chunk)
            finally:
                body.close()
            copy.seek(0)
            return File(copy, name=name)

    return PrivateS3Storage


def __getattr__(name: str):
    # Imported lazily: django-storages and boto3 load only when S3_BUCKET names a bucket.
    if name == "PrivateS3Storage":
        return _s3_storage_class()
    raise AttributeError(name)


def storage_unavailable_errors() -> tuple[type[BaseException], ...]:
    """Errors meaning "the object store did not answer" (down, timed out, refused us), as opposed
    to "the file is not there" (FileNotFoundError) or "the file is broken". Empty for the local
    folder, whose failures are the disk's own OSErrors."""
    if not getattr(settings, "S3_BUCKET", ""):
        return ()
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def private_folder_delete(prefix: str, *, storage: Storage | None = None) -> int:
    """Delete every file under `prefix` (e.g. "photos/42/") through the storage; returns how many.

    Works the same on the local folder (where the emptied folders go too) and on a bucket (where a
    "folder" is only a key prefix). For what row deletion leaves behind: files whose rows are gone.
    """
    storage = storage or private_storage()
    prefix = prefix.strip("/")
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in files:
        storage.delete(posixpath.join(prefix, name))
        deleted += 1
    for folder in folders:
        deleted += private_folder_delete(posixpath.join(prefix, folder), storage=storage)
    _remove_empty_local_folder(storage, prefix)
    return deleted


def _remove_empty_local_folder(storage: Storage, prefix: str) -> None:
    import os

    try:
        path = storage.path(prefix)  # only a local storage has paths; this is its own folder
    except NotImplementedError:
        return
    try:
        os.rmdir(path)
    except OSError:  # not empty (a file arrived meanwhile) or already gone
        pass
