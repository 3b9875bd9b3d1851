from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "welfare"
    verbose_name = "Welfare"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from diary.models import Entry
        from diary.wellbeing.signals import crisis_signalled
        from inference.signals import analysis_done
        from welfare import receivers

        analysis_done.connect(receivers.on_analysis_done, dispatch_uid="welfare.analysis_done")
        post_save.connect(receivers.on_entry_saved, sender=Entry, dispatch_uid="welfare.entry_saved")
        crisis_signalled.connect(receivers.on_crisis_signalled, dispatch_uid="welfare.crisis_signalled")
