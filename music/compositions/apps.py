from django.apps import AppConfig


class CompositionsConfig(AppConfig):
    """Generated music: pieces composed for an entry's mood, on our own workers."""

    name = "music.compositions"
    label = "compositions"
    verbose_name = "Generated music"

    def ready(self) -> None:
        from music.compositions import signals  # noqa: F401 - file clean-up, compose after analysis
