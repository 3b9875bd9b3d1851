"""Answers to the self-report questionnaires, crisis signals, and the two-weekly prompt's state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from diary.wellbeing.instruments import GDS15, PHQ9, UCLA3


class SelfCheck(models.Model):
    """One questionnaire answered once. Scores are stored as the published rules give them."""

    class Instrument(models.TextChoices):
        PHQ9 = PHQ9, "PHQ-9"
        GDS15 = GDS15, "GDS-15"
        UCLA3 = UCLA3, "UCLA-3"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_checks")
    instrument = models.CharField(max_length=8, choices=Instrument.choices)
    day = models.DateField(_("day"))
    answers = models.JSONField(default=dict)
    # PHQ: the PHQ-2 screen (items 1-2, 0-6). The total is None while a positive screen waits
    # for the other seven items, and stays None after a negative screen (they are not asked).
    screen_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "instrument", "created_at"], name="selfcheck_owner_instr")]

    def __str__(self) -> str:
        return f"{self.owner} · {self.instrument} · {self.day}"


class CrisisSignal(models.Model):
    """A moment that showed crisis help: a PHQ-9 item 9 answer, or diary words about dying or self-harm.

    Only the rule's name is kept, never a copy of the words: the entry itself is the record.
    """

    class Source(models.TextChoices):
        PHQ_ITEM9 = "phq_item9", _("a questionnaire answer")
        ENTRY_TEXT = "entry_text", _("the words of a diary entry")

    class Level(models.TextChoices):
        CLEAR = "clear", _("clear")
        POSSIBLE = "possible", _("possible")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_signals")
    source = models.CharField(max_length=12, choices=Source.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    # A POSSIBLE match becomes a signal for the caseworker only once the text model agrees.
    confirmed = models.BooleanField(default=False)
    rule = models.CharField(max_length=40, blank=True)
    entry = models.ForeignKey(
        "diary.Entry", on_delete=models.CASCADE, null=True, blank=True, related_name="crisis_signals"
    )
    self_check = models.ForeignKey(SelfCheck, on_delete=models.CASCADE, null=True, blank=True, related_name="signals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "created_at"], name="crisis_owner_created")]

    def __str__(self) -> str:
        return f"{self.owner} · {self.source} · {self.created_at:%Y-%m-%d}"


class CheckPrompt(models.Model):
    """Whether and when to offer the questionnaires again (one row per person, made when needed)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_prompt")
    enabled = models.BooleanField(_("offer the wellbeing check every two weeks"), default=True)
    snoozed_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} · check prompt"
