"""The small convolutional network tried for the scene reader (issue 21), trained from scratch.

Shared by training and any later runtime so the two cannot drift apart. This module imports only
numpy and Pillow; ``build_model`` imports torch and timm when called, which only the training
code does (the shipped scene reader is the features model: see the model card).

The network is timm's ``resnet10t`` (pretrained=False: no weights are downloaded) with one linear
head of 9 outputs: valence and arousal (standardised by the train mean/std) and 7 vote-share
logits. Photos are cached as 128 x 128 centre squares; training crops them at random and resizes
to ``INPUT_SIZE``; evaluation resizes the whole square.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

CACHE_SIDE = 128
INPUT_SIZE = 96
OUTPUTS = 9  # valence, arousal, 7 vote-share logits (EMOTIONS order)
# ImageNet channel statistics are a fine per-channel scaling for Flickr photos; the mood signal
# (brightness, saturation) is kept, only shifted and scaled the same way for every photo.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
ARCHS = ("resnet10t", "mobilenetv3_small_100")


def square(image: Image.Image, side: int = CACHE_SIDE) -> np.ndarray:
    """side x side x 3 uint8: the photo's shorter side resized to ``side``, centre-cropped."""
    if image.format == "JPEG":
        image.draft("RGB", (side * 2, side * 2))
    image = image.convert("RGB")
    width, height = image.size
    if min(width, height) < 1:
        raise ValueError("the photo is empty")
    scale = side / min(width, height)
    width, height = max(side, round(width * scale)), max(side, round(height * scale))
    image = image.resize((width, height), Image.BILINEAR)
    left, top = (width - side) // 2, (height - side) // 2
    return np.asarray(image.crop((left, top, left + side, top + side)), dtype=np.uint8)


def build_model(arch: str = "resnet10t"):
    """A fresh, randomly initialised network (imports torch and timm; never downloads weights)."""
    if arch not in ARCHS:
        raise ValueError(f"unknown scene network {arch!r}; choose one of {', '.join(ARCHS)}")
    from inference.torchvision_compat import ensure_torchvision

    ensure_torchvision()  # timm imports torchvision; make that work next to the CPU torch
    import timm

    return timm.create_model(arch, pretrained=False, num_classes=OUTPUTS)
