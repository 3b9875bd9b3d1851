"""Signal receivers: recommendations after an analysis, cache invalidation, audio file clean-up."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from inference.signals import analysis_done
from moodsite.tasking import send_after_commit
from music.models import MoodTag, Track


@receiver(analysis_done, dispatch_uid="music.analysis_done")
def recommendations_after_analysis(sender, entry_id: int, status: str = "", **kwargs) -> None:
    """An entry's mood reading is ready: compute its recommendations in a worker."""
    from music.tasks import entry_recommendations_task

    # If the broker is down, the music page computes them when it finds none stored.
    send_after_commit(entry_recommendations_task, entry_id)


@receiver(post_save, sender=Track, dispatch_uid="music.track_saved")
@receiver(post_delete, sender=Track, dispatch_uid="music.track_deleted")
@receiver(post_save, sender=MoodTag, dispatch_uid="music.tag_saved")
@receiver(post_delete, sender=MoodTag, dispatch_uid="music.tag_deleted")
def catalogue_touched(sender, **kwargs) -> None:
    from music.services import catalogue_changed

    catalogue_changed()


@receiver(m2m_changed, sender=Track.mood_tags.through, dispatch_uid="music.track_tags_changed")
def catalogue_tags_touched(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        from music.services import catalogue_changed

        catalogue_changed()


@receiver(post_delete, sender=Track, dispatch_uid="music.track_audio_delete")
def track_audio_delete(sender, instance: Track, **kwargs) -> None:
    if instance.audio and instance.audio.name:
        name, storage = instance.audio.name, instance.audio.storage
        transaction.on_commit(lambda: storage.delete(name))
