from django import forms
from django.utils.translation import gettext_lazy as _

from music.models import MoodTag


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class CatalogueImportForm(forms.Form):
    files = MultipleFileField(
        label=_("CSV or JSON files"),
        help_text=_("The Last.fm mood-CSV layout (artist, music_name, duration, lastfm_url, youtube_url, "
                    "mood_EN, mood_KOR) or our own export. Several files may be chosen at once."),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows even if some rows are rejected"),
        required=False,
        help_text=_("Without this, a file with any error imports nothing."),
    )


class SetMoodForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Mood tags"), queryset=MoodTag.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    replace = forms.BooleanField(
        label=_("Replace the tracks' current tags"), required=False, initial=True,
        help_text=_("Unticked: the tags are added. Either way the coordinates follow the tags."),
    )


class PreferencesForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages of the lyrics"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Music without words is always offered. Leave all unticked for no preference."),
    )
    genres = forms.MultipleChoiceField(
        label=_("Genres I enjoy"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("These are offered a little more often."),
    )

    match_sadness = forms.BooleanField(
        label=_("Music that matches my sadness exactly"), required=False,
        help_text=_("When I feel sad, anxious or angry, also offer requiems, laments and other music about loss. "
                    "Otherwise gentle, consoling music comes first."),
    )

    def __init__(self, *args, languages=(), genres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = [(code, language_name(code)) for code in languages]
        self.fields["genres"].choices = [(genre, genre) for genre in genres]


LANGUAGE_NAMES = {
    "ko": _("Korean"), "en": _("English"), "ja": _("Japanese"), "zh": _("Chinese"), "de": _("German"),
    "fr": _("French"), "it": _("Italian"), "es": _("Spanish"), "la": _("Latin"), "ru": _("Russian"),
    "zxx": _("no words (instrumental)"),
}


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))
