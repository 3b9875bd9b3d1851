"""What happens when an entry's photo or text changes.

Kept in one small module so the diary does not import the analysis pipeline at module load
(the pipeline imports the diary); the call happens inside entry_create / entry_update.
"""

from diary.models import Entry


def entry_content_changed(entry: Entry) -> None:
    """Look for words about dying or self-harm now (help shows on the next page), then ask for a
    fresh analysis; the task is sent once the transaction commits."""
    from diary.wellbeing.services import entry_text_check
    from inference.services import analysis_request

    entry_text_check(entry=entry)
    analysis_request(entry=entry)
