from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = "Diary"

    def ready(self) -> None:
        from diary import signals  # noqa: F401 - connects the file clean-up receivers
