"""The face emotion model at run time: the ONLY module in moodsite that imports torch (and timm).

Even here torch is imported inside functions, on first use, so importing this module is cheap
and web processes that merely reference it never load torch. The model is loaded once per
process (``load_model`` or the first call), on the device chosen by ``INFERENCE_DEVICE``
(``auto`` = CUDA when available, else CPU; or ``cpu`` / ``cuda``), with bfloat16 autocast where the
hardware supports it (``INFERENCE_PRECISION=auto|fp32|bf16``), ``INFERENCE_THREADS`` CPU threads
(unset: torch's default), and always runs in
``torch.inference_mode()`` with every face of a call in one batched forward pass.

Public contract (used by inference.tasks / services):

    ModelUnavailable       missing, corrupt or checksum-mismatched weights (message says what to do)
    FaceReading            what one photo gave: probabilities over EMOTIONS, valence/arousal, boxes
    read_faces(images)     detect (MTCNN) and align in each photo, then classify every found face in one batch
    detect_faces(rgb)      MTCNN boxes, scores and five landmarks
    classify_crops(crops)  N x 48 x 48 uint8 -> N x 7 calibrated probabilities (EMOTIONS order)
    model_info()           name, version, checksum and metrics from the shipped metadata
    load_model()           eager load (workers call it at start); raises ModelUnavailable

Weights live in ``inference/weights/face/`` (``model.safetensors`` + ``model.json``); the
``FACE_MODEL_DIR`` setting (environment variable) points elsewhere (tests use it for corrupt copies).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from PIL import Image

from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS, valence_arousal

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "weights" / "face"
WEIGHTS_FILE = "model.safetensors"
METADATA_FILE = "model.json"
BATCH_SIZE = 256

_lock = threading.RLock()
_loaded: dict | None = None  # {"model", "device", "metadata", "temperature", "dir"}
_detector_nets: tuple | None = None  # MTCNN (pnet, rnet, onet), loaded once per process


class ModelUnavailable(RuntimeError):
    """The face model cannot be used: its files are missing, corrupt or do not match their checksum."""


@dataclass
class FaceReading:
    found: bool
    probabilities: dict[str, float] | None = None
    valence: float | None = None
    arousal: float | None = None
    confidence: float | None = None
    box: tuple[int, int, int, int] | None = None  # x, y, w, h of the face read, on the upright image
    faces: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Why the face found was not read ("too_small", "blurred", ...; inference.face_quality), with
    # its measures; "" when it was read. A face refused this way has no probabilities.
    quality: str = ""
    quality_measures: dict = field(default_factory=dict)


def model_dir() -> Path:
    return Path(settings.FACE_MODEL_DIR or DEFAULT_MODEL_DIR)


def device_setting() -> str:
    value = (settings.INFERENCE_DEVICE or "auto").strip().lower()
    return value if value in {"auto", "cpu", "cuda"} else "auto"


def _fix_hint(folder: Path) -> str:
    return (
        f"Restore {folder} from the repository (git checkout -- {folder}) or retrain it with "
        f"`python manage.py train_emotion_model --data ../shared/datasets --out {folder}`."
    )


def read_metadata(folder: Path | None = None) -> dict:
    folder = Path(folder or model_dir())
    meta_path = folder / METADATA_FILE
    if not meta_path.is_file():
        raise ModelUnavailable(f"Face model metadata {meta_path} is missing. {_fix_hint(folder)}")
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, ValueError) as error:
        raise ModelUnavailable(
            f"Face model metadata {meta_path} is unreadable ({error}). {_fix_hint(folder)}"
        ) from error
    for key in ("version", "sha256", "temperature", "arch"):
        if key not in metadata:
            raise ModelUnavailable(f"Face model metadata {meta_path} has no {key!r}. {_fix_hint(folder)}")
    return metadata


def _pick_device(torch):
    setting = device_setting()
    if setting == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable(
            "INFERENCE_DEVICE=cuda but CUDA is not available here; set INFERENCE_DEVICE=cpu or auto."
        )
    if setting == "auto":
        setting = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(setting)


def precision_setting() -> str:
    value = (settings.INFERENCE_PRECISION or "auto").strip().lower()
    return value if value in {"auto", "fp32", "bf16"} else "auto"


def _pick_autocast(torch, device):
    return autocast_dtype(torch, device, precision_setting())


def autocast_dtype(torch, device, setting: str):
    """bfloat16 autocast where the hardware does it natively (the network was trained under it), else fp32.
    Training uses the same choice, so what is measured is what runs.

    On the AVX-512 CPU this was built on, bf16 is ~2.5x faster than fp32 for this network; accuracy and
    calibration measured by evaluate_emotion_model are of this same path.
    """
    if setting == "fp32":
        return None
    if setting == "bf16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    try:
        return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else None
    except (AttributeError, RuntimeError):
        return None


def cpu_autocast_dtype(torch):
    """``autocast_dtype`` for the CPU under ``INFERENCE_PRECISION``: bfloat16 or None (float32)."""
    return autocast_dtype(torch, torch.device("cpu"), precision_setting())


def cpu_autocast(torch):
    """The CPU forward pass's precision context under ``INFERENCE_PRECISION`` (``autocast_dtype``):
    bfloat16 autocast where the CPU does bf16 natively, else nothing. The text encoders use it too
    (``inference/text``): on an AMX Xeon it doubles their sentences per second at a cosine of
    0.9998 with float32 (bench/README.md, session 9); an AVX2-only CPU stays in float32."""
    import contextlib

    dtype = cpu_autocast_dtype(torch)
    return contextlib.nullcontext() if dtype is None else torch.autocast(device_type="cpu", dtype=dtype)


def _load(folder: Path) -> dict:
    metadata = read_metadata(folder)
    weights = folder / metadata.get("weights", WEIGHTS_FILE)
    if not weights.is_file():
        raise ModelUnavailable(f"Face model weights {weights} are missing. {_fix_hint(folder)}")
    checksum = file_sha256(weights)
    if checksum != metadata["sha256"]:
        raise ModelUnavailable(
            f"Face model weights {weights} are corrupt: sha256 {checksum[:16]}... does not match "
            f"{metadata['sha256'][:16]}... recorded in {folder / METADATA_FILE}. {_fix_hint(folder)}"
        )
    import torch
    from safetensors.torch import load_file

    from inference.face_model import build_model

    try:
        state = load_file(str(weights))
        model = build_model(metadata["arch"])
        model.load_state_dict(state)
    except Exception as error:  # noqa: BLE001 - any failure here means unusable weights
        raise ModelUnavailable(
            f"Face model weights {weights} could not be loaded ({error}). {_fix_hint(folder)}"
        ) from error
    device = _pick_device(torch)
    threads = str(settings.INFERENCE_THREADS or "").strip()
    if device.type == "cpu" and threads.isdigit() and int(threads) > 0:
        # On a CPU shared with other busy processes, 1 thread is several times faster than 2
        # (measured: see the model card); unset keeps torch's default (one per core).
        torch.set_num_threads(int(threads))
    model = model.to(device).eval().to(memory_format=torch.channels_last)
    return {
        "model": model,
        "device": device,
        "autocast": _pick_autocast(torch, device),
        "metadata": metadata,
        "temperature": float(metadata["temperature"]),
        "dir": folder,
    }


def _get() -> dict:
    global _loaded
    folder = model_dir()
    if _loaded is None or _loaded["dir"] != folder:
        with _lock:
            if _loaded is None or _loaded["dir"] != folder:
                _loaded = _load(folder)
    return _loaded


def load_model() -> None:
    """Load the model now (workers call this at start). Raises ModelUnavailable with what to do."""
    _get()


def reset() -> None:
    """Forget the loaded model (tests; or after replacing the weights on disk)."""
    global _loaded
    with _lock:
        _loaded = None


def model_info() -> dict:
    """Name, version, checksum and metrics of the shipped model (from its metadata; loads no torch)."""
    metadata = _loaded["metadata"] if _loaded is not None else read_metadata()
    return {
        "name": metadata.get("name", "face-emotion"),
        "version": metadata["version"],
        "checksum": metadata["sha256"],
        "metrics": metadata.get("metrics", {}),
        "abstain": metadata.get("abstain"),
    }


def classify_crops(crops: np.ndarray) -> np.ndarray:
    """N x 48 x 48 uint8 face crops -> N x 7 calibrated probabilities in EMOTIONS order."""
    crops = np.asarray(crops, dtype=np.uint8)
    if crops.ndim == 2:
        crops = crops[None]
    if len(crops) == 0:
        return np.zeros((0, len(EMOTIONS)), dtype=np.float64)
    state = _get()
    import torch

    temperature = state["temperature"]
    batches = batched_logits(state["model"], crops, state["device"], state["autocast"])
    return np.concatenate([torch.softmax(logits / temperature, dim=1).double().numpy() for logits in batches])


def batched_logits(model, crops: np.ndarray, device, autocast, batch_size: int = BATCH_SIZE) -> list:
    """The network's float32 logits for these crops, one CPU tensor per batch: normalised,
    channels-last, under ``autocast`` (None: float32). Training and evaluation call it too, so that
    temperatures and thresholds are fitted on logits computed exactly as the site computes them."""
    import torch

    from inference.face_model import normalise

    out = []
    with torch.inference_mode():
        for i in range(0, len(crops), batch_size):
            x = torch.from_numpy(normalise(crops[i : i + batch_size])).to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=autocast or torch.float32, enabled=autocast is not None):
                out.append(model(x).float().cpu())
    return out


def _mtcnn_nets() -> tuple:
    global _detector_nets
    if _detector_nets is None:
        with _lock:
            if _detector_nets is None:
                from inference.mtcnn import DetectorWeightsUnavailable, build_nets

                try:
                    _detector_nets = build_nets()
                except DetectorWeightsUnavailable as error:
                    raise ModelUnavailable(str(error)) from error
    return _detector_nets


def _runner(net):
    import torch

    def run(batch: np.ndarray) -> tuple[np.ndarray, ...]:
        with torch.inference_mode():
            return tuple(t.float().numpy() for t in net(torch.from_numpy(batch)))

    return run


def mtcnn_runners() -> tuple:
    """(pnet, rnet, onet) as numpy callables, for inference.mtcnn's pipeline (torch stays here)."""
    return tuple(_runner(net) for net in _mtcnn_nets())


