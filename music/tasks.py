"""Celery tasks of the music app (queue "default"). Each takes ids and can safely run twice."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def entry_recommendations_task(entry_id: int) -> None:
    """Compute and store an entry's default recommendations (replacing any earlier ones)."""
    from diary.models import Entry
    from music.services import recommendations_compute

    entry = Entry.objects.select_related("owner").filter(pk=entry_id).first()
    if entry is None:
        return
    recommendations_compute(entry=entry)


@shared_task(ignore_result=True)
def music_recover_task() -> dict:
    """Send again the music work whose task was lost (sent while the broker was down)."""
    from moodsite.tasking import send
    from music.compositions.services import composition_recover
    from music.models import Track

    tracks = 0
    for pk in Track.objects.filter(analysis_status=Track.AnalysisStatus.PENDING).values_list("pk", flat=True)[:100]:
        if not send(track_audio_analyse_task, pk):
            break
        tracks += 1
    return {"compositions": composition_recover(), "tracks": tracks}


@shared_task(bind=True, ignore_result=True, soft_time_limit=150, time_limit=180, max_retries=5)
def track_audio_analyse_task(self, track_id: int) -> None:
    """Estimate tempo, mode, key and energy of a track's audio file and store suggested coordinates."""
    from diary.storage import storage_unavailable_errors
    from music.audio import track_audio_analyse

    try:
        track_audio_analyse(track_id=track_id)
    except storage_unavailable_errors() as error:  # the object store is down: try again later
        raise self.retry(exc=error, countdown=30) from error
