"""A shifted copy of a face test set: what selfies do to faces that FER's crops rarely show.

``shifted(images, seed=0)`` gives, for each 48x48 grayscale crop, one deterministic distortion
drawn from its own random stream (``numpy.random.default_rng([seed, index])``), so the same image
always gets the same distortion whatever else is in the batch:

* rotation by 10-25 degrees either way (a tilted head or phone), edges replicated, and a scale
  of 0.9-1.1;
* blur: Gaussian, sigma 0.6-1.4 (a soft or small face);
* occlusion, one of: nothing (40%), a surgical mask over nose and mouth (20%), dark glasses
  (15%), a random 10-18 px rectangle (a hand, a phone; 25%);
* lighting: a linear ramp of +-25-45 grey levels across the face in a random direction (side
  light) and a gamma of 0.6-1.6 (under- or over-exposure).

Pure numpy + OpenCV (``shift_one`` is what the evaluate command's ``--shift SEED`` applies, seeded by [SEED, position]).
"""

from __future__ import annotations

import numpy as np

SIZE = 48


def shift_one(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    x = image.astype(np.float32)
    angle = float(rng.uniform(10, 25)) * (1 if rng.random() < 0.5 else -1)
    matrix = cv2.getRotationMatrix2D(((SIZE - 1) / 2, (SIZE - 1) / 2), angle, float(rng.uniform(0.9, 1.1)))
    x = cv2.warpAffine(x, matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    sigma = float(rng.uniform(0.6, 1.4))
    x = cv2.GaussianBlur(x, (0, 0), sigma)
    kind = rng.choice(["none", "mask", "glasses", "box"], p=[0.4, 0.2, 0.15, 0.25])
    if kind == "mask":
        top = int(rng.integers(26, 31))
        x[top:, int(rng.integers(4, 9)) : int(rng.integers(40, 45))] = float(rng.uniform(150, 230))
    elif kind == "glasses":
        y0 = int(rng.integers(13, 17))
        shade = float(rng.uniform(10, 60))
        x[y0 : y0 + 8, 8:22] = shade
        x[y0 : y0 + 8, 26:40] = shade
        x[y0 + 2 : y0 + 4, 22:26] = shade
    elif kind == "box":
        h, w = int(rng.integers(10, 19)), int(rng.integers(10, 19))
        y, left = int(rng.integers(0, SIZE - h)), int(rng.integers(0, SIZE - w))
        x[y : y + h, left : left + w] = float(rng.uniform(0, 255))
    direction = float(rng.uniform(0, 2 * np.pi))
    strength = float(rng.uniform(25, 45)) * (1 if rng.random() < 0.5 else -1)
    coords = np.linspace(-0.5, 0.5, SIZE, dtype=np.float32)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    x = x + strength * (np.cos(direction) * xx + np.sin(direction) * yy)
    gamma = float(np.exp(rng.uniform(np.log(0.6), np.log(1.6))))
    x = 255.0 * (np.clip(x, 0, 255) / 255.0) ** gamma
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def shifted(images: np.ndarray, seed: int = 0) -> np.ndarray:
    images = np.asarray(images, dtype=np.uint8)
    return np.stack([shift_one(image, np.random.default_rng([seed, i])) for i, image in enumerate(images)])