def detect_faces(rgb: np.ndarray) -> list:
    """MTCNN faces (box, score, five landmarks) in an upright H x W x 3 uint8 image, best first.

    Runs on a copy whose shorter side is at most ``mtcnn.DETECT_SHORT_SIDE`` and looks for faces
    from ``mtcnn.MIN_FACE_FRACTION`` of that side up. MTCNN finds faces tilted up to about 20
    degrees; when the upright pass finds none, it is run again with ``mtcnn.RELAXED_THRESHOLDS``
    (a face under a mask), and if that finds none either the copy is searched again turned by each angle of
    ``mtcnn.RETRY_ANGLES`` (a head tilted to the shoulder, a phone held askew), and what is found
    there is turned back. Boxes and landmarks come back in ``rgb``'s pixels.
    """
    import cv2

    from inference import mtcnn

    pnet, rnet, onet = mtcnn_runners()
    height, width = rgb.shape[:2]
    scale = min(1.0, mtcnn.DETECT_SHORT_SIDE / min(height, width))
    small = rgb
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    min_face = max(20.0, mtcnn.MIN_FACE_FRACTION * min(small.shape[:2]))
    faces = mtcnn.detect(small, pnet, rnet, onet, min_face=min_face)
    if not faces:
        faces = mtcnn.detect(small, pnet, rnet, onet, min_face=min_face, thresholds=mtcnn.RELAXED_THRESHOLDS)
    for angle in mtcnn.RETRY_ANGLES if not faces else ():
        turned, inverse = mtcnn.rotated(small, angle)
        faces = [mtcnn.transformed(face, inverse) for face in mtcnn.detect(turned, pnet, rnet, onet, min_face=min_face)]
        if faces:
            break
    if not faces:
        # Last resort: the Haar cascade's boxes on the full photo, kept only where O-Net agrees it
        # is a face (bench/face_detection.py: 3 more of 300 masked faces found; of 192 Emotion6
        # photos where MTCNN saw no face, 2 pass).
        from inference.faces import detect_boxes

        return mtcnn.verify(rgb, detect_boxes(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))[:3], onet)
    if scale < 1.0:
        to_full = np.array([[width / small.shape[1], 0, 0], [0, height / small.shape[0], 0]])
        faces = [mtcnn.transformed(face, to_full) for face in faces]
    return faces


