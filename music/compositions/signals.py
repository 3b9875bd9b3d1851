"""Files leave storage with their composition (one delete, the entry's, or the account's), and,
when COMPOSE_AFTER_ANALYSIS is on, a piece is composed after each finished analysis."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete
from django.dispatch import receiver

from inference.signals import analysis_done
from music.compositions.models import Composition

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Composition)
def composition_files_delete(sender, instance: Composition, **kwargs) -> None:
    for field in (instance.audio, instance.audio_mp3, instance.midi):
        if field and field.name:
            field.storage.delete(field.name)


@receiver(analysis_done)
def compose_after_analysis(sender, entry_id: int, status: str, **kwargs) -> None:
    if not getattr(settings, "COMPOSE_AFTER_ANALYSIS", False):
        return
    from diary.models import Entry
    from music.compositions.services import composition_request_automatic

    entry = Entry.objects.filter(pk=entry_id).select_related("owner").first()
    if entry is None:
        return
    try:
        composition_request_automatic(entry=entry)
    except ValidationError as error:  # no mood, or the person's daily allowance is used up
        logger.info("No automatic composition for entry %s: %s", entry_id, "; ".join(error.messages))
