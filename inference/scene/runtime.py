"""Reading photos without a face with the shipped scene model (inference/weights/scene/).

numpy / Pillow / OpenCV only. The weights are checked against the sha256 in model.json before
use. A reading gives valence and arousal (1-9 SAM scale and the site's [-1, 1] circumplex) and the
seven-mood distribution only where its top probability clears the model's abstain threshold.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from inference.scene import features, head, nonscene
from moodsite.emotions import EMOTIONS

WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "scene"


class SceneModelUnavailable(Exception):
    pass


@dataclass(frozen=True)
class SceneReading:
    read: bool  # False: not a scene (``reason`` says why); nothing else is set
    reason: str = ""
    valence_sam: float | None = None  # 1-9
    arousal_sam: float | None = None
    valence: float | None = None  # [-1, 1], the site's circumplex scale
    arousal: float | None = None
    probabilities: dict[str, float] | None = None  # None when the mood distribution abstains
    top_probability: float | None = None
    brightness: float | None = None  # mean HSV value / saturation in [0, 1], for the explanation
    saturation: float | None = None


@dataclass
class _Model:
    info: dict
    arrays: dict

    def _expand(self, x: np.ndarray, name: str) -> np.ndarray:
        if f"{name}_fourier_w" not in self.arrays:
            return x
        return head.FourierMap(self.arrays[f"{name}_fourier_w"], self.arrays[f"{name}_fourier_b"])(x)

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = self.arrays
        z = (x.astype(np.float64) - a["mean"]) / a["scale"]
        va = np.clip(self._expand(z, "va") @ a["va_w"] + a["va_c"], 1.0, 9.0)
        mood = head.softmax(self._expand(z, "mood") @ a["mood_w"] + a["mood_c"])
        return va, mood


@lru_cache(maxsize=1)
def load_model(folder: Path = WEIGHTS) -> _Model:
    try:
        info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        blob = (folder / info["weights"]).read_bytes()
    except (OSError, ValueError, KeyError) as error:
        raise SceneModelUnavailable(f"no scene model in {folder}: {error}") from error
    if hashlib.sha256(blob).hexdigest() != info.get("sha256"):
        raise SceneModelUnavailable(f"{folder / info['weights']} does not match the sha256 in model.json")
    if info.get("features", {}).get("version") != features.FEATURE_VERSION:
        raise SceneModelUnavailable("the scene model was trained on another feature version")
    with np.load(io.BytesIO(blob)) as stored:
        arrays = {k: stored[k].astype(np.float64) for k in stored.files}
    return _Model(info, arrays)


def scene_model_info() -> dict:
    info = load_model().info
    return {"name": info["name"], "version": info["version"], "checksum": info["sha256"],
            "metrics": info.get("metrics", {}), "abstain": info.get("abstain", {})}


def read_scenes(images: list[Image.Image]) -> list[SceneReading]:
    """One reading per photo, in one matrix product for the batch."""
    model = load_model()
    threshold = float(model.info.get("abstain", {}).get("threshold", 1.0))
    prepared = [features.prepare(image) for image in images]
    reasons = [nonscene.not_a_scene(rgb) for rgb in prepared]
    keep = [i for i, reason in enumerate(reasons) if not reason]
    out = [SceneReading(read=False, reason=reason) for reason in reasons]
    if not keep:
        return out
    x = np.stack([features.extract(prepared[i]) for i in keep])
    va, mood = model.predict(x)
    for row, i in enumerate(keep):
        brightness, saturation = features.brightness_saturation(prepared[i])
        top = float(mood[row].max())
        out[i] = SceneReading(
            read=True, valence_sam=round(float(va[row, 0]), 3), arousal_sam=round(float(va[row, 1]), 3),
            valence=round((float(va[row, 0]) - 5.0) / 4.0, 4), arousal=round((float(va[row, 1]) - 5.0) / 4.0, 4),
            probabilities=dict(zip(EMOTIONS, (round(float(p), 4) for p in mood[row]), strict=True))
            if top >= threshold else None,
            top_probability=round(top, 4), brightness=round(brightness, 4), saturation=round(saturation, 4))
    return out


def read_scene(image: Image.Image) -> SceneReading:
    return read_scenes([image])[0]
