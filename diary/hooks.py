"""What happens when an entry's photo or text changes.

Kept in one small module so the diary does not import the analysis pipeline at module load
(the pipeline imports the diary); the call happens inside entry_create / entry_update.
"""

from django.apps import apps

from diary.models import Entry


def entry_content_changed(entry: Entry) -> None:
    """Ask for a fresh analysis once the transaction commits (no-op until the pipeline exists)."""
    if not apps.is_installed("inference"):
        return
    try:
        from inference.services import analysis_request
    except ImportError:
        return
    analysis_request(entry=entry)
