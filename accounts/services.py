"""Self-service: download all my data, delete my account."""

import contextlib
import io
import json
import os
import zipfile
from importlib import import_module

from django.apps import apps
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User

# 2: the diary part became {"entries": [...], "tracker": {...}} (was the list of entries).
EXPORT_FORMAT_VERSION = 2


def _export_modules():
    """Each app that holds personal data says what it holds in its `exports` module."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.exports")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.exports":
                raise
            continue
        yield config.label, module


def user_data_export(*, user: User) -> bytes:
    """A zip with data.json (everything we hold about the person) and their files."""
    data: dict = {"format_version": EXPORT_FORMAT_VERSION, "exported_at": timezone.now().isoformat()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for label, module in _export_modules():
            data[label] = module.export_user_data(user)
            for arcname, storage, name in module.export_user_files(user):
                try:
                    with storage.open(name, "rb") as handle:
                        archive.writestr(arcname, handle.read())
                except FileNotFoundError:
                    continue
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the account and everything it owns; files go with their rows (post_delete receivers),
    and, once that has committed, the person's own folders (each app's `user_folders`) with
    whatever is left in them."""
    folders = [
        pair for _label, module in _export_modules() if hasattr(module, "user_folders")
        for pair in module.user_folders(user)
    ]
    user.delete()
    transaction.on_commit(lambda: [folder_remove(storage=storage, folder=folder) for storage, folder in folders])


def folder_remove(*, storage: Storage, folder: str) -> None:
    """Delete every file under `folder` through the storage API, then the empty directories
    themselves where the storage has any (object stores have none once the files are gone)."""
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in directories:
        folder_remove(storage=storage, folder=f"{folder}/{name}")
    try:
        path = storage.path(folder)
    except NotImplementedError:
        return
    with contextlib.suppress(FileNotFoundError, OSError):
        os.rmdir(path)
