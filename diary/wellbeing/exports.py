"""The wellbeing part of "download all my data": every questionnaire answered, and when crisis help was shown."""

from accounts.models import User
from diary.wellbeing.models import CheckPrompt, CrisisSignal, SelfCheck


def export_user_data(user: User) -> dict:
    prompt = CheckPrompt.objects.filter(user=user).first()
    return {
        "checks": [
            {
                "instrument": c.instrument, "day": c.day.isoformat(), "answers": c.answers,
                "phq2_score": c.screen_score, "score": c.score, "completed": c.completed,
            }
            for c in SelfCheck.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "crisis_help_shown": [
            {
                "at": s.created_at.isoformat(), "because_of": s.source, "level": s.level, "confirmed": s.confirmed,
                "rule": s.rule, "entry_id": s.entry_id,
            }
            for s in CrisisSignal.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "prompt": {"enabled": prompt.enabled if prompt else True,
                   "snoozed_until": prompt.snoozed_until.isoformat() if prompt and prompt.snoozed_until else None},
    }


def export_user_files(user: User):
    return []
