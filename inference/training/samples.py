"""Real-face test photos built from the shared datasets (for tests and benchmarks; numpy + PIL).

Nothing from the datasets is stored in the repository: these helpers read
``../shared/datasets`` at run time and return None when it is absent.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
# A few FER2013 PrivateTest faces (frontal, clear) that OpenCV's cascade finds once upscaled.
SELFIE_FACES = ("happy", "neutral", "surprise")


def datasets_dir() -> Path | None:
    return DATASETS if DATASETS.is_dir() else None


def sample_faces(limit: int = 40) -> list[Path]:
    """FER2013 PrivateTest files (sorted, deterministic) from a few classes, or [] without datasets."""
    base = DATASETS / "fer2013" / "test"
    paths: list[Path] = []
    for name in SELFIE_FACES:
        paths.extend(sorted((base / name).glob("PrivateTest_*.jpg"))[:limit])
    return paths


def selfie(face: Path, size=(1280, 960), face_side: int = 420, offset=(0.5, 0.45)) -> tuple[Image.Image, tuple]:
    """A size[0] x size[1] RGB photo with the 48x48 face upscaled to face_side px: (image, face box)."""
    width, height = size
    with Image.open(face) as source:
        gray = source.convert("L").resize((face_side, face_side), Image.Resampling.BICUBIC)
    # A soft vertical gradient for background, like a wall behind someone.
    column = np.linspace(90, 170, height, dtype=np.float32)[:, None]
    background = np.repeat(column, width, axis=1).astype(np.uint8)
    canvas = Image.fromarray(background).convert("RGB")
    x = int(width * offset[0] - face_side / 2)
    y = int(height * offset[1] - face_side / 2)
    canvas.paste(gray.convert("RGB"), (x, y))
    return canvas, (x, y, face_side, face_side)


def jpeg_bytes(image: Image.Image, quality: int = 90, exif=None) -> bytes:
    buffer = io.BytesIO()
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, format="JPEG", **kwargs)
    return buffer.getvalue()


def detectable_selfie(limit: int = 40):
    """(photo, paste box, source path) for the first sample face the detector finds, or None."""
    from inference.faces import find_faces

    for path in sample_faces(limit):
        photo, box = selfie(path)
        if find_faces(photo).found:
            return photo, box, path
    return None


def rotated_with_exif(photo: Image.Image, orientation: int = 6) -> bytes:
    """A JPEG whose pixels are stored sideways with the EXIF Orientation that turns them upright.

    Orientation 6 = "rotate 90 degrees clockwise to display": the stored pixels are the upright
    photo turned 90 degrees counter-clockwise. Orientation 8 is the opposite turn.
    """
    stored = photo.transpose(Image.Transpose.ROTATE_90 if orientation == 6 else Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg_bytes(stored, exif=exif)
