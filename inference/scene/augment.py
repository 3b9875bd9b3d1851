"""Batch augmentation for the scene network (torch; imported by the training code only).

Geometry: a random resized crop (area 35-100 %, aspect 3/4-4/3) and a horizontal flip, done for
the whole batch with one ``affine_grid`` / ``grid_sample``.

Colour, the question of issue 21: valence in Emotion6 follows brightness and saturation (the
colour formula alone reaches r 0.38), so jittering them teaches the network to ignore the very
signal the label depends on. Three settings are offered so the choice is measured, not assumed:

- ``none``: geometry only;
- ``safe``: a small hue rotation (about the grey axis, which leaves luma and chroma magnitude,
  so brightness and saturation, unchanged) and a little Gaussian noise;
- ``strong``: the usual ImageNet-style jitter: brightness, contrast and saturation x[0.6, 1.4]
  plus the hue rotation.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

JITTERS = ("none", "safe", "strong")
_HUE = 0.05  # of a turn, i.e. +-18 degrees
_STRONG = 0.4


def _uniform(generator: torch.Generator, n: int, lo: float, hi: float) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=generator)


def random_resized_crop(x: torch.Tensor, size: int, generator: torch.Generator) -> torch.Tensor:
    """x: N x 3 x H x W float in [0, 1] -> N x 3 x size x size."""
    n = x.shape[0]
    area = _uniform(generator, n, 0.35, 1.0)
    log_ratio = _uniform(generator, n, math.log(3 / 4), math.log(4 / 3))
    ratio = torch.exp(log_ratio)
    sx = torch.sqrt(area * ratio).clamp(max=1.0)  # half-width of the crop in [-1, 1] coordinates
    sy = torch.sqrt(area / ratio).clamp(max=1.0)
    tx = (1 - sx) * _uniform(generator, n, -1.0, 1.0)
    ty = (1 - sy) * _uniform(generator, n, -1.0, 1.0)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = sx * flip, tx
    theta[:, 1, 1], theta[:, 1, 2] = sy, ty
    grid = F.affine_grid(theta, (n, 3, size, size), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def _rotate_hue(x: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
    """Rotate each image's colours about the grey axis (Rodrigues' formula) by ``turns`` of a turn."""
    angle = (2 * math.pi * turns).view(-1, 1, 1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    k = 1 / math.sqrt(3)
    # R = cos I + sin [k]x + (1 - cos) k k^T for the unit axis k = (1, 1, 1)/sqrt(3)
    cross = torch.tensor([[0.0, -k, k], [k, 0.0, -k], [-k, k, 0.0]])
    eye, outer = torch.eye(3), torch.full((3, 3), 1 / 3)
    rotation = cos * eye + sin * cross + (1 - cos) * outer  # N x 3 x 3
    return torch.einsum("nij,njhw->nihw", rotation, x)


def colour_jitter(x: torch.Tensor, jitter: str, generator: torch.Generator) -> torch.Tensor:
    if jitter not in JITTERS:
        raise ValueError(f"unknown colour jitter {jitter!r}; choose one of {', '.join(JITTERS)}")
    if jitter == "none":
        return x
    n = x.shape[0]
    if jitter == "strong":
        def factor():
            return _uniform(generator, n, 1 - _STRONG, 1 + _STRONG).view(-1, 1, 1, 1)
        x = x * factor()
        grey = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        x = grey.mean(dim=(2, 3), keepdim=True) + (x - grey.mean(dim=(2, 3), keepdim=True)) * factor()
        grey = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        x = grey + (x - grey) * factor()
    x = _rotate_hue(x, _uniform(generator, n, -_HUE, _HUE))
    if jitter == "safe":
        x = x + 0.02 * torch.randn(x.shape, generator=generator)
    return x.clamp(0.0, 1.0)


def augment(x: torch.Tensor, size: int, jitter: str, generator: torch.Generator) -> torch.Tensor:
    return colour_jitter(random_resized_crop(x, size, generator), jitter, generator)
