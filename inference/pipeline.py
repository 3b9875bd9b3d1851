"""What an inference worker does: claim a batch of pending jobs, read their faces in one forward
pass and their words in one batch, fuse, and store each result exactly once.

The models are imported lazily (the face runtime is the only importer of torch), so the web
processes can import this module without loading them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from diary.models import Entry
from inference import reasons
from inference.emotions import EMOTIONS, valence_arousal
from inference.models import AnalysisJob, AnalysisResult, ModelVersion
from inference.signals import analysis_done

logger = logging.getLogger(__name__)

Status = AnalysisJob.Status


class TransientAnalysisError(Exception):
    """A failure that goes away by itself (the GPU ran out of memory); the task retries later."""


# --- Claiming ------------------------------------------------------------------------------------


def worker_identity() -> str:
    """'host:pid' of this process: lets a restarted worker take back what a dead process held."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Batch:
    token: str
    jobs: list[AnalysisJob] = field(default_factory=list)


def _pending_ids(limit: int, first_id: int | None) -> list[int]:
    pending = AnalysisJob.objects.filter(status=Status.PENDING)
    ids = list(pending.order_by("priority", "requested_at", "id").values_list("id", flat=True)[:limit])
    if first_id is not None and first_id not in ids:
        ids = [first_id, *ids[: limit - 1]]
    return ids


def jobs_claim(*, limit: int, token: str, first_id: int | None = None) -> int:
    """Move up to `limit` pending jobs to running under `token`; returns how many this call took.

    The update is guarded by status=PENDING: when two workers pick the same candidates, the
    database lets only one of them move each row, and the other simply gets fewer (or none).
    """
    if limit <= 0:
        return 0
    ids = _pending_ids(limit, first_id)
    if not ids:
        return 0
    return AnalysisJob.objects.filter(status=Status.PENDING, id__in=ids).update(
        status=Status.RUNNING, claim_token=token, claimed_by=worker_identity(),
        claimed_at=timezone.now(), attempts=F("attempts") + 1, reason="",
    )


def batch_claim(*, size: int, first_id: int | None = None, max_wait: float = 0.0) -> Batch:
    """Claim up to `size` jobs; when fewer are pending, wait up to `max_wait` seconds for more to
    arrive, so a burst of uploads shares one forward pass."""
    token = uuid.uuid4().hex
    taken = jobs_claim(limit=size, token=token, first_id=first_id)
    if taken and taken < size and max_wait > 0:
        deadline = time.monotonic() + max_wait
        while taken < size and time.monotonic() < deadline:
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
            taken += jobs_claim(limit=size - taken, token=token)
    if not taken:
        return Batch(token)
    jobs = AnalysisJob.objects.filter(claim_token=token, status=Status.RUNNING).select_related("entry")
    return Batch(token, list(jobs.order_by("id")))


def batch_release(batch: Batch) -> int:
    """Put a batch's unfinished jobs back in the queue (their attempt still counts); a job that has
    had all its attempts fails, so a photo that always breaks the worker cannot loop for ever."""
    held = AnalysisJob.objects.filter(claim_token=batch.token, status=Status.RUNNING)
    held.filter(attempts__gte=settings.INFERENCE_MAX_ATTEMPTS).update(
        status=Status.FAILED, reason=reasons.TOO_MANY_ATTEMPTS, finished_at=timezone.now(),
        claim_token="", claimed_by="",
    )
    return held.update(status=Status.PENDING, claim_token="", claimed_by="", claimed_at=None)


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
    fused: object | None = None
    has_photo: bool = False


def _open_photo(entry: Entry) -> Image.Image:
    with entry.photo.storage.open(entry.photo.name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image.convert("RGB")


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
    for job in jobs:
        entry = job.entry
        if not entry.photo or not entry.photo.name:
            continue
        try:
            images[job.pk] = _open_photo(entry)
        except FileNotFoundError:
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.PHOTO_MISSING, has_photo=True)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.PHOTO_UNREADABLE, has_photo=True)

    faces = _read_faces_isolating(images, outcomes)
    with_text = [job for job in jobs if job.pk not in outcomes and job.entry.text.strip()]
    text_readings = read_texts([job.entry.text for job in with_text]) or [None] * len(with_text)
    texts = {job.pk: reading for job, reading in zip(with_text, text_readings, strict=True)}

    for job in jobs:
        if job.pk in outcomes:
            continue
        has_photo = job.pk in images
        face = faces.get(job.pk)
        text = texts.get(job.pk)
        face_probs = face.probabilities if face is not None and face.found else None
        text_probs = text.probabilities if text is not None else None
        try:
            fused = fuse(face=face_probs, text=text_probs)
        except Exception:
            logger.exception("Fusing the readings failed for job %s", job.pk)
            outcomes[job.pk] = Outcome(Status.FAILED, reasons.UNEXPECTED, has_photo=has_photo)
            continue
        if fused is None:
            outcomes[job.pk] = Outcome(Status.NO_FACE, reasons.no_reading(has_photo=has_photo,
                                       has_text=bool(job.entry.text.strip())),
                                       face=face, text=text, has_photo=has_photo)
        else:
            outcomes[job.pk] = Outcome(Status.DONE, face=face, text=text, fused=fused, has_photo=has_photo)
    return outcomes


