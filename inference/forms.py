from django import forms
from django.utils.translation import gettext_lazy as _

from moodsite.emotions import EMOTION_CHOICES


class CorrectionForm(forms.Form):
    emotion = forms.ChoiceField(
        label=_("How do you really feel?"), choices=EMOTION_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how you feel."),
                        "invalid_choice": _("Please choose one of the seven emotions.")},
    )
