"""Averaging fine-tuned text encoders (a "model soup", Wortsman et al. 2022).

Encoders fine-tuned from the same pretrained weights, with the same layers frozen, can be averaged
tensor by tensor; the average often reads new writing better than either source, because the
sources' errors differ (run 7 reads English diaries a little better, run 8 Korean ones). The
average is written as a format-2 export, to be used as ``train_text_emotion_model
--encoder-model``: its own linear head is the sources' average and is not calibrated, so the
head trained on its vectors (format 3) is what the site reads.

A source is a format-2 export (``weights`` + ``sha256``) or a format-3 model (``encoder_weights`` +
``encoder_sha256``); every checksum is checked before anything is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from inference.text import finetuned
from inference.text.runtime import FINETUNED_FORMAT, FINETUNED_HEAD_FORMAT, METADATA_FILE
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS


def _encoder_of(folder: Path) -> tuple[Path, str, dict, str]:
    """(weights file, its checksum, architecture, base encoder) of a source folder; ValueError says
    what is wrong."""
    metadata = finetuned.read_metadata(folder)
    keys = {FINETUNED_FORMAT: ("weights", "sha256"), FINETUNED_HEAD_FORMAT: ("encoder_weights", "encoder_sha256")}
    if metadata.get("format") not in keys:
        raise ValueError(
            f"{folder} is not a fine-tuned text model (format {metadata.get('format')!r}): nothing to average."
        )
    name, sha_key = keys[metadata["format"]]
    weights = finetuned.checked_weights(folder, metadata, name, sha_key)
    base = metadata.get("base_encoder" if metadata["format"] == FINETUNED_HEAD_FORMAT else "encoder")
    return weights, metadata[sha_key], metadata["architecture"], base


def average_encoders(sources: list[Path], out: Path, version: str = "") -> dict:
    """Write the uniform average of the sources' fine-tuned tensors to ``out`` (model.safetensors,
    float16, + head.json) and return the metadata."""
    from safetensors.numpy import load_file, save_file

    if len(sources) < 2:
        raise ValueError("averaging needs at least two fine-tuned encoders.")
    found = [_encoder_of(Path(folder)) for folder in sources]
    architecture, base = found[0][2], found[0][3]
    for (_, _, other, other_base), folder in zip(found, sources, strict=True):
        if other != architecture or other_base != base:
            raise ValueError(
                f"{folder} has architecture {other} on {other_base}, unlike {sources[0]}'s {architecture} "
                f"on {base}: only encoders fine-tuned the same way can be averaged."
            )
    states = [load_file(str(weights)) for weights, _, _, _ in found]
    names = set(states[0])
    for state, folder in zip(states[1:], sources[1:], strict=True):
        if set(state) != names or any(state[key].shape != states[0][key].shape for key in names):
            raise ValueError(f"{folder}'s tensors differ from {sources[0]}'s: they were not fine-tuned the same way.")
    average = {
        key: np.mean([state[key].astype(np.float32) for state in states], axis=0).astype(np.float16) for key in names
    }
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "model.safetensors"
    tmp = out / ".model.safetensors.tmp"
    save_file(average, str(tmp))
    os.replace(tmp, weights)
    metadata = {
        "name": "moodsite-text-emotion",
        "version": version or "text-encoder-average",
        "format": FINETUNED_FORMAT,
        "classes": list(EMOTIONS),
        "encoder": base,
        "architecture": architecture,
        "weights": weights.name,
        "sha256": file_sha256(weights),
        "temperature": 1.0,
        "use": "an encoder for train_text_emotion_model --encoder-model: its linear head is the sources' "
        "average, not calibrated",
        "training": {
            "average_of": [
                {"folder": str(folder), "sha256": sha} for folder, (_, sha, _, _) in zip(sources, found, strict=True)
            ],
            "rule": "uniform average of every fine-tuned tensor (float32 sum, stored as float16)",
        },
    }
    tmp_json = out / f".{METADATA_FILE}.tmp"
    tmp_json.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp_json, out / METADATA_FILE)
    return metadata
