"""Reading an entry's mood: the automatic reading when there is one, else the self-report."""

from dataclasses import dataclass

from diary.models import Entry
from inference.emotions import CIRCUMPLEX, one_hot


@dataclass(frozen=True)
class Mood:
    source: str  # "ai" or "self"
    emotion: str
    probabilities: dict[str, float]
    valence: float
    arousal: float


def entry_mood(*, entry: Entry, prefer: str = "ai") -> Mood | None:
    """The mood to act on for an entry; `prefer` = "ai" or "self" when both exist."""
    ai = None
    if entry.ai_emotion and entry.ai_probabilities:
        ai = Mood("ai", entry.ai_emotion, dict(entry.ai_probabilities),
                  float(entry.ai_valence or 0.0), float(entry.ai_arousal or 0.0))
    own = None
    if entry.self_mood:
        valence, arousal = CIRCUMPLEX[entry.self_mood]
        own = Mood("self", entry.self_mood, one_hot(entry.self_mood), valence, arousal)
    if prefer == "self":
        return own or ai
    return ai or own
