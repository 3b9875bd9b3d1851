"""Is this photo a scene at all? A document, a screenshot or a nearly uniform image is not read.

Three signs, each measured on the small prepared image (features.prepare):
- nearly uniform: almost no brightness variation and almost no colour variation;
- few distinct colours: in a screenshot or a chart a handful of exact flat colours cover most of
  the image; in a photo (black-and-white ones too) even the commonest values cover little;
- a page: most of the image is grey-free near-white paper with many separate dark strokes (text) on it.
"""

from __future__ import annotations

import cv2
import numpy as np

UNIFORM = "uniform"
FEW_COLOURS = "few_colours"
DOCUMENT = "document"

_MIN_GREY_STD = 0.03  # std of brightness in [0, 1]
_MIN_COLOUR_STD = 4.0  # std of Lab a/b
_TOP_COLOURS, _MAX_TOP_SHARE = 8, 0.7  # the 8 commonest exact colours cover at most 70% of a photo
_PAGE_WHITE_SHARE = 0.55
_PAGE_INK_SHARE = 0.01
_PAGE_MIN_STROKES = 8


def not_a_scene(rgb: np.ndarray) -> str:
    """'' for a scene, else the reason it is not read (UNIFORM, FEW_COLOURS or DOCUMENT)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    colour_std = float(max(lab[..., 1].std(), lab[..., 2].std()))
    if gray.std() < _MIN_GREY_STD and colour_std < _MIN_COLOUR_STD:
        return UNIFORM
    codes = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    lit = codes[rgb.max(axis=2) >= 24]  # a night photo's black is not a flat colour of a screen
    counts = np.sort(np.unique(lit, return_counts=True)[1])[::-1]
    if lit.size and lit.size >= codes.size * 0.2 and counts[:_TOP_COLOURS].sum() / lit.size > _MAX_TOP_SHARE:
        return FEW_COLOURS
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    white = (hsv[..., 2] > 215) & (hsv[..., 1] < 40)
    ink = gray < 0.35
    if (white.mean() >= _PAGE_WHITE_SHARE and _PAGE_INK_SHARE <= ink.mean() <= 1 - _PAGE_WHITE_SHARE
            and colour_std < _MIN_COLOUR_STD * 2):
        # Text is many separate strokes (words, lines); a branch against a white sky is one shape.
        pieces = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)[0] - 1
        if pieces >= _PAGE_MIN_STROKES:
            return DOCUMENT
    return ""
