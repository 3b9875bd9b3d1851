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
# The detector finds faces that look at the camera and are not covered: say so.
NO_FACE = gettext_noop(
    "We could not find a face in this photo. If the face is turned away or partly covered, "
    "try a photo that shows the whole face, looking at the camera."
)
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


# --- Honest uncertainty: why a reading (or one part of it) was not given ------------------------

FACE_QUALITY = {
    "too_small": gettext_noop("The face is too small to read — try a closer photo."),
    "blurred": gettext_noop("The face is too blurred to read — try a sharper photo, holding the camera still."),
    "dark": gettext_noop("The face is too dark to read — try a photo in better light."),
    "turned_away": gettext_noop("The face is turned away — try a photo looking at the camera."),
    "covered": gettext_noop("The face is partly covered — try a photo that shows the whole face."),
}
CANT_TELL_PHOTO = gettext_noop("I can't tell from this photo.")
CANT_TELL_WORDS = gettext_noop("I can't tell from these words.")
CANT_TELL_EITHER = gettext_noop("I can't tell from this photo or from these words.")


def face_quality_display(problem: str) -> str:
    return gettext(FACE_QUALITY[problem]) if problem in FACE_QUALITY else ""


def cant_tell_display(*, face: bool, words: bool) -> str:
    if face and words:
        return gettext(CANT_TELL_EITHER)
    if face:
        return gettext(CANT_TELL_PHOTO)
    return gettext(CANT_TELL_WORDS) if words else ""
