"""MTCNN face detection with five landmarks (eyes, nose tip, mouth corners), in numpy + OpenCV.

MTCNN (Zhang, Zhang, Li & Qiao 2016, "Joint Face Detection and Alignment using Multi-task
Cascaded Convolutional Networks") is three small networks run one after another: P-Net proposes
boxes over an image pyramid, R-Net refines them on 24x24 crops, O-Net refines again on 48x48
crops and gives the five landmarks. The weights are the ones that ship inside the PyPI wheel
``facenet-pytorch==2.6.0`` (``facenet_pytorch/data/{pnet,rnet,onet}.pt``, MIT licence, converted
from the authors' release by David Sandberg's facenet), stored here as safetensors with their
sha256 in ``weights/mtcnn/mtcnn.json`` (``weights/mtcnn/LICENSE.md``). Nothing is downloaded.

This module imports only numpy and OpenCV at import time. ``build_nets`` defines the three
networks and imports torch when called, which only ``inference.runtime`` does; the pipeline
(``detect``) takes the networks as plain callables ``float32 N x 3 x H x W -> tuple of arrays``,
so the torch calls stay in the runtime.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodsite.digests import file_sha256

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / "mtcnn"
NETS = ("pnet", "rnet", "onet")
# Score thresholds of the three stages: the reference values (P-Net, R-Net, O-Net), and the
# relaxed ones tried when those find nothing. A surgical mask hides half the face and costs
# MTCNN's first two stages confidence: on 40 masked FER+ faces in 1280x960 frames the reference
# thresholds found 30, (0.5, 0.4, 0.5) 34 and these 36, with no face found on a blank wall by any.
# O-Net's threshold stays at 0.5 or above: it is the stage that tells a face from a wall.
THRESHOLDS = (0.6, 0.6, 0.7)
RELAXED_THRESHOLDS = (0.4, 0.3, 0.5)
PYRAMID_FACTOR = 0.709
# Detection runs on a copy whose shorter side is at most this (a 1280x960 selfie -> 320x240):
# the face of a selfie is large, and the pyramid's cost grows with the pixel count.
DETECT_SHORT_SIDE = 240
# Smallest face searched for, as a fraction of the photo's shorter side (and never under 20 px
# of the detection copy): a diary selfie's face; group photos' background faces are not read.
MIN_FACE_FRACTION = 0.12

# Angles (degrees, counter-clockwise) the detection copy is turned by, in this order, when the
# upright pass finds no face.
RETRY_ANGLES = (30.0, -30.0)

Runner = Callable[[np.ndarray], tuple[np.ndarray, ...]]


class DetectorWeightsUnavailable(RuntimeError):
    pass


@dataclass
class Face:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the input image's pixels
    score: float
    landmarks: np.ndarray  # 5 x 2 (x, y): left eye, right eye (as seen in the image), nose, mouth left, mouth right


def weights_manifest() -> dict:
    return json.loads((WEIGHTS_DIR / "mtcnn.json").read_text())


def load_state_dicts() -> dict[str, dict]:
    """{net: state dict} after checking each file's sha256 against mtcnn.json (raises with what to do)."""
    from safetensors.numpy import load_file

    manifest = weights_manifest()
    states = {}
    for name in NETS:
        path = WEIGHTS_DIR / f"{name}.safetensors"
        hint = f"Restore it from the repository (git checkout -- {WEIGHTS_DIR})."
        if not path.is_file():
            raise DetectorWeightsUnavailable(f"Face detector weights {path} are missing. {hint}")
        digest = file_sha256(path)
        if digest != manifest["files"][f"{name}.safetensors"]["sha256"]:
            raise DetectorWeightsUnavailable(f"Face detector weights {path} do not match their sha256. {hint}")
        states[name] = load_file(str(path))
    return states


