"""The one file checksum: model weights carry their SHA-256 in their metadata, written by the
training commands and checked by the runtimes before loading."""

import hashlib
from pathlib import Path


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks by hashlib.file_digest (a weights file is never held
    in memory whole just to be hashed). Raises OSError when the file cannot be read."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
