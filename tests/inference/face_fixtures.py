"""Shared helpers for the face model tests (imported explicitly; no conftest clash).

Real faces come from ../shared/datasets at run time (never copied into the repository); tests
that need one skip with the reason when the folder is absent.
"""

import io

import numpy as np
import pytest
from PIL import Image

from inference.training.samples import datasets_dir

DATASETS = datasets_dir()
needs_datasets = pytest.mark.skipif(
    DATASETS is None, reason="../shared/datasets is absent (a fresh clone): no real faces or test sets to use"
)


def blank_photo(size=(640, 480), colour=(180, 190, 200)) -> Image.Image:
    """A photo with no face in it: a flat wall with a little noise."""
    rng = np.random.default_rng(0)
    base = np.full((size[1], size[0], 3), colour, dtype=np.int16)
    noisy = np.clip(base + rng.integers(-6, 7, base.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(noisy)


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()
