"""Well-understood image features of a photo: colour statistics, brightness, contrast, colourfulness,
edges and a coarse colour histogram. One vector per photo, the same for training and reading.

The photo is first shrunk so its longer side is ``SIDE`` pixels (the mood of a scene is in its
colours and layout, not in fine detail, and it keeps a photo under a few milliseconds).
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

SIDE = 128
FEATURE_VERSION = 1
_HUE_BINS = 12


def prepare(image: Image.Image) -> np.ndarray:
    """RGB uint8 array whose longer side is SIDE pixels."""
    if image.format == "JPEG":
        image.draft("RGB", (SIDE * 2, SIDE * 2))  # decode at 1/2, 1/4 or 1/8 size directly (before loading)
    image = image.convert("RGB")
    width, height = image.size
    scale = SIDE / max(width, height)
    if scale < 1:
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


def _stats(values: np.ndarray) -> list[float]:
    return [float(values.mean()), float(values.std())]


def brightness_saturation(rgb: np.ndarray) -> tuple[float, float]:
    """Mean HSV value and saturation in [0, 1] (the inputs of the colour formula)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    return float(hsv[..., 2].mean() / 255.0), float(hsv[..., 1].mean() / 255.0)


def feature_names() -> list[str]:
    names = ["s_mean", "s_std", "v_mean", "v_std", "v_p10", "v_p50", "v_p90",
             "hue_cos", "hue_sin", "hue_concentration",
             "L_mean", "L_std", "a_mean", "a_std", "b_mean", "b_std",
             "contrast_rms", "dark_share", "bright_share", "colourfulness", "warm_share", "cool_share",
             "edge_density", "gradient_mean", "gradient_std", "laplacian_logvar",
             *[f"orientation_{i}" for i in range(4)]]
    names += [f"grid_{r}{c}_{ch}" for r in range(3) for c in range(3) for ch in ("L", "a", "b")]
    names += [f"hue_bin_{i}" for i in range(_HUE_BINS)] + ["grey_dark", "grey_mid", "grey_light"]
    return names


def extract(image: Image.Image | np.ndarray) -> np.ndarray:
    """The feature vector of one photo (float32, len(feature_names()))."""
    rgb = image if isinstance(image, np.ndarray) else prepare(image)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hue = hsv[..., 0] * (2 * np.pi / 180.0)
    sat, val = hsv[..., 1] / 255.0, hsv[..., 2] / 255.0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    L, a, b = lab[..., 0] * (100 / 255.0), lab[..., 1] - 128.0, lab[..., 2] - 128.0
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grayf = gray.astype(np.float32) / 255.0

    out: list[float] = []
    out += _stats(sat)
    out += _stats(val)
    out += [float(v) for v in np.percentile(val, (10, 50, 90))]
    weight = sat * val  # hue means little on grey or dark pixels
    total = float(weight.sum()) + 1e-6
    hc, hs = float((weight * np.cos(hue)).sum() / total), float((weight * np.sin(hue)).sum() / total)
    out += [hc, hs, float(np.hypot(hc, hs))]
    for channel, scale in ((L, 100.0), (a, 128.0), (b, 128.0)):
        out += [v / scale for v in _stats(channel)]
    out += [float(grayf.std()), float((val < 0.2).mean()), float((val > 0.8).mean())]
    rg = rgb[..., 0].astype(np.float32) - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0].astype(np.float32) + rgb[..., 1]) - rgb[..., 2]
    colourfulness = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())  # Hasler & Süsstrunk 2003
    degrees = hsv[..., 0] * 2
    coloured = (sat > 0.2) & (val > 0.2)
    warm = coloured & ((degrees < 70) | (degrees >= 330))
    cool = coloured & (degrees >= 150) & (degrees < 270)
    out += [float(colourfulness / 100.0), float(warm.mean()), float(cool.mean())]

    edges = cv2.Canny(gray, 80, 160)
    gx = cv2.Sobel(grayf, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grayf, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    laplacian = cv2.Laplacian(grayf, cv2.CV_32F)
    out += [float((edges > 0).mean()), float(magnitude.mean()), float(magnitude.std()),
            float(np.log(laplacian.var() + 1e-6))]
    angle = (np.arctan2(gy, gx) % np.pi) / np.pi * 4  # 4 orientation bins, weighted by magnitude
    orientation = np.bincount(np.minimum(angle.astype(np.int64), 3).ravel(), weights=magnitude.ravel(),
                              minlength=4)
    out += list(orientation / (orientation.sum() + 1e-6))

    height, width = L.shape
    rows, cols = np.array_split(np.arange(height), 3), np.array_split(np.arange(width), 3)
    for r in rows:
        for c in cols:
            cell = (slice(r[0], r[-1] + 1), slice(c[0], c[-1] + 1))
            out += [float(L[cell].mean() / 100.0), float(a[cell].mean() / 128.0), float(b[cell].mean() / 128.0)]

    bins = np.minimum((degrees[coloured] / (360.0 / _HUE_BINS)).astype(np.int64), _HUE_BINS - 1)
    pixels = float(val.size)
    out += list(np.bincount(bins, minlength=_HUE_BINS) / pixels)
    grey = ~coloured
    out += [float((grey & (val < 0.33)).sum() / pixels), float((grey & (val >= 0.33) & (val < 0.66)).sum() / pixels),
            float((grey & (val >= 0.66)).sum() / pixels)]
    return np.asarray(out, dtype=np.float32)
