"""Make ``import torchvision`` (and so ``import timm``) work next to the CPU build of torch.

Why this exists
---------------
timm imports torchvision. The only torchvision release that matches torch 2.13.0 is
``torchvision==0.28.0``, and on PyPI that is a CUDA build: its compiled extension (``_C.so``)
does not load next to the ``+cpu`` torch wheel we install. torchvision then carries on without
its C++ ops, but at import time ``torchvision/_meta_registrations.py`` registers fake/meta
kernels for those ops, which fails with::

    RuntimeError: operator torchvision::nms does not exist

What it does
------------
If (and only if) the ops are missing, it declares their *schemas* under the ``torchvision``
namespace with ``torch.library.Library("torchvision", "DEF")`` before torchvision is imported.
The meta registrations then succeed and torchvision imports. No kernels are provided: calling
e.g. ``torchvision.ops.nms`` would still fail, but moodsite never does (timm only needs the
import to work; face detection uses OpenCV). When a matching torchvision is installed (a GPU
machine with the CUDA torch), its own ops are present and this module does nothing.

The schemas are copied from torchvision's C++ sources (``torchvision/csrc/ops/*.cpp``).

Use: ``from inference.torchvision_compat import ensure_torchvision; ensure_torchvision()`` before
``import timm``. Only ``inference.runtime`` and the training code call it.
"""

from __future__ import annotations

import importlib

_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor",
    "_roi_align_backward(Tensor grad, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, SymInt batch_size, SymInt channels, SymInt height, SymInt width, "
    "int sampling_ratio, bool aligned) -> Tensor",
    "qroi_align(Tensor input, Tensor rois, float input_scale, int input_zero_point, float rois_scale, "
    "int rois_zero_point, float spatial_scale, SymInt pooled_height, SymInt pooled_width, "
    "int sampling_ratio, bool aligned) -> Tensor",
    "ps_roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, int sampling_ratio) -> (Tensor, Tensor)",
    "_ps_roi_align_backward(Tensor grad, Tensor rois, Tensor channel_mapping, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, int sampling_ratio, SymInt batch_size, "
    "SymInt channels, SymInt height, SymInt width) -> Tensor",
    "roi_pool(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width) -> (Tensor, Tensor)",
    "_roi_pool_backward(Tensor grad, Tensor rois, Tensor argmax, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, SymInt batch_size, SymInt channels, "
    "SymInt height, SymInt width) -> Tensor",
    "ps_roi_pool(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width) -> (Tensor, Tensor)",
    "_ps_roi_pool_backward(Tensor grad, Tensor rois, Tensor channel_mapping, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, SymInt batch_size, SymInt channels, "
    "SymInt height, SymInt width) -> Tensor",
    "deform_conv2d(Tensor input, Tensor weight, Tensor offset, Tensor mask, Tensor bias, "
    "SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w, SymInt dilation_h, "
    "SymInt dilation_w, SymInt groups, SymInt offset_groups, bool use_mask) -> Tensor",
    "_deform_conv2d_backward(Tensor grad, Tensor input, Tensor weight, Tensor offset, Tensor mask, "
    "Tensor bias, SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w, SymInt dilation_h, "
    "SymInt dilation_w, SymInt groups, SymInt offset_groups, bool use_mask) "
    "-> (Tensor, Tensor, Tensor, Tensor, Tensor)",
)

# Kept alive for the life of the process: dropping a Library object deregisters its schemas.
_library = None


def _extension_loads() -> bool:
    """Try to load torchvision's compiled ops the way torchvision itself would, without importing it."""
    import glob
    import importlib.util
    import os

    import torch

    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    package_dir = list(spec.submodule_search_locations)[0]
    for path in sorted(glob.glob(os.path.join(package_dir, "_C.*"))):
        try:
            torch.ops.load_library(path)
            return True
        except (OSError, RuntimeError):
            # Typically "undefined symbol ..." from a CUDA build next to the CPU torch.
            continue
    return False


def _ops_registered() -> bool:
    import torch

    try:
        torch._C._dispatch_has_kernel_for_dispatch_key("torchvision::nms", "CPU")
    except RuntimeError:  # "operator torchvision::nms does not exist"
        return False
    return True


def ensure_torchvision() -> bool:
    """Import torchvision, declaring its op schemas first when its compiled ops cannot load.

    Returns True when the workaround was applied. Safe to call more than once.
    """
    global _library
    if _library is None and not _ops_registered() and not _extension_loads():
        import torch

        _library = torch.library.Library("torchvision", "DEF")
        for schema in _SCHEMAS:
            _library.define(schema)
    importlib.import_module("torchvision")
    return _library is not None
