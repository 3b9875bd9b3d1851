"""Reads of the analysis pipeline: an entry's mood (the person's own choice when they made one,
else a confident automatic reading), and an entry's analysis for the page and the API."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from diary.models import Entry
from diary.selectors import entry_get_visible_to
from diary.tracker.moods import DEFAULT_PREFER, PREFER_AI, PREFERENCES, SOURCE_AI, SOURCE_LABELS, SOURCE_SELF
from inference.models import AnalysisJob, AnalysisResult, Correction
from inference.reasons import cant_tell_display, face_quality_display, reason_display
from moodsite.emotions import CIRCUMPLEX, EMOTION_LABELS, EMOTIONS, one_hot

# Confidence in words (the percentages sit behind a "details" disclosure): a calibrated reading
# at or above this is right about three times in four or more, "probably"; below it, "maybe".
PROBABLY_FROM = 0.75
# Never show certainty: the displayed percentage is capped (a model is never 100% right).
DISPLAY_CAP = 0.99


@dataclass(frozen=True)
class Mood:
    source: str  # "self" (the person's choice) or "ai" (a confident automatic reading)
    emotion: str
    probabilities: dict[str, float]
    valence: float
    arousal: float

    @property
    def source_label(self) -> str:
        """"my choice" / "read automatically", in the reader's language."""
        return str(SOURCE_LABELS[self.source])


def entry_mood(*, entry: Entry, prefer: str = DEFAULT_PREFER) -> Mood | None:
    """The mood to act on for an entry, or None when it is not read.

    The Python twin of diary.tracker.moods (mood_emotion / mood_source / mood_valence): the
    person's own choice first; otherwise the automatic reading, which is stored only when it is
    confident (an abstained reading leaves ai_emotion empty). `prefer="ai"` exists for the
    tracker of a person who explicitly chose the automatic reading first; music, compositions
    and welfare always use the default.
    """
    if prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {PREFERENCES}, not {prefer!r}")
    ai = None
    if entry.ai_emotion:
        valence, arousal = CIRCUMPLEX[entry.ai_emotion]
        ai = Mood(SOURCE_AI, entry.ai_emotion, dict(entry.ai_probabilities or one_hot(entry.ai_emotion)),
                  float(valence if entry.ai_valence is None else entry.ai_valence),
                  float(arousal if entry.ai_arousal is None else entry.ai_arousal))
    own = None
    if entry.self_mood:
        valence, arousal = CIRCUMPLEX[entry.self_mood]
        own = Mood(SOURCE_SELF, entry.self_mood, one_hot(entry.self_mood), valence, arousal)
    if prefer == PREFER_AI:
        return ai or own
    return own or ai


# --- The analysis of an entry, for the page and the API ------------------------------------------


@dataclass(frozen=True)
class EmotionRow:
    emotion: str
    label: str
    combined: float | None
    face: float | None
    text: float | None


@dataclass(frozen=True)
class Analysis:
    entry: Entry
    job: AnalysisJob | None
    result: AnalysisResult | None
    correction: Correction | None

    @property
    def status(self) -> str:
        """pending / running / done / no_face / failed, or "none" when nothing was asked yet."""
        return self.job.status if self.job is not None else "none"

    @property
    def status_label(self) -> str:
        return str(self.job.get_status_display()) if self.job is not None else ""

    @property
    def is_waiting(self) -> bool:
        return self.status in ("pending", "running")

    @property
    def reason(self) -> str:
        return reason_display(self.job.reason) if self.job is not None else ""

    @property
    def can_retry(self) -> bool:
        return self.status == "failed"

    @property
    def can_correct(self) -> bool:
        """There is a confident reading: "Is this right?" with yes / pick another."""
        return self.result is not None and bool(self.result.emotion)

    @property
    def abstained(self) -> bool:
        """A reading was made but it says "I can't tell" (or face and words disagreed)."""
        return self.result is not None and not self.result.emotion and self.status == "done"

    @property
    def can_answer(self) -> bool:
        """The person can say how they feel next to this reading (confirm, correct or choose)."""
        return self.can_correct or self.abstained

    @property
    def certainty(self) -> str:
        """"probably" or "maybe", for the confident reading shown."""
        if not self.can_correct:
            return ""
        return "probably" if (self.result.confidence or 0.0) >= PROBABLY_FROM else "maybe"

    @property
    def face_problem(self) -> str:
        """The sentence for a face found but not read ("The face is too small to read - ...")."""
        return face_quality_display(self.result.face_quality) if self.result is not None else ""

    @property
    def cant_tell(self) -> str:
        """"I can't tell from this photo / these words" for the parts that abstained."""
        if self.result is None or self.result.disagreement:
            return ""
        return cant_tell_display(face=self.result.face_abstained, words=self.result.text_abstained)

    @property
    def disagreement(self) -> dict | None:
        """Face and words confidently disagreed: each one's own emotion, shown side by side."""
        if self.result is None or not self.result.disagreement:
            return None
        face, text = self.result.face_probabilities or {}, self.result.text_probabilities or {}
        if not face or not text:
            return None
        face_top = max(EMOTIONS, key=lambda n: face.get(n, 0.0))
        text_top = max(EMOTIONS, key=lambda n: text.get(n, 0.0))
        return {"face": face_top, "face_label": str(EMOTION_LABELS[face_top]),
                "text": text_top, "text_label": str(EMOTION_LABELS[text_top])}

    @property
    def emotion_label(self) -> str:
        return str(EMOTION_LABELS[self.result.emotion]) if self.can_correct else ""

    @property
    def source_label(self) -> str:
        return str(self.result.get_source_display()) if self.can_correct else ""

    @property
    def rows(self) -> list[EmotionRow]:
        if self.result is None:
            return []
        combined = self.result.combined_probabilities or {}
        face = self.result.face_probabilities
        text = self.result.text_probabilities
        return [
            EmotionRow(
                emotion=name, label=str(EMOTION_LABELS[name]),
                combined=combined.get(name) if combined else None,
                face=face.get(name) if face else None,
                text=text.get(name) if text else None,
            )
            for name in EMOTIONS
        ]


def analysis_for_entry(*, entry: Entry) -> Analysis:
    """The entry's analysis; the caller has already checked that the reader may see the entry."""
    job = AnalysisJob.objects.filter(entry=entry).select_related("result").first()
    result = job.result if job is not None else None
    correction = Correction.objects.filter(entry=entry).first()
    return Analysis(entry=entry, job=job, result=result, correction=correction)


def analysis_get_visible_to(*, user: User, entry_id: int) -> Analysis:
    """The analysis of one of the reader's own entries, or 404 (never someone else's)."""
    return analysis_for_entry(entry=entry_get_visible_to(user=user, entry_id=entry_id))


def corrections_for_training(*, since: datetime.date | None = None) -> QuerySet[Correction]:
    """Labelled examples for retraining: each correction with its entry (for the photo path)."""
    corrections = Correction.objects.select_related("entry").order_by("pk")
    if since is not None:
        corrections = corrections.filter(updated_at__date__gte=since)
    return corrections
