"""The classifier on top of the sentence embeddings: numpy only at run time.

A standardisation layer, then either a multinomial logistic regression or a one-hidden-layer
MLP (ReLU), then a temperature. ``logits``/``probabilities`` are all the runtime needs; the
training code lives in ``inference.text.fit``. Stored as one ``.npz`` of float32 arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from inference.training.metrics import softmax


@dataclass
class Head:
    mean: np.ndarray  # (D,)
    scale: np.ndarray  # (D,)
    layers: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # [(W, b)], ReLU between
    temperature: float = 1.0

    def logits(self, features: np.ndarray) -> np.ndarray:
        h = (np.asarray(features, dtype=np.float32) - self.mean) / self.scale
        for i, (weights, bias) in enumerate(self.layers):
            h = h @ weights + bias
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features), self.temperature)

    @property
    def kind(self) -> str:
        return "logistic" if len(self.layers) == 1 else f"mlp-{self.layers[0][0].shape[1]}"

    def save(self, path: Path) -> None:
        arrays = {"mean": self.mean, "scale": self.scale, "temperature": np.array([self.temperature])}
        for i, (weights, bias) in enumerate(self.layers):
            arrays[f"w{i}"], arrays[f"b{i}"] = weights, bias
        with open(path, "wb") as handle:
            np.savez(handle, **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})

    @classmethod
    def load(cls, path: Path) -> Head:
        with np.load(path, allow_pickle=False) as data:
            layers, i = [], 0
            while f"w{i}" in data:
                layers.append((data[f"w{i}"], data[f"b{i}"]))
                i += 1
            if not layers:
                raise ValueError("no layers")
            return cls(data["mean"], data["scale"], layers, float(data["temperature"][0]))
