"""The analysis part of "download all my data": every reading of the person's entries and every
correction they made. No files: the photos are exported by the diary."""

from accounts.models import User
from inference.models import AnalysisJob, AnalysisResult, Correction


def export_user_data(user: User) -> dict:
    jobs = AnalysisJob.objects.filter(entry__owner=user).order_by("entry_id")
    results = AnalysisResult.objects.filter(entry__owner=user).order_by("entry_id", "pk")
    corrections = Correction.objects.filter(entry__owner=user).order_by("entry_id")
    return {
        "note": "Automatic readings for mood journaling, not a diagnosis.",
        "jobs": [
            {
                "entry": job.entry_id,
                "status": job.status,
                "reason": job.reason,
                "requested_at": job.requested_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            }
            for job in jobs
        ],
        "readings": [
            {
                "entry": result.entry_id,
                "models": result.model_key,
                "emotion": result.emotion,
                "confidence": result.confidence,
                "valence": result.valence,
                "arousal": result.arousal,
                "source": result.source,
                "probabilities": result.combined_probabilities,
                "face": {
                    "found": result.face_found,
                    "faces": result.faces,
                    "box": result.face_box,
                    "probabilities": result.face_probabilities,
                } if result.has_photo else None,
                "text": {"probabilities": result.text_probabilities} if result.text_probabilities else None,
                "created_at": result.created_at.isoformat(),
                "updated_at": result.updated_at.isoformat(),
            }
            for result in results
        ],
        "corrections": [
            {
                "entry": correction.entry_id,
                "predicted": correction.predicted_emotion,
                "corrected": correction.corrected_emotion,
                "models": correction.model_key,
                "updated_at": correction.updated_at.isoformat(),
            }
            for correction in corrections
        ],
    }


def export_user_files(user: User):
    return []
