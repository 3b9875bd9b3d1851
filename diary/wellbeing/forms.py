"""One radio group per question, built from the instrument's items."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from diary.wellbeing.instruments import Instrument


class QuestionnaireForm(forms.Form):
    def __init__(self, *args, instrument: Instrument, item_codes: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, code in enumerate(item_codes, start=1):
            item = instrument.item(code)
            self.fields[code] = forms.TypedChoiceField(
                label=item.text,
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose an answer for this question.")},
            )
            self.fields[code].number = int(re.sub(r"\D", "", code) or number)
