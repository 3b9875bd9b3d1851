"""Finding faces in a photo and cutting out an aligned 48x48 crop (no torch here).

Two detectors:

* **MTCNN with five landmarks** (``inference.mtcnn``; the runtime passes it in as ``detector``):
  what the site and the worker use. Each face is warped by a similarity transform (rotation,
  scale, shift) that puts its eyes, nose tip and mouth corners where FER+'s own training faces
  have them on average (``TEMPLATE``), so a tilted or loosely framed selfie reaches the network
  framed like its training data (``align_face``). The training images are aligned the same way.
* **OpenCV's Haar cascade** (no ``detector``): the torch-free fallback, boxes only, used by test
  fixtures that need a photo with a findable face without loading torch.

About the Haar path:

* The photo is turned upright first (EXIF Orientation, ``PIL.ImageOps.exif_transpose``), so
  boxes are in the coordinates of the image as people see it.
* Detection runs on a grayscale copy scaled so its shorter side is small: first ``DETECT_SIDES[0]``
  (96) pixels, where the cascade's smallest window (24 px) matches faces from a quarter of the
  photo's shorter side up (a selfie's face); only when that finds nothing, again at 160 pixels, for
  faces from about 15% up. Measured on 600 FER2013 faces upscaled to 256 px: one pass at 360 px
  found 79.8% in 19 ms, one at 160 px 79.3% in 12-15 ms, the two passes 81.0% in 8 ms.
* Every face found is reported, largest first; the largest one is cropped with a margin and
  resized to the network's 48x48 input. No face means ``None``: never a guess on the background.

The cascade ships with ``opencv-python-headless`` 4.x (``cv2.data.haarcascades``); OpenCV 5 no
longer bundles it, which is why requirements pin 4.13.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_SIDES = (96, 160)
# The longer side of the detection copy at most: a strip-shaped photo (2 x 4000 px) scaled to a
# 96-px shorter side would otherwise become hundreds of megapixels.
DETECT_MAX_LONG_SIDE = 640
# Fraction of the face box added on each side before cropping. FER2013/FER+ crops show the whole
# face with a little forehead and chin around the cascade's (eyebrows-to-mouth) box.
MARGIN = 0.12
# Border added around the (scaled) image before detection, as a fraction of its shorter side.
PAD = 0.25
CROP_SIZE = 48

# Where the five landmarks sit in a 48x48 crop (x, y in pixel centres): left eye, right eye (as
# seen in the image), nose tip, mouth left, mouth right. The median of MTCNN's O-Net landmarks
# over the FER+ training faces it scores >= 0.9 (25,766 of 28,558;
# ``inference.training.alignment.template_from``), made left-right symmetric about the crop's
# centre (median: eyes (14.56, 18.01) and (32.65, 17.68), nose (23.58, 28.28), mouth (16.13, 37.19)
# and (31.38, 36.92)), so aligned crops are framed like FER's and a mirrored crop is aligned too.
TEMPLATE = np.array([[14.46, 17.85], [32.54, 17.85], [23.5, 28.28], [15.88, 37.06], [31.12, 37.06]], dtype=np.float64)
# A detected face's landmarks are trusted for alignment only when O-Net's face score is at least
# this; below it (and for Haar boxes) the box is cropped as before.
ALIGN_MIN_SCORE = 0.5

_cascade = None
_lock = threading.Lock()  # cv2.CascadeClassifier is not safe to share between threads


class FaceDetectorUnavailable(RuntimeError):
    pass


def _get_cascade():
    global _cascade
    if _cascade is None:
        import cv2

        path = cv2.data.haarcascades + CASCADE_FILE
        cascade = cv2.CascadeClassifier(path)
        if cascade.empty():
            raise FaceDetectorUnavailable(
                f"OpenCV could not load its face cascade {path}. Install opencv-python-headless 4.x "
                "(pinned in requirements.txt); OpenCV 5 no longer ships the cascade files."
            )
        _cascade = cascade
    return _cascade


@dataclass
class DetectedFaces:
    """The upright grayscale image, every face box (x, y, w, h; largest first) and the main crop."""

    gray: np.ndarray
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    crop: np.ndarray | None = None  # 48x48 uint8 of the largest face (aligned when landmarks are known)
    landmarks: np.ndarray | None = None  # 5 x 2 landmarks of the largest face (MTCNN only)
    aligned: bool = False

    @property
    def found(self) -> bool:
        return bool(self.boxes)

    @property
    def box(self) -> tuple[int, int, int, int] | None:
        return self.boxes[0] if self.boxes else None

    @property
    def hints(self) -> dict | None:
        """What the detector knows about the main face, for ``inference.face_quality.assess_face``:
        its five landmarks (x, y on the upright photo), or None for the Haar cascade's boxes."""
        if self.landmarks is None:
            return None
        return {"landmarks": [(float(x), float(y)) for x, y in self.landmarks]}


