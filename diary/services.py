"""Writes to the diary. Views and API views call these; nothing else saves an Entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Entry
from diary.photos import CleanPhoto
from diary.tracker.daily import day_moods_changed


def today_for(user: User) -> datetime.date:
    """Today in the person's own time zone (an entry written at 00:30 in Seoul is about that day)."""
    return timezone.localtime(timezone.now(), user.zone).date()


# The earliest day an entry may be about when the profile has no birth year.
EARLIEST_ENTRY_DAY = datetime.date(1900, 1, 1)


def entry_day_range(owner: User) -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) day an entry of this person may be about: from their birth year (or
    1900) to tomorrow in their own time zone (tomorrow: a diary written just before midnight in
    one zone is already tomorrow for the server or a phone set to another)."""
    earliest = datetime.date(owner.birth_year, 1, 1) if owner.birth_year else EARLIEST_ENTRY_DAY
    return max(earliest, EARLIEST_ENTRY_DAY), today_for(owner) + datetime.timedelta(days=1)


def entry_day_check(*, owner: User, day: datetime.date) -> None:
    """Raise ValidationError({"day": ...}) with a sentence when `day` is outside entry_day_range."""
    earliest, latest = entry_day_range(owner)
    if day > latest:
        raise ValidationError({"day": _(
            "An entry can be about tomorrow (%(latest)s) at the latest. Please choose an earlier day."
        ) % {"latest": latest.isoformat()}})
    if day < earliest:
        message = (
            _("An entry cannot be about a day before the year you were born (%(year)s). Please check the year.")
            % {"year": owner.birth_year}
            if owner.birth_year and earliest.year == owner.birth_year
            else _("An entry cannot be about a day before %(earliest)s. Please check the year.")
            % {"earliest": earliest.isoformat()}
        )
        raise ValidationError({"day": message})


def _store_photo(entry: Entry, photo: CleanPhoto | None) -> list[str]:
    """Put the cleaned photo on the entry; returns the names of the files it replaces."""
    old = [f.name for f in (entry.photo, entry.thumbnail) if f and f.name]
    if photo is None:
        entry.photo = ""
        entry.thumbnail = ""
        return old
    entry.photo.save("photo.jpg", photo.photo, save=False)
    entry.thumbnail.save("thumb.jpg", photo.thumbnail, save=False)
    return old


def _delete_files_after_commit(entry: Entry, names: list[str]) -> None:
    storage = entry.photo.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _on_content_changed(entry: Entry) -> None:
    """The entry's photo or text changed: whatever reads them must look again, after commit."""
    from diary.hooks import entry_content_changed

    entry_content_changed(entry)


class EmptyEntry(ValidationError):
    """An entry with no words, no photo and no mood: there is nothing to keep."""

    def __init__(self):
        super().__init__(
            _("This entry is empty. Please write a few words, add a photo or choose how you feel, then save."),
            code="empty_entry",
        )


def _refuse_empty(entry: Entry) -> None:
    if not entry.text.strip() and not entry.photo and not entry.self_mood:
        raise EmptyEntry()


@transaction.atomic
def entry_create(
    *, owner: User, day: datetime.date | None = None, text: str = "",
    photo: CleanPhoto | None = None, self_mood: str = "", self_mood_strength: int | None = None,
) -> Entry:
    entry = Entry(owner=owner, day=day or today_for(owner), text=text, self_mood=self_mood,
                  self_mood_strength=self_mood_strength if self_mood else None)
    entry_day_check(owner=owner, day=entry.day)
    if photo is not None:
        _store_photo(entry, photo)
    _refuse_empty(entry)
    entry.full_clean()
    entry.save()
    day_moods_changed(days=[(entry.owner_id, entry.day)])
    _on_content_changed(entry)
    return entry


# A sentinel: "leave the photo as it is", as opposed to None, "remove the photo".
KEEP_PHOTO = object()
# Likewise for the other optional fields: "leave it as it is", as opposed to None, "clear it".
UNCHANGED = object()


@transaction.atomic
def entry_update(
    *, entry: Entry, day: datetime.date | None = None, text: str | None = None,
    photo: CleanPhoto | None | object = KEEP_PHOTO, self_mood: str | None = None,
    self_mood_strength: int | None | object = UNCHANGED,
) -> Entry:
    changed = False
    old_day = entry.day
    if day is not None and day != entry.day:
        entry_day_check(owner=entry.owner, day=day)
        entry.day = day
    if text is not None and text != entry.text:
        entry.text = text
        changed = True
    if self_mood is not None:
        entry.self_mood = self_mood
    if self_mood_strength is not UNCHANGED:
        entry.self_mood_strength = self_mood_strength  # type: ignore[assignment]
    if not entry.self_mood:
        entry.self_mood_strength = None
    replaced: list[str] = []
    if photo is not KEEP_PHOTO and (photo is not None or entry.photo):
        replaced = _store_photo(entry, photo)  # type: ignore[arg-type]
        changed = True
    _refuse_empty(entry)
    entry.full_clean()
    entry.save()
    day_moods_changed(days=[(entry.owner_id, old_day), (entry.owner_id, entry.day)])
    if replaced:
        _delete_files_after_commit(entry, replaced)
    if changed:
        _on_content_changed(entry)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry) -> None:
    # Files go in the post_delete receiver (diary.signals), which also covers account deletion.
    day = (entry.owner_id, entry.day)
    entry.delete()
    day_moods_changed(days=[day])
