import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from diary.storage import private_storage
from moodsite.emotions import EMOTION_LABELS
from music.compositions.mapping import MAX_DURATION_S, MIN_DURATION_S


def audio_path(composition: "Composition", filename: str) -> str:
    # A random name: the stored file says nothing about the person, the entry or the mood.
    return f"compositions/{composition.owner_id}/{uuid.uuid4().hex}.ogg"


def mp3_path(composition: "Composition", filename: str) -> str:
    return f"compositions/{composition.owner_id}/{uuid.uuid4().hex}.mp3"


def midi_path(composition: "Composition", filename: str) -> str:
    return f"compositions/{composition.owner_id}/{uuid.uuid4().hex}.mid"


class Composition(models.Model):
    """A piece composed for an entry's mood. It belongs to the entry's owner and nobody else."""

    class Target(models.TextChoices):
        CALM = "calm", _("Calm")
        JOYFUL = "joyful", _("Joyful")
        ENERGISED = "energised", _("Energised")
        MATCH = "match", _("Stay with my mood")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Composing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Feedback(models.TextChoices):
        LIKE = "like", _("I like it")
        DISLIKE = "dislike", _("Not for me")

    class Origin(models.TextChoices):
        PERSON = "person", _("Asked for")
        AUTOMATIC = "automatic", _("After the analysis")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compositions")
    entry = models.ForeignKey("diary.Entry", on_delete=models.CASCADE, related_name="compositions")
    target = models.CharField(_("towards"), max_length=16, choices=Target.choices, default=Target.CALM)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PERSON)
    # Where the piece starts: the entry's mood when it was asked for (analysis, else self-report).
    start_source = models.CharField(max_length=8)
    start_emotion = models.CharField(max_length=16)
    start_valence = models.FloatField()
    start_arousal = models.FloatField()
    target_valence = models.FloatField()
    target_arousal = models.FloatField()
    duration_s = models.PositiveSmallIntegerField(
        _("length in seconds"), default=60,
        validators=[MinValueValidator(MIN_DURATION_S), MaxValueValidator(MAX_DURATION_S)],
    )
    seed = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    error = models.CharField(max_length=200, blank=True)
    audio = models.FileField(storage=private_storage, upload_to=audio_path, blank=True)
    # The same piece as MP3, for browsers that cannot play Ogg Vorbis (older iPhones' Safari).
    audio_mp3 = models.FileField(storage=private_storage, upload_to=mp3_path, blank=True)
    midi = models.FileField(storage=private_storage, upload_to=midi_path, blank=True)
    params = models.JSONField(default=dict, blank=True)
    feedback = models.CharField(max_length=8, choices=Feedback.choices, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["entry", "-created_at"], name="composition_entry_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_s__gte=MIN_DURATION_S, duration_s__lte=MAX_DURATION_S),
                name="composition_duration_range",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="composition_progress_range"),
        ]

    def __str__(self) -> str:
        return f"composition {self.pk} · entry {self.entry_id} · {self.target}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def lift(self) -> bool:
        return self.target != self.Target.MATCH

    @property
    def start_emotion_label(self) -> str:
        return str(EMOTION_LABELS.get(self.start_emotion, self.start_emotion))
