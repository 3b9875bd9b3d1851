"""What the analysis pipeline stores: the job per entry, the readings, the models that made them,
and the person's corrections.

Pure Django (no torch): the web processes import this freely.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from diary.models import Entry
from moodsite.emotions import EMOTION_CHOICES


class ModelVersion(models.Model):
    """A model that has been deployed: the workers register the one they load."""

    class Kind(models.TextChoices):
        FACE = "face", _("face")
        TEXT = "text", _("text")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=64)
    checksum = models.CharField(max_length=128, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    deployed_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "version"], name="model_version_unique"),
        ]
        ordering = ["kind", "-deployed_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.kind})"

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


class AnalysisJob(models.Model):
    """One per entry: the entry's place in the analysis queue and how its last analysis went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("queued")
        RUNNING = "running", _("analysing")
        DONE = "done", _("done")
        NO_FACE = "no_face", _("no face found")
        FAILED = "failed", _("failed")

    FINAL_STATUSES = frozenset({Status.DONE, Status.NO_FACE, Status.FAILED})

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="analysis_job")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # A sentence for the person ("The photo could not be found. Please add it again."), never a traceback.
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # 0: a person just saved the entry; 1: background work (reanalyse). Lower goes first.
    priority = models.PositiveSmallIntegerField(default=0)
    # Set by each claim: the worker that holds the job proves it with this token when it finishes,
    # so a worker that lost the job (re-requested, or taken back from a dead worker) cannot finish it.
    claim_token = models.CharField(max_length=32, blank=True)
    # "host:pid" of the worker process holding the job, so a restarted worker can take back at once
    # the jobs that a dead process on its own machine was holding.
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField()
    # The reading of the entry's current photo and text; cleared when they change.
    result = models.ForeignKey("AnalysisResult", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Claiming takes the oldest pending jobs; recovery looks for old pending/running ones.
            models.Index(fields=["status", "priority", "requested_at"], name="analysis_job_claim"),
            models.Index(
                fields=["claimed_at"], name="analysis_job_running",
                condition=Q(status="running"),
            ),
        ]

    def __str__(self) -> str:
        return f"analysis of entry {self.entry_id}: {self.status}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class AbstainReason(models.TextChoices):
    FACE_UNSURE = "face_unsure", _("the face could not be read with confidence")
    TEXT_UNSURE = "text_unsure", _("the words could not be read with confidence")
    UNSURE = "unsure", _("neither the face nor the words could be read with confidence")
    DISAGREE = "disagree", _("the face and the words say different things")
    FACE_TOO_SMALL = "face_too_small", _("the face is too small to read")
    FACE_BLURRED = "face_blurred", _("the face is too blurred to read")
    FACE_DARK = "face_dark", _("the face is too dark to read")
    FACE_TURNED_AWAY = "face_turned_away", _("the face is turned away")
    FACE_COVERED = "face_covered", _("the face is partly covered")


class FaceQuality(models.TextChoices):
    TOO_SMALL = "too_small", _("too small")
    BLURRED = "blurred", _("blurred")
    DARK = "dark", _("too dark")
    TURNED_AWAY = "turned_away", _("turned away")
    COVERED = "covered", _("partly covered")


