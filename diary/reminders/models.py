"""The gentle daily reminder: the person's setting, their devices for Web Push, and the sent log."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ReminderPreference(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PUSH = "push", _("A notification on this device")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reminder_preference")
    enabled = models.BooleanField(_("remind me to write"), default=False)
    time = models.TimeField(_("at this time"), default=datetime.time(19, 0),
                            help_text=_("In your own time zone (your profile's)."))
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # In every reminder e-mail's one-click "stop these reminders" link; no login needed.
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "diary"
        indexes = [models.Index(fields=["enabled"], name="reminder_enabled", condition=models.Q(enabled=True))]

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.enabled else 'off'} at {self.time:%H:%M} by {self.channel}"


class PushSubscription(models.Model):
    """One browser that allowed notifications (the Push API's subscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "diary"

    def __str__(self) -> str:
        return f"push for {self.user}"


class ReminderSent(models.Model):
    """One row per person and local day: claimed before sending, so never two reminders a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent")
    day = models.DateField()
    channel = models.CharField(max_length=8)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "diary"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"reminder to {self.user} on {self.day}"