def upright(image: Image.Image) -> Image.Image:
    """The image rotated/flipped as its EXIF Orientation tag says (a copy; unchanged if no tag)."""
    return ImageOps.exif_transpose(image)


def to_gray(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return np.asarray(image.convert("L"), dtype=np.uint8)


def detect_boxes(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in ``gray``'s coordinates, largest first: those of the first size in
    DETECT_SIDES that finds any (so small faces are listed only when there is no large one)."""
    for side in DETECT_SIDES:
        if boxes := _detect_at(gray, side):
            return boxes
    return []


def _detect_at(gray: np.ndarray, side: int) -> list[tuple[int, int, int, int]]:
    import cv2

    height, width = gray.shape[:2]
    scale = min(side / min(height, width), DETECT_MAX_LONG_SIDE / max(height, width))
    if scale != 1.0:
        small = cv2.resize(
            gray,
            (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        )
    else:
        small = gray
    small = cv2.equalizeHist(small)
    # A face that fills the frame (a close selfie, a dataset crop) gives the cascade no context at
    # its edges; a replicated border lets it match those too.
    pad = round(min(small.shape[:2]) * PAD)
    if pad:
        small = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    min_side = max(24, int(min(small.shape[:2]) * 0.1))
    cascade = _get_cascade()
    with _lock:
        found = cascade.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side))
    boxes = []
    for x, y, w, h in found if len(found) else []:
        bx, by = round((x - pad) / scale), round((y - pad) / scale)
        bw, bh = round(w / scale), round(h / scale)
        bx, by = max(0, bx), max(0, by)
        bw, bh = min(bw, width - bx), min(bh, height - by)
        boxes.append((int(bx), int(by), int(bw), int(bh)))
    boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
    return boxes


def crop_face(
    gray: np.ndarray, box: tuple[int, int, int, int], margin: float = MARGIN, size: int = CROP_SIZE
) -> np.ndarray:
    """A size x size crop of ``box`` grown by ``margin`` per side (edges replicated beyond the image)."""
    import cv2

    x, y, w, h = box
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    x1, y1 = round(cx + side / 2), round(cy + side / 2)
    height, width = gray.shape[:2]
    pad = max(0, -x0, -y0, x1 - width, y1 - height)
    if pad:
        gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, y0, x1, y1 = x0 + pad, y0 + pad, x1 + pad, y1 + pad
    region = gray[y0:y1, x0:x1]
    interpolation = cv2.INTER_AREA if region.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(region, (size, size), interpolation=interpolation)


def similarity_to_template(landmarks: np.ndarray, size: int = CROP_SIZE) -> np.ndarray:
    """The 2 x 3 similarity (rotation + uniform scale + shift, no shear or mirror) that maps the five
    ``landmarks`` onto ``TEMPLATE`` (scaled to ``size``) in the least-squares sense (Umeyama 1991)."""
    src = np.asarray(landmarks, dtype=np.float64).reshape(5, 2)
    dst = TEMPLATE * (size / CROP_SIZE)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - src_mean, dst - dst_mean
    # Closed form for a 2-D similarity: [a -b; b a] minimising sum |A s_i - d_i|^2.
    norm = (s**2).sum()
    if norm < 1e-9:
        raise ValueError("landmarks collapse to one point")
    a = (s * d).sum() / norm
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / norm
    rotation = np.array([[a, -b], [b, a]])
    shift = dst_mean - rotation @ src_mean
    return np.hstack([rotation, shift[:, None]])


def align_face(gray: np.ndarray, landmarks: np.ndarray, size: int = CROP_SIZE) -> np.ndarray:
    """A size x size crop of ``gray`` warped so ``landmarks`` land on ``TEMPLATE`` (edges replicated).

    A face much larger than the crop is first shrunk with area averaging to about twice the crop's
    size, so the bilinear warp does not alias (a 420-px selfie face into 48 px).
    """
    import cv2

    matrix = similarity_to_template(landmarks, size)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    source, points = gray, np.asarray(landmarks, dtype=np.float64)
    if scale < 0.5:
        shrink = min(1.0, 2 * scale)
        height, width = gray.shape[:2]
        source = cv2.resize(
            gray, (max(1, round(width * shrink)), max(1, round(height * shrink))), interpolation=cv2.INTER_AREA
        )
        points = points * np.array([source.shape[1] / width, source.shape[0] / height])
        matrix = similarity_to_template(points, size)
    return cv2.warpAffine(source, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def eye_line_angle(landmarks: np.ndarray) -> float:
    """Degrees the line from the left to the right eye is turned from horizontal (clockwise positive
    in image coordinates, where y grows downwards)."""
    (lx, ly), (rx, ry) = np.asarray(landmarks, dtype=np.float64)[:2]
    return float(np.degrees(np.arctan2(ry - ly, rx - lx)))


# A detector takes an upright H x W x 3 uint8 RGB image and returns faces (inference.mtcnn.Face:
# box x0, y0, x1, y1, score, 5 x 2 landmarks), best first.
Detector = Callable[[np.ndarray], list]


def find_faces(image: Image.Image, detector: Detector | None = None) -> DetectedFaces:
    """Upright the photo, detect every face, crop the largest (aligned when the detector gives landmarks)."""
    upright_image = upright(image)
    gray = to_gray(upright_image)
    if detector is None:
        boxes = detect_boxes(gray)
        crop = crop_face(gray, boxes[0]) if boxes else None
        return DetectedFaces(gray=gray, boxes=boxes, crop=crop)
    rgb = (
        np.repeat(gray[..., None], 3, axis=2)
        if upright_image.mode in ("L", "LA", "I", "F", "1")
        else to_rgb(upright_image)
    )
    found = detector(rgb)
    height, width = gray.shape[:2]
    boxes, faces = [], []
    for face in found:
        x0, y0, x1, y1 = face.box
        x0, y0 = max(0, round(x0)), max(0, round(y0))
        x1, y1 = min(width, round(x1)), min(height, round(y1))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            boxes.append((int(x0), int(y0), int(x1 - x0), int(y1 - y0)))
            faces.append(face)
    if not boxes:
        return DetectedFaces(gray=gray)
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][2] * boxes[i][3], reverse=True)
    boxes, faces = [boxes[i] for i in order], [faces[i] for i in order]
    main = faces[0]
    if main.score >= ALIGN_MIN_SCORE:
        return DetectedFaces(
            gray=gray, boxes=boxes, crop=align_face(gray, main.landmarks), landmarks=main.landmarks, aligned=True
        )
    return DetectedFaces(gray=gray, boxes=boxes, crop=crop_face(gray, boxes[0]), landmarks=main.landmarks)


def to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def whole_image_crop(image: Image.Image) -> np.ndarray:
    """The whole (upright) image as the 48x48 input: for dataset images that are already face crops."""
    import cv2

    gray = to_gray(upright(image))
    if gray.shape != (CROP_SIZE, CROP_SIZE):
        interpolation = cv2.INTER_AREA if min(gray.shape) > CROP_SIZE else cv2.INTER_LINEAR
        gray = cv2.resize(gray, (CROP_SIZE, CROP_SIZE), interpolation=interpolation)
    return gray
