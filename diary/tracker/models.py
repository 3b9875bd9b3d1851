"""The tracker's one stored setting: whose reading of a day comes first when both exist."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackerPreference(models.Model):
    class Prefer(models.TextChoices):
        AI = "ai", _("The automatic reading, when there is one")
        SELF = "self", _("My own choice, when I made one")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracker_preference"
    )
    prefer = models.CharField(_("colour my days by"), max_length=8, choices=Prefer.choices, default=Prefer.AI)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "diary"

    def __str__(self) -> str:
        return f"{self.user} prefers {self.prefer}"
