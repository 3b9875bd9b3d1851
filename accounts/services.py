"""Self-service: download all my data, delete my account."""

import io
import json
import zipfile
from importlib import import_module

from django.apps import apps
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


# The person's folders in private storage (see the upload_to functions of diary and compositions).
OWNER_FOLDERS = ("photos/{owner_id}/", "compositions/{owner_id}/")


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the account and everything it owns. Files go with their rows (post_delete receivers);
    after the commit, whatever is left under the person's folders goes too, through the storage,
    so it works the same on the local folder and in an object store."""
    from diary.storage import private_folder_delete

    owner_id = user.pk
    user.delete()
    transaction.on_commit(
        lambda: [private_folder_delete(folder.format(owner_id=owner_id)) for folder in OWNER_FOLDERS]
    )
