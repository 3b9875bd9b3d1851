"""Augmentation for the face network, done on whole batches of normalised 48x48 crops (imports torch)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from inference.face_model import INPUT_SIZE, MEAN, STD


def _random_affine(
    x: torch.Tensor, generator: torch.Generator, *, degrees: float, scale: tuple[float, float], shift_px: float
) -> torch.Tensor:
    """One random warp per image: flip (half of them), rotation up to +-`degrees`, scale in `scale`,
    shift up to +-`shift_px` pixels (the random draws in this order, so a seed gives the same batch)."""
    n = x.size(0)
    dev = x.device

    def uniform(lo, hi):
        return torch.rand(n, generator=generator).to(dev) * (hi - lo) + lo

    angle = uniform(-math.radians(degrees), math.radians(degrees))
    factor = uniform(*scale)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dev)
    shift = shift_px * 2.0 / INPUT_SIZE  # pixels in normalised grid units
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, uniform(-shift, shift)], dim=1),
            torch.stack([sin * flip, cos, uniform(-shift, shift)], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random flip/rotation/scale/shift, brightness/contrast jitter and erasing, for a whole batch."""
    n = x.size(0)
    dev = x.device

    def uniform(lo, hi):
        return torch.rand(n, generator=generator).to(dev) * (hi - lo) + lo

    x = _random_affine(x, generator, degrees=10, scale=(0.9, 1.1), shift_px=2)
    # Brightness / contrast in pixel units: pixel' = (pixel - 0.5) * c + 0.5 + b, done in normalised space.
    contrast = uniform(0.75, 1.25).view(n, 1, 1, 1)
    bright = uniform(-0.12, 0.12).view(n, 1, 1, 1) / STD
    centre = (0.5 - MEAN) / STD
    x = (x - centre) * contrast + centre + bright
    # Random erasing: half the images lose one rectangle of 8-20 px per side.
    erase = torch.rand(n, generator=generator) < 0.5
    if erase.any():
        idx = erase.nonzero().flatten().tolist()
        hs = torch.randint(8, 21, (len(idx),), generator=generator).tolist()
        ws = torch.randint(8, 21, (len(idx),), generator=generator).tolist()
        ys = torch.randint(0, INPUT_SIZE, (len(idx),), generator=generator).tolist()
        xs = torch.randint(0, INPUT_SIZE, (len(idx),), generator=generator).tolist()
        fill = (torch.rand(len(idx), generator=generator) - MEAN) / STD
        for k, i in enumerate(idx):
            x[i, :, ys[k] : ys[k] + hs[k], xs[k] : xs[k] + ws[k]] = fill[k]
    return x


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(round(2.5 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-(t**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    x = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1))
    return F.conv2d(x, kernel.view(1, 1, -1, 1))


def augment_selfie(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Augmentation for real selfies, on a whole batch of normalised 48x48 crops.

    * one affine warp: flip, rotation +-20 degrees, scale 0.85-1.2, shift +-3 px (what is left of
      a tilted head or a loose crop after alignment);
    * brightness +-0.15, contrast x0.7-1.3, and for 40% uneven light: a linear ramp of up to
      +-0.3 across the face in a random direction (side light, a window);
    * occlusion: 12% a surgical mask over nose and mouth (light grey or blue-grey, random height),
      10% glasses (dark rims and a bridge at eye height, lenses lightly tinted), 35% one random
      8-20 px rectangle (a hand, hair, a phone);
    * 25% blur (Gaussian, sigma 0.6-1.6: a soft or small face), then 25% JPEG artefacts (quality
      15-60) on the 8-bit image.

    The crops are grayscale already (the runtime converts colour photos to grey with the same
    luma weights as PIL's ``convert("L")`` the training images were made with).
    """
    import cv2

    n = x.size(0)
    dev = x.device

    def uniform(lo, hi, size=n):
        return torch.rand(size, generator=generator).to(dev) * (hi - lo) + lo

    def chosen(p):
        return (torch.rand(n, generator=generator) < p).nonzero().flatten().tolist()

    x = _random_affine(x, generator, degrees=20, scale=(0.85, 1.2), shift_px=3)
    # Work in pixel units (0-1) from here on.
    x = x * STD + MEAN
    contrast = uniform(0.7, 1.3).view(n, 1, 1, 1)
    bright = uniform(-0.15, 0.15).view(n, 1, 1, 1)
    x = (x - 0.5) * contrast + 0.5 + bright
    idx = chosen(0.4)
    if idx:
        direction = uniform(0, 2 * math.pi, len(idx))
        strength = uniform(-0.3, 0.3, len(idx))
        coords = torch.linspace(-0.5, 0.5, INPUT_SIZE, device=dev)
        yy, xx = torch.meshgrid(coords, coords, indexing="ij")
        ramp = torch.cos(direction).view(-1, 1, 1) * xx + torch.sin(direction).view(-1, 1, 1) * yy
        x[idx] = x[idx] + (strength.view(-1, 1, 1) * ramp)[:, None]
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    for i in chosen(0.12):  # a mask over nose and mouth
        top = int(rng.integers(26, 32))
        shade = float(rng.uniform(0.55, 0.95))
        x[i, :, top:, int(rng.integers(3, 9)) : int(rng.integers(40, 46))] = shade
        x[i, :, top - 2 : top, 12:36] = shade  # the rounded top over the nose
    for i in chosen(0.10):  # glasses: rims, tinted lenses, bridge
        y0 = int(rng.integers(13, 17))
        rim = float(rng.uniform(0.0, 0.25))
        tint = float(rng.uniform(0.0, 0.35))
        for lx in (int(rng.integers(7, 10)), int(rng.integers(26, 29))):
            x[i, :, y0 : y0 + 9, lx : lx + 14] = x[i, :, y0 : y0 + 9, lx : lx + 14] * (1 - tint)
            x[i, :, y0, lx : lx + 14] = rim
            x[i, :, y0 + 8, lx : lx + 14] = rim
            x[i, :, y0 : y0 + 9, lx] = rim
            x[i, :, y0 : y0 + 9, lx + 13] = rim
        x[i, :, y0 + 2, 21:28] = rim
    for i in chosen(0.35):  # one random rectangle
        h, w = int(rng.integers(8, 21)), int(rng.integers(8, 21))
        y, xx0 = int(rng.integers(0, INPUT_SIZE)), int(rng.integers(0, INPUT_SIZE))
        x[i, :, y : y + h, xx0 : xx0 + w] = float(rng.uniform(0, 1))
    for i in chosen(0.25):
        x[i : i + 1] = _gaussian_blur(x[i : i + 1], float(rng.uniform(0.6, 1.6)))
    x = x.clamp(0, 1)
    for i in chosen(0.25):
        pixels = (x[i, 0] * 255).round().byte().cpu().numpy()
        ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 61))])
        if ok:
            x[i, 0] = torch.from_numpy(cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)).to(dev, x.dtype) / 255.0
    return (x - MEAN) / STD
