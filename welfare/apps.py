from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "welfare"
    verbose_name = "Welfare"

    def ready(self) -> None:
        from welfare import signals  # noqa: F401 - connects the signal receivers
