"""Signals the analysis pipeline sends, so that music and welfare react without the pipeline
importing them."""

from django.dispatch import Signal

# Sent after an entry's analysis is stored and copied onto the entry (committed).
# kwargs: entry_id (int), status (str: "done" or "no_face").
analysis_done = Signal()