def build_nets():
    """(pnet, rnet, onet) torch modules in eval mode with the shipped weights. Imports torch."""
    import torch
    from torch import nn

    class PNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 10, 3), nn.PReLU(10)
            self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(10, 16, 3), nn.PReLU(16)
            self.conv3, self.prelu3 = nn.Conv2d(16, 32, 3), nn.PReLU(32)
            self.conv4_1 = nn.Conv2d(32, 2, 1)
            self.conv4_2 = nn.Conv2d(32, 4, 1)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
            return self.conv4_2(x), torch.softmax(self.conv4_1(x), dim=1)

    class RNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 28, 3), nn.PReLU(28)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(28, 48, 3), nn.PReLU(48)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(48, 64, 2), nn.PReLU(64)
            self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
            self.dense5_1 = nn.Linear(128, 2)
            self.dense5_2 = nn.Linear(128, 4)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.prelu3(self.conv3(x))
            x = self.prelu4(self.dense4(x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)))
            return self.dense5_2(x), torch.softmax(self.dense5_1(x), dim=1)

    class ONet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 32, 3), nn.PReLU(32)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(32, 64, 3), nn.PReLU(64)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(64, 64, 3), nn.PReLU(64)
            self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv4, self.prelu4 = nn.Conv2d(64, 128, 2), nn.PReLU(128)
            self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
            self.dense6_1 = nn.Linear(256, 2)
            self.dense6_2 = nn.Linear(256, 4)
            self.dense6_3 = nn.Linear(256, 10)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.pool3(self.prelu3(self.conv3(x)))
            x = self.prelu4(self.conv4(x))
            x = self.prelu5(self.dense5(x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)))
            return self.dense6_2(x), self.dense6_3(x), torch.softmax(self.dense6_1(x), dim=1)

    states = load_state_dicts()
    nets = []
    for name, cls in zip(NETS, (PNet, RNet, ONet), strict=True):
        net = cls()
        net.load_state_dict({k: torch.from_numpy(v) for k, v in states[name].items()})
        nets.append(net.eval())
    return tuple(nets)


# --- the pipeline (numpy + OpenCV) -----------------------------------------------------------------


def _normalise(patches: np.ndarray) -> np.ndarray:
    """N x H x W x 3 uint8/float -> N x 3 x H x W float32 in MTCNN's scaling."""
    return np.ascontiguousarray(((patches.astype(np.float32) - 127.5) * 0.0078125).transpose(0, 3, 1, 2))


