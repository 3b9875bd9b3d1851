from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Storage with no public URL: files in it are served only by views that check the owner."""
    return storages["private"]