# --- Storing -------------------------------------------------------------------------------------


def _float(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _probabilities(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {name: round(float(values.get(name, 0.0)), 4) for name in EMOTIONS}


def _box(face) -> list | None:
    box = getattr(face, "box", None)
    return None if box is None else [int(round(float(v))) for v in box]


def _face_count(face) -> int:
    """FaceReading.faces is the list of every face box found (or a count)."""
    faces = getattr(face, "faces", None) if face is not None else None
    if not faces:
        return 0
    return len(faces) if isinstance(faces, list | tuple) else int(faces)


def _result_values(outcome: Outcome, face_model, text_model) -> dict:
    face, text, fused = outcome.face, outcome.text, outcome.fused
    found = bool(face is not None and face.found)
    return {
        "face_model": face_model,
        "text_model": text_model,
        "has_photo": outcome.has_photo,
        "face_found": found,
        "faces": _face_count(face),
        "face_box": _box(face) if found else None,
        "face_probabilities": _probabilities(face.probabilities) if found else None,
        "face_confidence": _float(face.confidence) if found else None,
        "text_probabilities": _probabilities(text.probabilities) if text is not None else None,
        "text_confidence": _float(text.confidence) if text is not None else None,
        "combined_probabilities": _probabilities(fused.probabilities) if fused is not None else None,
        "source": fused.source if fused is not None else "",
        "emotion": fused.emotion if fused is not None else "",
        "valence": _float(fused.valence) if fused is not None else None,
        "arousal": _float(fused.arousal) if fused is not None else None,
        "confidence": _float(fused.confidence) if fused is not None else None,
    }


def model_key(face_model: ModelVersion | None, text_model: ModelVersion | None) -> str:
    parts = [f"{m.kind}:{m.label}" for m in (face_model, text_model) if m is not None]
    return "+".join(parts) or "none"


def _result_upsert(entry_id: int, key: str, values: dict) -> AnalysisResult:
    """One row per (entry, models): a second run updates it. Runs inside the caller's transaction."""
    try:
        with transaction.atomic():
            result, _created = AnalysisResult.objects.update_or_create(
                entry_id=entry_id, model_key=key, defaults=values)
    except IntegrityError:  # another process created it between our look and our insert
        result = AnalysisResult.objects.select_for_update().get(entry_id=entry_id, model_key=key)
        for name, value in values.items():
            setattr(result, name, value)
        result.save()
    return result


def job_store(*, job: AnalysisJob, token: str, outcome: Outcome, face_model=None, text_model=None) -> bool:
    """Finish one job; False when this worker no longer holds it (then nothing is written)."""
    with transaction.atomic():
        held = AnalysisJob.objects.filter(pk=job.pk, status=Status.RUNNING, claim_token=token).update(
            status=outcome.status, reason=outcome.reason, finished_at=timezone.now(),
            claim_token="", claimed_by="",
        )
        if not held:
            logger.info("analysis job=%s was taken back or re-requested; not storing", job.pk)
            return False
        if outcome.status == Status.FAILED:
            return True
        result = _result_upsert(job.entry_id, model_key(face_model, text_model),
                                _result_values(outcome, face_model, text_model))
        AnalysisJob.objects.filter(pk=job.pk).update(result=result)
        Entry.objects.filter(pk=job.entry_id).update(
            ai_emotion=result.emotion,
            ai_probabilities=result.combined_probabilities,
            ai_valence=result.valence,
            ai_arousal=result.arousal,
            ai_confidence=result.confidence,
        )
        entry_id, status = job.entry_id, str(outcome.status)
        transaction.on_commit(lambda: _send_done(entry_id, status))
    logger.info("analysis stored job=%s entry=%s status=%s", job.pk, job.entry_id, outcome.status)
    return True


READING_FIELDS = ["face_model", "text_model", "has_photo", "face_found", "faces", "face_box", "face_probabilities",
                  "face_confidence", "text_probabilities", "text_confidence", "combined_probabilities", "source",
                  "emotion", "valence", "arousal", "confidence"]
ENTRY_READING_FIELDS = ["ai_emotion", "ai_probabilities", "ai_valence", "ai_arousal", "ai_confidence"]


def batch_store(*, batch: Batch, outcomes: dict[int, Outcome], face_model=None, text_model=None) -> set[int]:
    """Finish a whole batch in one transaction, in a handful of statements whatever its size (one
    upsert for the results, one update each for the jobs and the entries). Returns the ids of the
    jobs stored; a job this worker no longer holds (re-requested, taken back) is left alone."""
    jobs = {job.pk: job for job in batch.jobs}
    now = timezone.now()
    with transaction.atomic():
        held = set(AnalysisJob.objects.select_for_update().filter(
            pk__in=list(jobs), status=Status.RUNNING, claim_token=batch.token).values_list("pk", flat=True))
        readings: list[tuple[AnalysisJob, str, dict]] = []
        for pk in sorted(held):
            outcome, job = outcomes[pk], jobs[pk]
            if outcome.status != Status.FAILED:
                used_face = face_model if outcome.has_photo else None
                used_text = text_model if job.entry.text.strip() else None
                readings.append((job, model_key(used_face, used_text), _result_values(outcome, used_face, used_text)))
        result_ids: dict[tuple[int, str], int] = {}
        if readings:
            AnalysisResult.objects.bulk_create(
                [AnalysisResult(entry_id=job.entry_id, model_key=key, **values) for job, key, values in readings],
                update_conflicts=True, unique_fields=["entry", "model_key"],
                update_fields=[*READING_FIELDS, "updated_at"],
            )
            rows = AnalysisResult.objects.filter(entry_id__in=[job.entry_id for job, _, _ in readings])
            result_ids = {(entry_id, key): pk for pk, entry_id, key in rows.values_list("pk", "entry_id", "model_key")}
        finished = []
        for pk in held:
            job, outcome = jobs[pk], outcomes[pk]
            job.status, job.reason, job.finished_at = outcome.status, outcome.reason, now
            job.claim_token = job.claimed_by = ""
            finished.append(job)
        entries = []
        for job, key, values in readings:
            job.result_id = result_ids[(job.entry_id, key)]
            entry = job.entry
            entry.ai_emotion, entry.ai_probabilities = values["emotion"], values["combined_probabilities"]
            entry.ai_valence, entry.ai_arousal = values["valence"], values["arousal"]
            entry.ai_confidence = values["confidence"]
            entries.append(entry)
        AnalysisJob.objects.bulk_update(finished, ["status", "reason", "finished_at", "claim_token", "claimed_by",
                                                   "result"])
        Entry.objects.bulk_update(entries, ENTRY_READING_FIELDS)
        done = [(job.entry_id, str(outcomes[job.pk].status)) for job, _, _ in readings]
        transaction.on_commit(lambda: [_send_done(entry_id, status) for entry_id, status in done])
    for pk in sorted(held):
        logger.info("analysis stored job=%s entry=%s status=%s", pk, jobs[pk].entry_id, outcomes[pk].status)
    for pk in sorted(set(jobs) - held):
        logger.info("analysis job=%s was taken back or re-requested; not storing", pk)
    return held


def _send_done(entry_id: int, status: str) -> None:
    for receiver, response in analysis_done.send_robust(sender=AnalysisJob, entry_id=entry_id, status=status):
        if isinstance(response, Exception):
            logger.error("analysis_done receiver %r failed: %r", receiver, response,
                         exc_info=(type(response), response, response.__traceback__))


# --- One batch, start to end ---------------------------------------------------------------------


def batch_run(*, first_id: int | None = None, size: int | None = None, max_wait: float | None = None) -> dict:
    """Claim a batch, read it, store it. Returns counts for the log."""
    size = settings.INFERENCE_BATCH_SIZE if size is None else size
    max_wait = settings.INFERENCE_BATCH_MAX_WAIT if max_wait is None else max_wait
    batch = batch_claim(size=size, first_id=first_id, max_wait=max_wait)
    if not batch.jobs:
        return {"claimed": 0}
    try:
        face_model = face_model_version() if any(j.entry.photo for j in batch.jobs) else None
        text_model = text_model_version() if any(j.entry.text.strip() for j in batch.jobs) else None
        outcomes = batch_read(batch.jobs)
    except BaseException:
        # Out of memory, a lost database, a time limit: hand the jobs back for another try.
        _release_quietly(batch)
        raise
    counts: dict[str, int] = {"claimed": len(batch.jobs)}
    try:
        stored = batch_store(batch=batch, outcomes=outcomes, face_model=face_model, text_model=text_model)
    except (OperationalError, InterfaceError):
        _release_quietly(batch)  # the database went away: the task retries later
        raise
    except Exception:
        logger.exception("Storing batch %s failed; storing its jobs one by one", batch.token)
        stored = _store_one_by_one(batch, outcomes, face_model, text_model)
    for job in batch.jobs:
        key = str(outcomes[job.pk].status) if job.pk in stored else "skipped"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _store_one_by_one(batch: Batch, outcomes: dict[int, Outcome], face_model, text_model) -> set[int]:
    """So that one row the database refuses fails only its own job."""
    stored = set()
    for job in batch.jobs:
        outcome = outcomes[job.pk]
        try:
            if job_store(job=job, token=batch.token, outcome=outcome,
                         face_model=face_model if outcome.has_photo else None,
                         text_model=text_model if job.entry.text.strip() else None):
                stored.add(job.pk)
        except Exception:
            logger.exception("Storing the analysis of job %s failed", job.pk)
            _job_fail(job, batch.token, reasons.UNEXPECTED)
    return stored


def _release_quietly(batch: Batch) -> None:
    try:
        batch_release(batch)
    except Exception:
        logger.exception("Could not release batch %s; recovery will take it back", batch.token)


def _job_fail(job: AnalysisJob, token: str, reason: str) -> None:
    AnalysisJob.objects.filter(pk=job.pk, status=Status.RUNNING, claim_token=token).update(
        status=Status.FAILED, reason=reason, finished_at=timezone.now(), claim_token="", claimed_by="",
    )
