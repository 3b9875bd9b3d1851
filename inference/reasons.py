"""The sentences a person reads when an analysis ends without a reading.

Stored in English in AnalysisJob.reason and translated when shown (`reason_display`), so a
Korean reader sees Korean whatever language the worker ran in.
"""

from django.utils.translation import gettext, gettext_noop

PHOTO_MISSING = gettext_noop(
    "The photo for this entry could not be found. Please add the photo again, then try again."
)
PHOTO_UNREADABLE = gettext_noop("The photo could not be read. Please add the photo again.")
MODEL_UNAVAILABLE = gettext_noop(
    "The emotion reader is not available on the server right now. Please try again later."
)
UNEXPECTED = gettext_noop("Something went wrong while reading this entry. Please try again.")
TOO_MANY_ATTEMPTS = gettext_noop(
    "Reading this entry was interrupted several times. Please try again, or try another photo."
)
NO_FACE = gettext_noop("We could not find a face in this photo.")
NO_FACE_NO_WORDS = gettext_noop(
    "We could not find a face in this photo, and there were not enough words to read."
)
NO_PHOTO_NO_WORDS = gettext_noop(
    "This entry has no photo and not enough words to read. Add a photo or a few more words."
)
NO_PHOTO = gettext_noop("This entry has no photo to read.")


def no_reading(*, has_photo: bool, has_text: bool) -> str:
    if has_photo:
        return NO_FACE_NO_WORDS if has_text else NO_FACE
    return NO_PHOTO_NO_WORDS if has_text else NO_PHOTO


def reason_display(reason: str) -> str:
    return gettext(reason) if reason else ""
