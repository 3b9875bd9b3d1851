"""The diary's Celery tasks (Celery's autodiscovery looks for this module)."""

from diary.reminders.tasks import send_reminders_task  # noqa: F401