def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, method: str = "union") -> np.ndarray:
    """Indices kept by greedy non-maximum suppression (boxes x0, y0, x1, y1), best first."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = (x1 - x0 + 1) * (y1 - y0 + 1)
    order = np.argsort(scores)[::-1]
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        w = np.maximum(0.0, np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + 1)
        inter = w * h
        overlap = inter / np.minimum(area[i], area[rest]) if method == "min" else inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.asarray(keep, dtype=np.int64)


def _square(boxes: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    boxes[:, 0] += w * 0.5 - side * 0.5
    boxes[:, 1] += h * 0.5 - side * 0.5
    boxes[:, 2] = boxes[:, 0] + side
    boxes[:, 3] = boxes[:, 1] + side
    return boxes


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    boxes = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    boxes[:, 0] += reg[:, 0] * w
    boxes[:, 1] += reg[:, 1] * h
    boxes[:, 2] += reg[:, 2] * w
    boxes[:, 3] += reg[:, 3] * h
    return boxes


def _patches(image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """size x size resized crops of integer boxes; what falls outside the image is black (as MTCNN was trained)."""
    import cv2

    height, width = image.shape[:2]
    out = np.zeros((len(boxes), size, size, 3), dtype=np.uint8)
    for k, (x0, y0, x1, y1) in enumerate(np.round(boxes[:, :4]).astype(int)):
        bw, bh = x1 - x0 + 1, y1 - y0 + 1
        if bw < 2 or bh < 2:
            continue
        patch = np.zeros((bh, bw, 3), dtype=np.uint8)
        sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(width, x1 + 1), min(height, y1 + 1)
        if sx1 <= sx0 or sy1 <= sy0:
            continue
        patch[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
        interpolation = cv2.INTER_AREA if bw > size else cv2.INTER_LINEAR
        out[k] = cv2.resize(patch, (size, size), interpolation=interpolation)
    return out


def detect(
    image: np.ndarray,
    pnet: Runner,
    rnet: Runner,
    onet: Runner,
    min_face: float = 20.0,
    thresholds: tuple[float, float, float] = THRESHOLDS,
) -> list[Face]:
    """Every face in ``image`` (H x W x 3 uint8, RGB or grey repeated), best score first."""
    import cv2

    height, width = image.shape[:2]
    min_face = max(12.0, float(min_face))
    scale = 12.0 / min_face
    scales = []
    side = min(height, width) * scale
    while side >= 12:
        scales.append(scale)
        scale *= PYRAMID_FACTOR
        side *= PYRAMID_FACTOR
    candidates = []
    for s in scales:
        h, w = int(height * s + 1), int(width * s + 1)
        resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        reg, prob = pnet(_normalise(resized[None]))
        prob = prob[0, 1]
        ys, xs = np.nonzero(prob >= thresholds[0])
        if len(ys) == 0:
            continue
        score = prob[ys, xs]
        offsets = reg[0][:, ys, xs].T
        x0 = np.floor((2 * xs + 1) / s)
        y0 = np.floor((2 * ys + 1) / s)
        x1 = np.floor((2 * xs + 12) / s)
        y1 = np.floor((2 * ys + 12) / s)
        boxes = np.stack([x0, y0, x1, y1, score], axis=1)
        keep = nms(boxes, score, 0.5)
        candidates.append(np.concatenate([boxes[keep], offsets[keep]], axis=1))
    if not candidates:
        return []
    boxes = np.concatenate(candidates)
    boxes = boxes[nms(boxes, boxes[:, 4], 0.7)]
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    boxes = np.stack(
        [
            boxes[:, 0] + boxes[:, 5] * w,
            boxes[:, 1] + boxes[:, 6] * h,
            boxes[:, 2] + boxes[:, 7] * w,
            boxes[:, 3] + boxes[:, 8] * h,
            boxes[:, 4],
        ],
        axis=1,
    )
    boxes = _square(boxes)
    # R-Net
    reg, prob = rnet(_normalise(_patches(image, boxes, 24)))
    passed = prob[:, 1] > thresholds[1]
    if not passed.any():
        return []
    boxes, reg = boxes[passed], reg[passed]
    boxes[:, 4] = prob[passed, 1]
    keep = nms(boxes, boxes[:, 4], 0.7)
    boxes = _square(_regress(boxes[keep], reg[keep]))
    return _onet_stage(image, boxes, onet, thresholds[2])


def verify(image: np.ndarray, boxes: list[tuple[int, int, int, int]], onet: Runner,
           threshold: float = RELAXED_THRESHOLDS[2]) -> list[Face]:
    """O-Net's verdict and landmarks for face boxes found another way (x, y, w, h), best first.

    Used for the Haar cascade's boxes when MTCNN found nothing: a mask over nose and mouth takes away
    much of what P-Net looks for, while the cascade leans on the eye region."""
    if not boxes:
        return []
    square = _square(np.array([[x, y, x + w, y + h, 1.0] for x, y, w, h in boxes], dtype=np.float64))
    return _onet_stage(image, square, onet, threshold)


def _onet_stage(image: np.ndarray, boxes: np.ndarray, onet: Runner, threshold: float) -> list[Face]:
    reg, points, prob = onet(_normalise(_patches(image, boxes, 48)))
    passed = prob[:, 1] > threshold
    if not passed.any():
        return []
    boxes, reg, points = boxes[passed], reg[passed], points[passed]
    boxes[:, 4] = prob[passed, 1]
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    landmarks = np.stack(
        [w[:, None] * points[:, :5] + boxes[:, 0:1] - 1, h[:, None] * points[:, 5:] + boxes[:, 1:2] - 1], axis=2
    )
    boxes = _regress(boxes, reg)
    keep = nms(boxes, boxes[:, 4], 0.7, "min")
    return [
        Face(
            box=tuple(float(v) for v in boxes[i, :4]),
            score=float(boxes[i, 4]),
            landmarks=landmarks[i].astype(np.float64),
        )
        for i in keep
    ]


def landmarks_in_crops(crops: np.ndarray, onet: Runner, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """O-Net alone on face crops that already fill the frame (FER's 48x48 images): (N x 5 x 2 landmarks
    in the crops' pixel coordinates, N face scores)."""
    crops = np.asarray(crops)
    if crops.ndim == 3:
        crops = np.repeat(crops[..., None], 3, axis=3)
    n, size = len(crops), crops.shape[1]
    points, scores = np.zeros((n, 5, 2)), np.zeros(n)
    import cv2

    for i in range(0, n, batch_size):
        batch = crops[i : i + batch_size]
        if size != 48:
            batch = np.stack([cv2.resize(c, (48, 48), interpolation=cv2.INTER_AREA) for c in batch])
        _reg, pts, prob = onet(_normalise(batch))
        points[i : i + len(batch), :, 0] = pts[:, :5] * size - 0.5
        points[i : i + len(batch), :, 1] = pts[:, 5:] * size - 0.5
        scores[i : i + len(batch)] = prob[:, 1]
    return points, scores


def rotated(image: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """``image`` turned by ``degrees`` about its centre on a canvas large enough to hold it all
    (edges replicated), and the 2 x 3 matrix that maps the turned image's points back."""
    import cv2

    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos + 1), int(height * cos + width * sin + 1)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    turned = cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return turned, cv2.invertAffineTransform(matrix)


def transformed(face: Face, matrix: np.ndarray) -> Face:
    """``face`` with its landmarks mapped by the 2 x 3 ``matrix`` and its box the axis-aligned box
    of the mapped corners."""
    x0, y0, x1, y1 = face.box
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    corners = corners @ matrix[:, :2].T + matrix[:, 2]
    landmarks = face.landmarks @ matrix[:, :2].T + matrix[:, 2]
    (bx0, by0), (bx1, by1) = corners.min(axis=0), corners.max(axis=0)
    return Face(box=(float(bx0), float(by0), float(bx1), float(by1)), score=face.score, landmarks=landmarks)