class AnalysisResult(models.Model):
    """What the models read in one entry. One row per (entry, models used): running a job again
    with the same models updates the row instead of adding one."""

    class Source(models.TextChoices):
        FACE = "face", _("the face")
        TEXT = "text", _("the words")
        COMBINED = "combined", _("the face and the words together")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="analysis_results")
    # "face-name@version+text-name@version": the models that produced this reading.
    model_key = models.CharField(max_length=300)
    face_model = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="face_results")
    text_model = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="text_results")
    has_photo = models.BooleanField(default=False)
    face_found = models.BooleanField(default=False)
    faces = models.PositiveSmallIntegerField(default=0)
    face_box = models.JSONField(null=True, blank=True)
    face_probabilities = models.JSONField(null=True, blank=True)
    face_confidence = models.FloatField(null=True, blank=True)
    text_probabilities = models.JSONField(null=True, blank=True)
    text_confidence = models.FloatField(null=True, blank=True)
    combined_probabilities = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, blank=True)
    emotion = models.CharField(max_length=16, choices=EMOTION_CHOICES, blank=True)
    valence = models.FloatField(null=True, blank=True)
    arousal = models.FloatField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    # Honest uncertainty (inference.abstaining): an abstained reading keeps its probabilities but
    # has no emotion, valence or arousal, so nothing acts on it; the reason says why.
    abstained = models.BooleanField(default=False)
    abstain_reason = models.CharField(max_length=24, choices=AbstainReason.choices, blank=True)
    face_abstained = models.BooleanField(default=False)
    text_abstained = models.BooleanField(default=False)
    # Both parts confident, on opposite sides (one pleasant, one unpleasant): both are shown.
    disagreement = models.BooleanField(default=False)
    # Why the face found was not read (inference.face_quality: too_small, blurred, ...), "" if read.
    face_quality = models.CharField(max_length=16, choices=FaceQuality.choices, blank=True)
    # A photo without a face, read as a scene (inference.scene): valence/arousal on [-1, 1], and the
    # photo's mean brightness/saturation in [0, 1] for the explanation. scene_reason says why a
    # photo was not read as a scene (uniform, few_colours, document).
    scene_read = models.BooleanField(default=False)
    scene_reason = models.CharField(max_length=16, blank=True)
    scene_valence = models.FloatField(null=True, blank=True)
    scene_arousal = models.FloatField(null=True, blank=True)
    scene_brightness = models.FloatField(null=True, blank=True)
    scene_saturation = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "model_key"], name="analysis_result_unique_per_model"),
        ]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.emotion or 'no reading'} ({self.model_key})"

    @property
    def has_reading(self) -> bool:
        return bool(self.emotion)

    @property
    def scene_description(self) -> str:
        """"The photo looks bright and calm": the scene reading in plain words, or ""."""
        if not self.scene_read or self.scene_valence is None:
            return ""
        bright = (self.scene_brightness or 0) >= 0.5
        light = pgettext_lazy("scene light", "bright") if bright else pgettext_lazy("scene light", "dim")
        lively = (self.scene_arousal or 0) >= 0
        if self.scene_valence >= 0.1:
            mood = pgettext_lazy("scene mood", "cheerful") if lively else pgettext_lazy("scene mood", "calm")
        elif self.scene_valence <= -0.1:
            mood = pgettext_lazy("scene mood", "tense") if lively else pgettext_lazy("scene mood", "gloomy")
        else:
            mood = pgettext_lazy("scene mood", "quiet")
        return _("The photo looks %(light)s and %(mood)s.") % {"light": light, "mood": mood}


class Correction(models.Model):
    """The person's answer to "Is this right?": a labelled example next to the prediction it
    confirms or corrects (or, when the reading abstained, the feeling the reader could not tell)."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("the reading was right")
        CORRECTED = "corrected", _("the reading was wrong")
        CHOSEN = "chosen", _("there was no confident reading; the person said how they feel")

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="analysis_correction")
    result = models.ForeignKey(AnalysisResult, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="corrections")
    # The prediction as it was when corrected (the result row may be re-analysed later).
    predicted_emotion = models.CharField(max_length=16, choices=EMOTION_CHOICES, blank=True)
    predicted_source = models.CharField(max_length=8, blank=True)
    predicted_face_emotion = models.CharField(max_length=16, choices=EMOTION_CHOICES, blank=True)
    predicted_text_emotion = models.CharField(max_length=16, choices=EMOTION_CHOICES, blank=True)
    model_key = models.CharField(max_length=300, blank=True)
    corrected_emotion = models.CharField(_("how I really feel"), max_length=16, choices=EMOTION_CHOICES)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CORRECTED)
    predicted_confidence = models.FloatField(null=True, blank=True)
    predicted_abstained = models.BooleanField(default=False)
    predicted_abstain_reason = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.predicted_emotion or '?'} -> {self.corrected_emotion}"
