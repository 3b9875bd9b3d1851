from django import forms
from django.utils.translation import gettext_lazy as _

from music.compositions.models import Composition

LENGTH_CHOICES = [
    (30, _("30 seconds")),
    (60, _("1 minute")),
    (90, _("1½ minutes")),
    (120, _("2 minutes")),
    (180, _("3 minutes")),
]


class ComposeForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Where should the music take you?"), choices=Composition.Target.choices,
        initial=Composition.Target.CALM, widget=forms.RadioSelect,
        help_text=_("The piece begins in today's mood and moves gently towards the one you choose."),
    )
    duration_s = forms.TypedChoiceField(
        label=_("Length"), choices=LENGTH_CHOICES, coerce=int, initial=60,
    )


class FeedbackForm(forms.Form):
    feedback = forms.ChoiceField(choices=[("", "")] + list(Composition.Feedback.choices), required=False)
