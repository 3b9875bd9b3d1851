"""Reading a claimed batch: faces in one forward pass, words in one batch, then the fusion.

The models are imported lazily, on first use (the face runtime is the only importer of torch),
so the web processes can import this module without loading them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from diary.models import Entry
from diary.storage import storage_unavailable_errors
from inference import reasons
from inference.models import AnalysisJob, ModelVersion
from moodsite.emotions import EMOTIONS, valence_arousal

logger = logging.getLogger(__name__)

Status = AnalysisJob.Status


class TransientAnalysisError(Exception):
    """A failure that goes away by itself (the GPU ran out of memory); the task retries later."""


# --- The models (lazy) ---------------------------------------------------------------------------


def model_version_register(*, kind: str, info: dict) -> ModelVersion:
    """The row for a loaded model; a model seen for the first time becomes the active one of its kind.

    Looked up once per batch (one indexed query), not cached: a cached row could have been deleted."""
    key = (kind, str(info["name"]), str(info["version"]))
    with transaction.atomic():
        row, created = ModelVersion.objects.get_or_create(
            kind=kind, name=key[1], version=key[2],
            defaults={"checksum": str(info.get("checksum") or ""), "metrics": info.get("metrics") or {},
                      "active": True},
        )
        if created:
            ModelVersion.objects.filter(kind=kind).exclude(pk=row.pk).update(active=False)
    return row


def face_runtime():
    """The face runtime module, imported on first use (it is the only importer of torch)."""
    from inference import runtime

    return runtime


def text_runtime():
    """The text runtime module, or None while it is not installed."""
    try:
        from inference.text import runtime
    except ImportError:
        return None
    return runtime


def scene_runtime():
    """The scene runtime (numpy/OpenCV, no torch), or None while it is not installed."""
    try:
        from inference.scene import runtime
    except ImportError:
        return None
    return runtime


def read_scenes(images: dict[int, Image.Image]) -> dict:
    """Scene readings of the photos where no face was found, in one batch; {} if the reader fails
    (the words still get read)."""
    runtime = scene_runtime()
    if runtime is None or not images:
        return {}
    try:
        return dict(zip(images, runtime.read_scenes(list(images.values())), strict=True))
    except Exception as error:
        if type(error).__name__ != "SceneModelUnavailable":
            logger.exception("Reading the scenes failed; storing the other readings only")
        return {}


def with_scene(reading, scene):
    """The words' (or nothing's) reading with a read scene's valence and arousal joined
    (inference.fusion.fuse_scene). An abstained reading stays abstained: nothing acts on it."""
    if scene is None or not scene.read or reading is None or reading.valence is None:
        return reading
    from dataclasses import replace

    from inference.fusion import fuse_scene

    valence, arousal, _weights = fuse_scene(reading=reading, scene_valence=scene.valence,
                                            scene_arousal=scene.arousal)
    return replace(reading, valence=valence, arousal=arousal)


def read_faces(images: list[Image.Image]) -> list:
    return face_runtime().read_faces(images)


def read_texts(texts: list[str]) -> list | None:
    """One reading (or None) per text; None for all when the text model is not available."""
    runtime = text_runtime()
    if runtime is None or not texts:
        return None
    try:
        return runtime.read_texts(texts)
    except Exception as error:  # TextModelUnavailable, or a bug: the faces still get read
        if type(error).__name__ != "TextModelUnavailable":
            logger.exception("Reading the texts failed; storing face readings only")
        return None


def face_model_version() -> ModelVersion | None:
    try:
        return model_version_register(kind=ModelVersion.Kind.FACE, info=face_runtime().model_info())
    except Exception as error:
        if not _is_model_unavailable(error):
            logger.exception("Could not read the face model's version")
        return None


def text_model_version() -> ModelVersion | None:
    runtime = text_runtime()
    if runtime is None:
        return None
    try:
        return model_version_register(kind=ModelVersion.Kind.TEXT, info=runtime.text_model_info())
    except Exception as error:
        if type(error).__name__ != "TextModelUnavailable":
            logger.exception("Could not read the text model's version")
        return None


def warm_up() -> None:
    """Load the models once in this worker process, so the first job does not pay for it."""
    try:
        face_runtime().load_model()
    except Exception as error:
        logger.warning("Face model not loaded: %s", error)
    runtime = text_runtime()
    if runtime is not None:
        try:
            load = getattr(runtime, "load_model", None)
            load() if load is not None else runtime.read_texts(["warm up"])
        except Exception as error:
            logger.warning("Text model not loaded: %s", error)


def fuse(*, face: dict | None, text: dict | None):
    """The combined reading; uses inference.fusion when it exists, else whichever part there is."""
    if face is None and text is None:
        return None
    try:
        from inference.fusion import fuse as model_fuse
    except ImportError:
        model_fuse = None
    if model_fuse is not None:
        return model_fuse(face=face, text=text)
    probabilities = face if face is not None else text
    emotion = max(EMOTIONS, key=lambda name: probabilities.get(name, 0.0))
    valence, arousal = valence_arousal(probabilities)
    return _Fused(probabilities, valence, arousal, emotion, probabilities.get(emotion, 0.0),
                  "face" if face is not None else "text")


@dataclass(frozen=True)
class _Fused:
    probabilities: dict
    valence: float
    arousal: float
    emotion: str
    confidence: float
    source: str


# --- Reading a batch -----------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    reason: str = ""
    face: object | None = None  # FaceReading
    text: object | None = None  # TextReading
    fused: object | None = None  # the stored reading (abstaining.Reading): emotion "" when abstained
    has_photo: bool = False
    verdict: object | None = None  # abstaining.Verdict
    scene: object | None = None  # scene.runtime.SceneReading, for a photo without a face


def _thresholds(jobs: list[AnalysisJob]):
    """The models' abstain thresholds (their metadata's ``abstain`` key), for this batch."""
    from inference.abstaining import thresholds_from

    face_info = text_info = None
    if any(job.entry.photo for job in jobs):
        try:
            face_info = face_runtime().model_info()
        except Exception:  # no face model: no face is read either
            face_info = None
    runtime = text_runtime()
    if runtime is not None and any(job.entry.text.strip() for job in jobs):
        try:
            text_info = runtime.text_model_info()
        except Exception:
            text_info = None
    return thresholds_from(face_info=face_info, text_info=text_info)


def _open_photo(entry: Entry) -> Image.Image:
    """The entry's photo, read through the storage (the local folder or the object store: a worker
    on another machine has no file of its own to open)."""
    try:
        with entry.photo.storage.open(entry.photo.name, "rb") as handle:
            image = Image.open(handle)
            image.load()
    except storage_unavailable_errors() as error:
        # The store is down or refused us: not the photo's fault. The batch goes back, and the task
        # retries with back-off (tasks.TRANSIENT_ERRORS).
        raise TransientAnalysisError(f"the photo store did not answer ({type(error).__name__})") from error
    return image.convert("RGB")


def _open_photos(entries: list[Entry]) -> list[tuple[Image.Image | None, BaseException | None]]:
    """Each entry's photo, or the error that opening it raised, in order. From an object store the
    photos are fetched several at a time (INFERENCE_PHOTO_READ_THREADS): each is a network round
    trip, and a batch of 64 one after another would wait for 64 of them."""
    def attempt(entry: Entry):
        try:
            return _open_photo(entry), None
        except Exception as error:  # noqa: BLE001 - sorted by the caller
            return None, error

    threads = settings.INFERENCE_PHOTO_READ_THREADS if settings.S3_BUCKET else 1
    if threads <= 1 or len(entries) <= 1:
        return [attempt(entry) for entry in entries]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(threads, len(entries)), thread_name_prefix="photo-read") as pool:
        return list(pool.map(attempt, entries))


def _is_model_unavailable(error: BaseException) -> bool:
    """ModelUnavailable from the runtime, or no runtime installed at all."""
    if isinstance(error, ImportError):
        return True
    return type(error).__name__ == "ModelUnavailable"


def _is_out_of_memory(error: BaseException) -> bool:
    return type(error).__name__ == "OutOfMemoryError" or "out of memory" in str(error).lower()


def _read_faces_isolating(images: dict[int, Image.Image], outcomes: dict[int, Outcome]) -> dict:
    """One forward pass for the whole batch. If it fails, read one by one, so that one bad photo
    (or a batch too large for the GPU) fails only itself."""
    ids = list(images)
    if not ids:
        return {}
    try:
        readings = read_faces([images[i] for i in ids])
        return dict(zip(ids, readings, strict=True))
    except Exception as error:
        if _is_model_unavailable(error):
            logger.error("Face model unavailable: %s", error)
            for job_id in ids:
                outcomes[job_id] = Outcome(Status.FAILED, reasons.MODEL_UNAVAILABLE, has_photo=True)
            return {}
        if len(ids) == 1:
            if _is_out_of_memory(error):
                raise TransientAnalysisError(str(error)) from error
            logger.exception("Reading a face failed")
            outcomes[ids[0]] = Outcome(Status.FAILED, reasons.UNEXPECTED, has_photo=True)
            return {}
        logger.warning("Batched face reading failed (%s); reading one by one", error)
    found: dict = {}
    for job_id in ids:
        found.update(_read_faces_isolating({job_id: images[job_id]}, outcomes))
    return found


def batch_read(jobs: list[AnalysisJob]) -> dict[int, Outcome]:
    """Read every job of a batch: faces in one pass, texts in one pass, then fuse per job."""
    outcomes: dict[int, Outcome] = {}
    images: dict[int, Image.Image] = {}
    with_photo = [job for job in jobs if job.entry.photo and job.entry.photo.name]
    for job, (image, error) in zip(with_photo, _open_photos([job.entry for job in with_photo]), strict=True):
        if isinstance(error, TransientAnalysisError):
            raise error
        if image is not None:
            images[job.pk] = image
        elif isinstance(error, FileNotFoundError):
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.PHOTO_MISSING, has_photo=True)
        elif isinstance(error, (UnidentifiedImageError, OSError, SyntaxError, ValueError)):
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.PHOTO_UNREADABLE, has_photo=True)
        else:
            raise error

    faces = _read_faces_isolating(images, outcomes)
    scenes = read_scenes({job_id: image for job_id, image in images.items()
                          if job_id not in outcomes and not getattr(faces.get(job_id), "found", False)})
    with_text = [job for job in jobs if job.pk not in outcomes and job.entry.text.strip()]
    text_readings = read_texts([job.entry.text for job in with_text]) or [None] * len(with_text)
    texts = {job.pk: reading for job, reading in zip(with_text, text_readings, strict=True)}

    from inference.abstaining import decide
    from inference.text.segment import language_of

    thresholds = _thresholds([job for job in jobs if job.pk not in outcomes])
    for job in jobs:
        if job.pk in outcomes:
            continue
        has_photo = job.pk in images
        face = faces.get(job.pk)
        text = texts.get(job.pk)
        face_probs = face.probabilities if face is not None and face.found else None
        text_probs = text.probabilities if text is not None else None
        quality = (getattr(face, "quality", "") or "") if face is not None and face.found else ""
        try:
            verdict = decide(face=face_probs, text=text_probs, thresholds=thresholds, fuse=fuse,
                             text_language=language_of(job.entry.text), face_quality=quality)
        except Exception:
            logger.exception("Fusing the readings failed for job %s", job.pk)
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.UNEXPECTED, has_photo=has_photo)
            continue
        if verdict is None:
            outcomes[job.pk] = Outcome(Status.NO_FACE, reasons.no_reading(has_photo=has_photo,
                                       has_text=bool(job.entry.text.strip())),
                                       face=face, text=text, has_photo=has_photo, scene=scenes.get(job.pk))
        else:
            scene = scenes.get(job.pk)
            outcomes[job.pk] = Outcome(Status.DONE, face=face, text=text,
                                       fused=with_scene(verdict.reading, scene),
                                       has_photo=has_photo, verdict=verdict, scene=scene)
    return outcomes
