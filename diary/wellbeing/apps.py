from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    """Validated self-report questionnaires (PHQ-9, GDS-15, UCLA-3) and crisis help."""

    name = "diary.wellbeing"
    label = "wellbeing"
    verbose_name = "Wellbeing checks"

    def ready(self) -> None:
        from diary.wellbeing import receivers
        from inference.signals import analysis_done

        analysis_done.connect(receivers.on_analysis_done, dispatch_uid="wellbeing.analysis_done")
