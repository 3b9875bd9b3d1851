"""What the face emotion network is and how a face crop becomes its input.

Shared by training, evaluation and the runtime so the three can never drift apart. The module
itself imports only numpy; ``build_model`` imports torch and timm when it is called, which only
``inference.runtime`` and the training code do.

The network is timm's ResNet (basic blocks, one per stage, widths 32-64-128-256) adapted to
48x48 grayscale crops: the 7x7 stride-2 stem is replaced by a 3x3 stride-1 convolution, so the
first stage sees 24x24 (after the stem max-pool) instead of 12x12, and the last 3x3. About 1.2 M
parameters and 36 M multiply-adds per crop: picked by measuring training and inference speed of
several widths/depths on the 2-core CPU this model had to be trained on (see the model card).
"""

from __future__ import annotations

import numpy as np

INPUT_SIZE = 48
# Plain pixel scaling: (x / 255 - MEAN) / STD; the FER+ training images average 0.51 / 0.25.
MEAN = 0.5
STD = 0.25

ARCH = {
    "family": "timm.models.resnet.ResNet",
    "block": "BasicBlock",
    "layers": [1, 1, 1, 1],
    "channels": [32, 64, 128, 256],
    "stem": "conv3x3-s1 + maxpool",
    "in_chans": 1,
    "num_classes": 7,
    "input_size": INPUT_SIZE,
}


def build_model(arch: dict | None = None):
    """A fresh (untrained) network for ``arch`` (default: ARCH). Imports torch and timm."""
    arch = dict(ARCH if arch is None else arch)
    from inference.torchvision_compat import ensure_torchvision

    ensure_torchvision()  # timm imports torchvision; make that work next to the CPU torch
    import torch.nn as nn
    from timm.models.resnet import BasicBlock, ResNet

    channels = tuple(arch["channels"])
    model = ResNet(
        BasicBlock,
        tuple(arch["layers"]),
        num_classes=arch["num_classes"],
        in_chans=arch["in_chans"],
        # The "deep" stem makes timm size the first stage from stem_width (2 x stem_width);
        # its three convolutions are then replaced by one 3x3 stride-1 convolution below.
        stem_type="deep",
        stem_width=channels[0] // 2,
        channels=channels,
    )
    model.conv1 = nn.Conv2d(arch["in_chans"], channels[0], kernel_size=3, stride=1, padding=1, bias=False)
    return model


def arch_of_state(state: dict) -> dict:
    """The ARCH a state dict was saved from: blocks per stage from its keys, widths from its
    first convolution of each stage (so a deepened or widened network loads without flags)."""
    layers = [len({key.split(".")[1] for key in state if key.startswith(f"layer{stage}.")}) for stage in range(1, 5)]
    channels = [int(state[f"layer{stage}.0.conv1.weight"].shape[0]) for stage in range(1, 5)]
    return dict(ARCH, layers=layers, channels=channels)


def load_grown(model, state: dict) -> list[str]:
    """Load ``state`` into ``model``, which may have more blocks per stage than the network the
    state came from (same widths). The added blocks are left as timm initialises them, with
    their last batch-norm scale at zero (``zero_init_last``): each passes its input through
    unchanged, so the deeper network reads exactly as the one it grew from until training
    uses the new capacity (function-preserving growth, Chen et al. 2016, "Net2Net").
    Returns the added blocks' names ("layer2.1", ...)."""
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        raise ValueError(f"the weights have layers this network lacks: {result.unexpected_keys[:3]}")
    added = sorted({".".join(key.split(".")[:2]) for key in result.missing_keys})
    for name in added:
        stage, index = name.split(".")
        block = getattr(model, stage)[int(index)]
        if index == "0" or float(block.bn2.weight.detach().abs().sum()) != 0.0:
            raise ValueError(f"{name} is missing from the weights and would not pass its input through")
    return added


def normalise(crops: np.ndarray) -> np.ndarray:
    """N x 48 x 48 uint8 -> N x 1 x 48 x 48 float32, scaled as the network was trained."""
    crops = np.asarray(crops)
    if crops.ndim == 2:
        crops = crops[None]
    if crops.ndim != 3 or crops.shape[1:] != (INPUT_SIZE, INPUT_SIZE):
        raise ValueError(f"expected N x {INPUT_SIZE} x {INPUT_SIZE} crops, got shape {crops.shape}")
    x = crops.astype(np.float32) / 255.0
    return ((x - MEAN) / STD)[:, None]
