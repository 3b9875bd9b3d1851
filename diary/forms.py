from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from diary.models import ENTRY_TEXT_MAX_LENGTH, Entry, MoodStrength
from diary.photos import CleanPhoto, clean_photo
from diary.services import entry_day_check, entry_day_range
from moodsite.emotions import EMOTION_CHOICES, EMOTION_ICONS

CHECKIN_FIELDS = ("self_mood", "self_mood_strength")


class EntryForm(forms.Form):
    # The check-in comes first and is the biggest control (diary/_checkin.html renders it).
    self_mood = forms.ChoiceField(
        label=_("How do you feel?"), required=False, widget=forms.RadioSelect,
        choices=[("", _("I'd rather not say"))] + EMOTION_CHOICES,
        error_messages={"invalid_choice": _("Please choose one of the seven feelings, or \"I'd rather not say\".")},
    )
    self_mood_strength = forms.TypedChoiceField(
        label=_("How strongly? (optional)"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Not sure"))] + MoodStrength.choices, coerce=int, empty_value=None,
        error_messages={"invalid_choice": _("Please choose a little, quite or very.")},
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(
        label=_("How was your day?"), required=False, max_length=ENTRY_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # A plain FileField: the photo is judged by clean_photo from its bytes, with our own messages.
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        help_text=_("A JPEG, PNG, WebP or HEIC photo of up to 10 MB. Its location and camera data are removed."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
        ),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def __init__(self, *args, owner, entry: Entry | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.entry = entry
        earliest, latest = entry_day_range(owner)
        self.fields["day"].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())
        if entry is None or not entry.photo:
            del self.fields["remove_photo"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if self.entry is None or day != self.entry.day:
            try:
                entry_day_check(owner=self.owner, day=day)
            except ValidationError as error:
                raise ValidationError(error.message_dict["day"]) from None
        return day

    def mood_options(self) -> list[dict]:
        """The seven moods as the check-in's big buttons: code, word, icon, and whether chosen."""
        chosen = str(self["self_mood"].value() or "")
        return [
            {"value": value, "label": label, "icon": EMOTION_ICONS.get(value, ""), "checked": value == chosen}
            for value, label in self.fields["self_mood"].choices
        ]

    def strength_options(self) -> list[dict]:
        chosen = str(self["self_mood_strength"].value() or "")
        return [{"value": str(value), "label": label, "checked": str(value) == chosen}
                for value, label in self.fields["self_mood_strength"].choices]

    def other_fields(self) -> list:
        """Everything after the check-in, in order (rendered by form_fields.html's loop)."""
        return [field for field in self.visible_fields() if field.name not in CHECKIN_FIELDS]

    def clean(self):
        data = super().clean()
        if not data.get("self_mood"):
            data["self_mood_strength"] = None  # "how strongly" means nothing without a mood
        return data

    def clean_photo(self) -> CleanPhoto | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return clean_photo(upload)
