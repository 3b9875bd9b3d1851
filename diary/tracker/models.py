"""The tracker's one stored setting: whose reading of an entry comes first on the person's own
tracker when both exist.

Person first is the default for everyone. A row exists only for someone who pressed "Save" on
the tracker's choice (diary.tracker.services.tracker_preference_set is its only writer), so a
stored "ai" is an explicit choice and is kept; everyone without a row has the default.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackerPreference(models.Model):
    class Prefer(models.TextChoices):
        SELF = "self", _("My own choice first; the automatic reading where I made none (recommended)")
        AI = "ai", _("The automatic reading first; my own choice where there is none")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracker_preference"
    )
    prefer = models.CharField(_("colour my days by"), max_length=8, choices=Prefer.choices, default=Prefer.SELF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "diary"

    def __str__(self) -> str:
        return f"{self.user} prefers {self.prefer}"


class DayMood(models.Model):
    """One person's mood figures for one day, kept up to date as their entries and readings change.

    Written only by diary.tracker.daily (the services that change entries or readings call it in
    their own transaction; `rebuild_day_moods` rebuilds every row), read by the tracker, Year in
    Pixels, the report and welfare's statistics instead of aggregating every entry on each request.
    A row exists only for a day with at least one entry. Every figure follows the one mood rule of
    diary.tracker.moods with the person's word first (DEFAULT_PREFER); the explicit "automatic
    reading first" tracker setting reads the entries themselves.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    entries = models.PositiveIntegerField()
    # Of the entries' valences (moods.mood_valence): how many, their sum and their sum of squares.
    valence_n = models.PositiveIntegerField()
    valence_sum = models.FloatField()
    valence_sq = models.FloatField()
    with_mood = models.PositiveIntegerField()  # entries that have a mood
    own = models.PositiveIntegerField()  # of those, the person's own choice
    # Entries of each mood (moodsite.emotions.EMOTIONS).
    angry = models.PositiveIntegerField()
    disgust = models.PositiveIntegerField()
    fear = models.PositiveIntegerField()
    happy = models.PositiveIntegerField()
    sad = models.PositiveIntegerField()
    surprise = models.PositiveIntegerField()
    neutral = models.PositiveIntegerField()
    # The mood that colours the day (moods.day_mood) and its source; blank when no entry has one.
    emotion = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=8, blank=True)
    last_entry_id = models.BigIntegerField()  # the day's newest entry (the calendar links to it)
    both = models.PositiveIntegerField()  # entries with both an own choice and a confident reading
    agree = models.PositiveIntegerField()  # of those, where the two name the same mood

    class Meta:
        app_label = "diary"
        constraints = [models.UniqueConstraint(fields=["owner", "day"], name="day_mood_owner_day")]

    def __str__(self) -> str:
        return f"{self.owner_id} · {self.day.isoformat()}"
