"""The classic colour formula (Valdez & Mehrabian 1994, J. Exp. Psychology: General 123:394-409):

    pleasure = 0.69 * brightness + 0.22 * saturation
    arousal  = -0.31 * brightness + 0.60 * saturation

with brightness and saturation the photo's mean HSV value and saturation in [0, 1]. The formula's
units are not the 1-9 SAM scale, so each output is mapped to it by a straight line fitted on the
training images (a fit that cannot change its Pearson r, only its MAE).
"""

from __future__ import annotations

import numpy as np


def pleasure_arousal(brightness: np.ndarray, saturation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    brightness, saturation = np.asarray(brightness, float), np.asarray(saturation, float)
    return 0.69 * brightness + 0.22 * saturation, -0.31 * brightness + 0.60 * saturation


def line_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the least-squares line y = slope * x + intercept."""
    slope, intercept = np.polyfit(np.asarray(x, float), np.asarray(y, float), 1)
    return float(slope), float(intercept)