def face_landmarks_in_crops(crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """O-Net's five landmarks and face score on crops that are already faces (training, evaluation)."""
    from inference.mtcnn import landmarks_in_crops

    return landmarks_in_crops(crops, mtcnn_runners()[2])


def reading_from(probabilities: np.ndarray, box, faces) -> FaceReading:
    probs = {name: float(p) for name, p in zip(EMOTIONS, probabilities, strict=True)}
    valence, arousal = valence_arousal(probs)
    return FaceReading(
        found=True,
        probabilities=probs,
        valence=valence,
        arousal=arousal,
        confidence=float(max(probabilities)),
        box=tuple(int(v) for v in box),
        faces=[tuple(int(v) for v in b) for b in faces],
    )


def read_faces(images: list[Image.Image]) -> list[FaceReading]:
    """Detect faces in each photo (EXIF-upright), check that the largest one can be read
    (inference.face_quality), then classify every readable face of the batch in ONE pass.

    A photo without a face gives ``FaceReading(found=False)``, and a face too small, blurred, dark,
    turned away or covered gives ``found=True`` with its ``quality`` problem: no probabilities are
    guessed for either.
    """
    from inference.face_quality import assess_face
    from inference.faces import find_faces

    detections = [find_faces(image, detector=detect_faces) for image in images]
    qualities = [
        assess_face(d.crop, d.box, (d.gray.shape[1], d.gray.shape[0]), getattr(d, "hints", None))
        if d.found else None
        for d in detections
    ]
    crops = [d.crop for d, q in zip(detections, qualities, strict=True) if q is not None and q.readable]
    probabilities = classify_crops(np.stack(crops)) if crops else np.zeros((0, len(EMOTIONS)))
    readings, k = [], 0
    for detected, quality in zip(detections, qualities, strict=True):
        if quality is None:
            readings.append(FaceReading(found=False))
        elif not quality.readable:
            readings.append(FaceReading(
                found=True, box=tuple(int(v) for v in detected.box),
                faces=[tuple(int(v) for v in b) for b in detected.boxes],
                quality=quality.problem, quality_measures=quality.measures,
            ))
        else:
            reading = reading_from(probabilities[k], detected.box, detected.boxes)
            reading.quality_measures = quality.measures
            readings.append(reading)
            k += 1
    return readings
