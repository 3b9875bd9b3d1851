from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    """Validated self-report questionnaires (PHQ-9, GDS-15, UCLA-3) and crisis help."""

    name = "diary.wellbeing"
    label = "wellbeing"
    verbose_name = "Wellbeing checks"

    def ready(self) -> None:
        from diary.wellbeing import signals  # noqa: F401 - connects the signal receivers
