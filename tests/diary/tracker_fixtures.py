"""Hand-built mood histories for the tracker tests (the lead's conftest supplies member/stranger)."""

import datetime

from diary.models import Entry
from moodsite.emotions import CIRCUMPLEX


def add(owner, day: datetime.date, self_mood: str = "", ai: str = "", ai_valence: float | None = None,
        text: str = "") -> Entry:
    """One entry; an AI reading gets the circumplex valence unless one is given."""
    fields = {"owner": owner, "day": day, "self_mood": self_mood, "text": text}
    if ai:
        fields.update(ai_emotion=ai, ai_probabilities={ai: 1.0},
                      ai_valence=CIRCUMPLEX[ai][0] if ai_valence is None else ai_valence,
                      ai_arousal=CIRCUMPLEX[ai][1], ai_confidence=0.9)
    return Entry.objects.create(**fields)


def daily_history(owner, first: datetime.date, days: int, moods=("happy", "sad", "neutral", "angry")) -> int:
    """An entry every day, cycling through moods, in one bulk insert; returns how many."""
    Entry.objects.bulk_create([
        Entry(owner=owner, day=first + datetime.timedelta(days=i), self_mood=moods[i % len(moods)],
              text="day")
        for i in range(days)
    ], batch_size=1000)
    return days


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
