from django.apps import AppConfig


class MusicConfig(AppConfig):
    name = "music"
    verbose_name = "Music"

    def ready(self) -> None:
        from music import signals  # noqa: F401 - connects the signal receivers
