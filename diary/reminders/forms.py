from django import forms
from django.utils.translation import gettext_lazy as _

from diary.reminders.models import ReminderPreference


class ReminderForm(forms.Form):
    enabled = forms.BooleanField(label=_("Remind me once a day to write how I feel"), required=False)
    time = forms.TimeField(
        label=_("At this time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In your own time zone. No reminder comes on a day you have already written."),
        error_messages={"required": _("Please choose a time, for example 19:00."),
                        "invalid": _("Please write the time as hours and minutes, for example 19:00.")},
    )
    channel = forms.ChoiceField(label=_("How"), choices=ReminderPreference.Channel.choices,
                                widget=forms.RadioSelect)

    def __init__(self, *args, push: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not push:  # no VAPID keys on this server: push is simply not offered
            email = ReminderPreference.Channel.EMAIL
            self.fields["channel"].choices = [(email.value, email.label)]
