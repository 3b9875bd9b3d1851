from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.timezones import COMMON_ZONES, all_zones, valid_zone, zone_label


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, plus the browser's time zone (filled in by static/js/site.js)."""

    time_zone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-browser-zone": ""}))

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone", "").strip()
        return zone if valid_zone(zone) else ""


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"))
    other_time_zone = forms.CharField(
        label=_("Somewhere else?"), required=False, max_length=64,
        help_text=_(
            "Type the name of a big city near you in English, for example Lisbon, and choose it from the list."
        ),
        widget=forms.TextInput(attrs={"list": "time-zone-list", "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone", "birth_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(code, label) for code, label in COMMON_ZONES]
        current = self.instance.time_zone if self.instance else ""
        if current and current not in dict(choices):
            choices.insert(0, (current, zone_label(current)))
        self.fields["time_zone"].choices = choices
        self.fields["time_zone"].widget.attrs["data-zone-select"] = ""
        self.all_zones = all_zones()

    def clean(self):
        cleaned = super().clean()
        other = (cleaned.get("other_time_zone") or "").strip()
        if other:
            matches = [zone for zone in all_zones() if zone.lower() == other.lower()
                       or zone.lower().endswith("/" + other.lower().replace(" ", "_"))]
            if not matches:
                self.add_error("other_time_zone", _(
                    "We do not know this place. Please choose one of the suggestions, or a place from the list above."
                ))
            else:
                cleaned["time_zone"] = matches[0]
        return cleaned

    def clean_time_zone(self) -> str:
        return self.cleaned_data["time_zone"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right. Please try again."))
        return password
