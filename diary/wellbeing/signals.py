"""The wellbeing checks' signal, and their receiver (imported by WellbeingConfig.ready).

crisis_signalled is sent when crisis help was shown for a reason a caseworker may need to know
(committed). The diary does not import welfare: welfare connects to this and decides, by the
member's consent, whether an urgent alert is raised. kwargs: signal_id (int), owner_id (int).
"""

from django.dispatch import Signal, receiver

from diary.wellbeing.models import CrisisSignal
from inference.signals import analysis_done

crisis_signalled = Signal()


@receiver(analysis_done, dispatch_uid="wellbeing.analysis_done")
def on_analysis_done(sender, *, entry_id: int, **kwargs) -> None:
    """After the worker has read an entry's words: the text model may confirm a possible crisis match."""
    from diary.wellbeing.services import entry_text_confirm
    from inference.models import AnalysisResult

    waiting = CrisisSignal.objects.filter(
        entry_id=entry_id, level=CrisisSignal.Level.POSSIBLE, confirmed=False
    ).exists()
    if not waiting:
        return  # the usual case: one indexed query and nothing else
    result = (
        AnalysisResult.objects.filter(entry_id=entry_id, text_probabilities__isnull=False)
        .order_by("-updated_at").values_list("text_probabilities", flat=True).first()
    )
    entry_text_confirm(entry_id=entry_id, text_probabilities=result)
