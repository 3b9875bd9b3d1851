"""moodsite.digests.file_sha256: the one checksum the model weights are written and checked with."""

import hashlib
import json
from pathlib import Path

import pytest

from moodsite.digests import file_sha256

ROOT = Path(__file__).resolve().parents[2]


def test_it_gives_the_sha256_of_the_whole_file(tmp_path):
    # given a file larger than one read chunk
    data = bytes(range(256)) * 40_000
    path = tmp_path / "weights.bin"
    path.write_bytes(data)
    # then its digest is the one of all its bytes
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    assert file_sha256(str(path)) == file_sha256(path)


def test_it_matches_the_checksum_shipped_with_the_face_model():
    metadata = json.loads((ROOT / "inference" / "weights" / "face" / "model.json").read_text())
    assert file_sha256(ROOT / "inference" / "weights" / "face" / metadata["weights"]) == metadata["sha256"]


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        file_sha256(tmp_path / "absent.bin")
