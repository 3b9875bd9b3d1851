from django import forms
from django.utils.translation import gettext_lazy as _

from diary.models import ENTRY_TEXT_MAX_LENGTH, Entry
from diary.photos import CleanPhoto, clean_photo
from inference.emotions import EMOTION_CHOICES


class EntryForm(forms.Form):
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
    self_mood = forms.ChoiceField(
        label=_("How do you feel? (optional)"), required=False,
        choices=[("", _("I'd rather not say"))] + EMOTION_CHOICES,
    )

    def __init__(self, *args, entry: Entry | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry is None or not entry.photo:
            del self.fields["remove_photo"]

    def clean_photo(self) -> CleanPhoto | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return clean_photo(upload)
