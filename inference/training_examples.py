"""Corrections as labelled examples for retraining, in CSV or JSON (admin action and command)."""

import csv
import io
import json
from collections.abc import Iterable

from inference.models import Correction

FIELDS = ["entry_id", "photo_path", "has_text", "predicted_emotion", "predicted_source",
          "predicted_face_emotion", "predicted_text_emotion", "corrected_emotion", "model_key",
          "corrected_at"]


def correction_rows(corrections: Iterable[Correction]) -> list[dict]:
    """One row per correction. The photo path is its name in the private storage (relative to
    PRIVATE_MEDIA_ROOT, or the key under S3_PREFIX in S3_BUCKET); the text itself is not exported
    (a trainer with access can read it by entry id)."""
    return [
        {
            "entry_id": c.entry_id,
            "photo_path": c.entry.photo.name or "",
            "has_text": bool(c.entry.text.strip()),
            "predicted_emotion": c.predicted_emotion,
            "predicted_source": c.predicted_source,
            "predicted_face_emotion": c.predicted_face_emotion,
            "predicted_text_emotion": c.predicted_text_emotion,
            "corrected_emotion": c.corrected_emotion,
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
