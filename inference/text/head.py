"""The classifier on top of the sentence embeddings: numpy (and scipy.sparse) at run time.

logits = MLP(standardised embedding) + ngrams(text) @ N, divided by a temperature: Korean windows'
own (``korean_temperature``) when one was fitted, else the one temperature. The MLP
has no hidden layer (multinomial logistic regression) or one ReLU layer; the n-gram block
(``inference.text.ngrams``: hashed character/word n-grams with idf) is optional. Training is in
``inference.text.fit``. Stored as one compressed ``.npz`` (the n-gram table in float16): the weights of
buckets never seen in training are exactly zero, so they cost almost nothing on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from inference.text import ngrams, segment
from inference.training.metrics import softmax


@dataclass
class Head:
    mean: np.ndarray  # (D,)
    scale: np.ndarray  # (D,)
    layers: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # [(W, b)], ReLU between
    temperature: float = 1.0
    idf: np.ndarray | None = None  # (BUCKETS,) when the n-gram block is used
    ngram_weights: np.ndarray | None = None  # (BUCKETS, C)
    # Korean windows' temperature; None: ``temperature`` for every window. One pooled temperature
    # left English over-confident and Korean under-confident (calibrate.py says how it is fitted).
    korean_temperature: float | None = None

    def temperatures(self, texts: list[str] | None) -> float | np.ndarray:
        """The temperature for each text (N x 1, by ``segment.language_of``), or the one temperature."""
        if self.korean_temperature is None or texts is None:
            return self.temperature
        korean = np.array([segment.language_of(text) == "ko" for text in texts], dtype=bool)
        return np.where(korean, self.korean_temperature, self.temperature)[:, None]

    def logits(self, embeddings: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        h = (np.asarray(embeddings, dtype=np.float32) - self.mean) / self.scale
        for i, (weights, bias) in enumerate(self.layers):
            h = h @ weights + bias
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        if self.ngram_weights is not None:
            if texts is None:
                raise ValueError("this head reads n-grams: pass the texts with their embeddings")
            h = h + np.asarray(ngrams.features(texts, self.idf) @ self.ngram_weights)
        return h

    def probabilities(self, embeddings: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        return softmax(self.logits(embeddings, texts) / self.temperatures(texts))

    @property
    def kind(self) -> str:
        base = "logistic" if len(self.layers) == 1 else f"mlp{self.layers[0][0].shape[1]}"
        return base + ("+ngrams" if self.ngram_weights is not None else "")

    def save(self, path: Path) -> None:
        arrays = {"mean": self.mean, "scale": self.scale, "temperature": np.array([self.temperature])}
        if self.korean_temperature is not None:
            arrays["korean_temperature"] = np.array([self.korean_temperature])
        for i, (weights, bias) in enumerate(self.layers):
            arrays[f"w{i}"], arrays[f"b{i}"] = weights, bias
        arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
        if self.ngram_weights is not None:
            # float16 halves the file; the rounding (~1e-3 relative) moves probabilities by < 1e-3.
            arrays["idf"] = np.asarray(self.idf, dtype=np.float32)
            arrays["ngram_weights"] = np.asarray(self.ngram_weights, dtype=np.float16)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> Head:
        with np.load(path, allow_pickle=False) as data:
            layers, i = [], 0
            while f"w{i}" in data:
                layers.append((data[f"w{i}"], data[f"b{i}"]))
                i += 1
            if not layers:
                raise ValueError("no layers")
            has_ngrams = "ngram_weights" in data
            if has_ngrams and data["ngram_weights"].shape[0] != ngrams.BUCKETS:
                raise ValueError("n-gram weights do not match this code's bucket count")
            return cls(
                data["mean"],
                data["scale"],
                layers,
                float(data["temperature"][0]),
                data["idf"] if has_ngrams else None,
                data["ngram_weights"].astype(np.float32) if has_ngrams else None,
                float(data["korean_temperature"][0]) if "korean_temperature" in data else None,
            )
