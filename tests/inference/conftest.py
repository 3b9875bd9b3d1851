"""Fixtures for the analysis pipeline's tests.

The unit tests of the pipeline's own logic (claiming, lifecycle, storing, views) stand in a
scripted runtime for the models: they test what the pipeline does with readings, not the models.
The models themselves are tested with their real weights in the face and text model tests, and
the integration tests (test_worker_integration.py) run the real runtime in a real worker.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diary import services as diary_services
from diary.photos import clean_photo
from inference import reading
from moodsite.emotions import EMOTIONS
from tests.conftest import make_image_bytes


def distribution(top: str, p: float = 0.7) -> dict[str, float]:
    rest = (1.0 - p) / (len(EMOTIONS) - 1)
    return {name: (p if name == top else rest) for name in EMOTIONS}


@dataclass
class ScriptedFaceReading:
    found: bool
    probabilities: dict | None
    valence: float | None = None
    arousal: float | None = None
    confidence: float | None = None
    box: tuple | None = None
    faces: list = field(default_factory=list)


@dataclass
class ScriptedTextReading:
    probabilities: dict
    valence: float = 0.0
    arousal: float = 0.0
    confidence: float = 0.7


class ModelUnavailable(Exception):
    pass


@dataclass
class ScriptedFaceRuntime:
    """Answers read_faces from the photos' colours: red -> angry, green -> happy, blue -> no face."""

    calls: list[int] = field(default_factory=list)
    error: BaseException | None = None
    fail_when_batched: BaseException | None = None
    version: str = "1.0"
    ModelUnavailable: type = ModelUnavailable

    def read_faces(self, images):
        self.calls.append(len(images))
        if self.error is not None:
            raise self.error
        if self.fail_when_batched is not None and len(images) > 1:
            raise self.fail_when_batched
        return [self._read(image) for image in images]

    def _read(self, image):
        r, g, b = image.resize((1, 1)).getpixel((0, 0))
        if b > max(r, g):
            return ScriptedFaceReading(found=False, probabilities=None)
        top = "angry" if r > g else "happy"
        return ScriptedFaceReading(found=True, probabilities=distribution(top), confidence=0.7,
                                   box=(1, 2, 30, 40), faces=[(1, 2, 30, 40)])

    def model_info(self):
        return {"name": "scripted-face", "version": self.version, "checksum": "abc", "metrics": {"acc": 0.5}}

    def load_model(self):
        return None


def _reading(text: str) -> ScriptedTextReading:
    return ScriptedTextReading(distribution("sad" if "sad" in text else "neutral"))


@dataclass
class ScriptedTextRuntime:
    """"sad" anywhere in a text reads sad; texts shorter than 3 characters give no result."""

    calls: list[int] = field(default_factory=list)

    def read_texts(self, texts):
        self.calls.append(len(texts))
        return [None if len(t.strip()) < 3 else _reading(t)
                for t in texts]

    def text_model_info(self):
        return {"name": "scripted-text", "version": "0.1", "checksum": "def", "metrics": {}}


@pytest.fixture
def face_runtime(monkeypatch):
    runtime = ScriptedFaceRuntime()
    monkeypatch.setattr(reading, "face_runtime", lambda: runtime)
    return runtime


@pytest.fixture
def no_text_runtime(monkeypatch):
    monkeypatch.setattr(reading, "text_runtime", lambda: None)


@pytest.fixture
def text_runtime(monkeypatch):
    runtime = ScriptedTextRuntime()
    monkeypatch.setattr(reading, "text_runtime", lambda: runtime)
    return runtime


@pytest.fixture
def simple_fusion(monkeypatch):
    """Fusion as the pipeline's own fallback does it, plus the average when both exist: keeps these
    tests independent of the fitted weights in inference.fusion (tested on its own)."""
    def fuse(*, face, text):
        if face is None and text is None:
            return None
        if face is not None and text is not None:
            probabilities = {name: (face[name] + text[name]) / 2 for name in EMOTIONS}
            source = "combined"
        else:
            probabilities = face or text
            source = "face" if face else "text"
        emotion = max(EMOTIONS, key=probabilities.get)
        return SimpleNamespace(probabilities=probabilities, valence=0.1, arousal=0.2, emotion=emotion,
                               confidence=probabilities[emotion], source=source)

    monkeypatch.setattr(reading, "fuse", fuse)
    return fuse


@pytest.fixture
def scripted_models(face_runtime, no_text_runtime, simple_fusion):
    return face_runtime


def photo(colour=(220, 40, 40)):
    data = make_image_bytes(size=(64, 64), colour=colour)
    upload = SimpleUploadedFile("face.jpg", data, content_type="image/jpeg")
    return clean_photo(upload)


RED, GREEN, BLUE = (220, 40, 40), (40, 220, 40), (40, 40, 220)


def entry_with_photo(owner, colour=RED, text=""):
    """An entry saved the way the site saves one (the diary's service), with a photo."""
    return diary_services.entry_create(owner=owner, text=text, photo=photo(colour))
