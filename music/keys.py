"""Key finding with the Krumhansl–Kessler probe-tone profiles (Krumhansl & Kessler 1982, "Tracing the
dynamic changes in perceived tonal organisation in a spatial representation of musical keys",
Psychological Review 89:334-368; the key-finding method of Krumhansl 1990, "Cognitive Foundations of
Musical Pitch"): a piece's mean chroma vector is correlated with the profiles rotated to each tonic.

One table for the audio analysis of catalogue tracks (music.audio) and the measurement of generated
pieces (music.compositions.listen). Pure numpy, no Django.
"""

from __future__ import annotations

import numpy as np

# Probe-tone ratings, tonic first.
PROFILES = {
    "major": np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
    "minor": np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
}


def correlations(chroma_mean: np.ndarray) -> dict[str, list[float]]:
    """{"major": [r for tonic C, C-sharp, … B], "minor": [...]}: Pearson correlation of a 12-bin
    mean chroma vector (C first) with each mode's profile rotated to each tonic."""
    return {mode: [float(np.corrcoef(chroma_mean, np.roll(profile, tonic))[0, 1]) for tonic in range(12)]
            for mode, profile in PROFILES.items()}
