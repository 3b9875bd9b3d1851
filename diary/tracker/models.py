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
