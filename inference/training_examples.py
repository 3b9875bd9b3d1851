"""The person's answers to "Is this right?" as labelled examples for retraining, in CSV or JSON
(admin action and the export_corrections command).

``kind`` says what the label is: "confirmed" (the reading was right: a positive example at its
own confidence), "corrected" (it was wrong: the person's emotion is the label) or "chosen" (the
reader abstained and the person said how they feel: the examples the models find hardest).
The label is always ``corrected_emotion``."""

import csv
import io
import json
from collections.abc import Iterable

from inference.models import Correction

FIELDS = ["entry_id", "photo_path", "has_text", "kind", "predicted_emotion", "predicted_source",
          "predicted_face_emotion", "predicted_text_emotion", "predicted_confidence", "predicted_abstained",
          "predicted_abstain_reason", "corrected_emotion", "self_mood_strength", "model_key", "corrected_at"]


def correction_rows(corrections: Iterable[Correction]) -> list[dict]:
    """One row per correction. The photo path is its name in the private storage (relative to
    PRIVATE_MEDIA_ROOT, or the key under S3_PREFIX in S3_BUCKET); the text itself is not exported
    (a trainer with access can read it by entry id)."""
    return [
        {
            "entry_id": c.entry_id,
            "photo_path": c.entry.photo.name or "",
            "has_text": bool(c.entry.text.strip()),
            "kind": c.kind,
            "predicted_emotion": c.predicted_emotion,
            "predicted_source": c.predicted_source,
            "predicted_face_emotion": c.predicted_face_emotion,
            "predicted_text_emotion": c.predicted_text_emotion,
            "predicted_confidence": c.predicted_confidence,
            "predicted_abstained": c.predicted_abstained,
            "predicted_abstain_reason": c.predicted_abstain_reason,
            "corrected_emotion": c.corrected_emotion,
            "self_mood_strength": c.entry.self_mood_strength,
            "model_key": c.model_key,
            "corrected_at": c.updated_at.isoformat(),
        }
        for c in corrections
    ]


def as_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def as_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
