import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from diary.storage import private_storage
from moodsite.emotions import EMOTION_CHOICES

ENTRY_TEXT_MAX_LENGTH = 10_000


def photo_path(entry: "Entry", filename: str) -> str:
    # A random name: the stored file says nothing about the person or the original file name.
    return f"photos/{entry.owner_id}/{uuid.uuid4().hex}.jpg"


def thumbnail_path(entry: "Entry", filename: str) -> str:
    return f"photos/{entry.owner_id}/thumbs/{uuid.uuid4().hex}.jpg"


class MoodStrength(models.IntegerChoices):
    """How strongly the person feels their mood (optional, with the check-in)."""

    A_LITTLE = 1, _("a little")
    QUITE = 2, _("quite")
    VERY = 3, _("very")


class Entry(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("day"), help_text=_("The day this entry is about."))
    text = models.TextField(
        _("text"), blank=True, max_length=ENTRY_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(ENTRY_TEXT_MAX_LENGTH)],
    )
    photo = models.ImageField(_("photo"), storage=private_storage, upload_to=photo_path, blank=True)
    thumbnail = models.ImageField(storage=private_storage, upload_to=thumbnail_path, blank=True, editable=False)
    self_mood = models.CharField(_("how I feel"), max_length=16, choices=EMOTION_CHOICES, blank=True)
    self_mood_strength = models.PositiveSmallIntegerField(
        _("how strongly"), choices=MoodStrength.choices, null=True, blank=True
    )
    # The current automatic reading (the combined face + text distribution), copied here by the
    # analysis pipeline so that the tracker, music and welfare aggregate in one indexed query.
    ai_emotion = models.CharField(max_length=16, choices=EMOTION_CHOICES, blank=True)
    ai_probabilities = models.JSONField(null=True, blank=True)
    ai_valence = models.FloatField(null=True, blank=True)
    ai_arousal = models.FloatField(null=True, blank=True)
    ai_confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "-created_at"]
        indexes = [models.Index(fields=["owner", "day"], name="entry_owner_day")]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.owner} · {self.day.isoformat()}"

    @property
    def excerpt(self) -> str:
        return self.text[:140] + ("…" if len(self.text) > 140 else "")


# The mood tracker's setting lives in its own package; imported here so Django registers it.
from diary.reminders.models import PushSubscription, ReminderPreference, ReminderSent  # noqa: E402,F401
from diary.tracker.models import TrackerPreference  # noqa: E402,F401
