"""Celery task: compose, render and store one piece (on the default queue, with the music)."""

from celery import shared_task

from music.compositions import services


@shared_task(name="music.compositions.compose", ignore_result=True)
def compose_task(composition_id: int) -> str:
    """Idempotent: a piece that is done, failed, deleted or being made by a live worker is left
    alone; a pending one (or one whose worker died mid-way) is made. Returns what happened."""
    return services.composition_run(composition_id=composition_id)
