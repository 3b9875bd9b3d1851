from celery import shared_task

from diary.reminders import services


@shared_task(name="diary.reminders.tasks.send_reminders_task", ignore_result=True)
def send_reminders_task() -> dict[str, int]:
    """Periodic (beat, every REMINDER_CHECK_INTERVAL seconds): send the reminders that are due.
    Safe to run twice: each reminder is claimed by its unique per-person-per-day log row."""
    return services.reminders_send_due()
