from django import forms
from django.utils.translation import gettext_lazy as _

from welfare.models import CODE_LENGTH


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code your welfare centre gave you"),
        max_length=20,
        help_text=_("Letters and digits, for example HX7K2PQM. Spaces and dashes do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("A centre code has %(n)s letters and digits. Please check the code and try again."),
                params={"n": CODE_LENGTH},
            )
        return code


class ConsentForm(forms.Form):
    """Each scope is its own box; nothing is ticked for the member."""

    share_mood = forms.BooleanField(
        label=_("Share my mood scores and activity"),
        required=False,
        help_text=_("Needed to link: daily mood scores, the automatic emotion reading, and on which days I wrote."),
    )
    share_text = forms.BooleanField(
        label=_("Also share the text of my entries (optional)"),
        required=False,
        help_text=_("My caseworker can then read what I write. I can turn this off at any time."),
    )
    share_checks = forms.BooleanField(
        label=_("Also share my wellbeing check results and crisis signals (optional)"),
        required=False,
        help_text=_(
            "My caseworker sees my questionnaire scores, and is told at once, by an urgent alert, when the "
            "site showed me crisis help. I can turn this off at any time."
        ),
    )
    text_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_share_mood(self) -> bool:
        if not self.cleaned_data["share_mood"]:
            raise forms.ValidationError(
                _(
                    "Sharing mood scores and activity is needed to link with a centre. "
                    "Tick the box to agree, or leave this page if you do not want to link."
                )
            )
        return True


class ResolveAlertForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: called her on Tuesday, she is fine and will write again."),
        error_messages={"required": _("Please write a short note saying what was done.")},
    )


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label=_("New case note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The client can read case notes in their data download."),
        error_messages={"required": _("The note is empty. Please write something first.")},
    )
