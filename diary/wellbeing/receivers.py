"""After the worker has read an entry's words: the text model may confirm a possible crisis match."""

from diary.wellbeing.models import CrisisSignal


def on_analysis_done(sender, *, entry_id: int, **kwargs) -> None:
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
