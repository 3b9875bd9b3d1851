"""The seven emotions every model, chart and matcher in moodsite speaks in.

The one mood vocabulary (codes, names, colours, icons, circumplex coordinates) that every app
imports: it lives outside the apps so that the diary does not depend on the ML app (inference
depends on the diary, never the other way round). Pure Python (no torch, no models): the web
processes import it freely.

Circumplex coordinates (valence = pleasant/unpleasant, arousal = activated/deactivated) are the
pleasure and arousal values of Russell & Mehrabian (1977), "Evidence for a three-factor theory
of emotions", J. Research in Personality 11:273-294, as tabulated for the matching terms
(angry, disgusted, afraid, happy, sad, surprised); neutral sits at the origin.
"""

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

EMOTION_LABELS = {
    "angry": _("angry"),
    "disgust": _("disgusted"),
    "fear": _("anxious"),
    "happy": _("happy"),
    "sad": _("sad"),
    "surprise": _("surprised"),
    "neutral": _("neutral"),
}

# Shown to Korean readers whatever the active language (the issue fixes these words).
EMOTION_LABELS_KO = {
    "angry": "분노",
    "disgust": "혐오",
    "fear": "불안",
    "happy": "기쁨",
    "sad": "슬픔",
    "surprise": "당황",
    "neutral": "중립",
}

EMOTION_CHOICES = [(name, EMOTION_LABELS[name]) for name in EMOTIONS]

NEGATIVE_EMOTIONS = frozenset({"angry", "disgust", "fear", "sad"})

# (valence, arousal) in [-1, 1]; source in the module docstring.
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    "angry": (-0.51, 0.59),
    "disgust": (-0.60, 0.35),
    "fear": (-0.64, 0.60),
    "happy": (0.81, 0.51),
    "sad": (-0.63, -0.27),
    "surprise": (0.40, 0.67),
    "neutral": (0.0, 0.0),
}

# A colour-blind-safe palette (Okabe & Ito 2008), one colour per emotion, always shown with its label.
EMOTION_COLOURS = {
    "angry": "#D55E00",
    "disgust": "#CC79A7",
    "fear": "#E69F00",
    "happy": "#F0E442",
    "sad": "#0072B2",
    "surprise": "#56B4E9",
    "neutral": "#999999",
}


# A shape for each emotion, so that no calendar square relies on colour alone.
EMOTION_SYMBOLS = {
    "angry": "▲",
    "disgust": "◆",
    "fear": "✱",
    "happy": "●",
    "sad": "▼",
    "surprise": "★",
    "neutral": "■",
}

# Text drawn on a coloured square: white where it reaches 4.5:1 contrast (WCAG AA), else black.
EMOTION_INK = {name: "#ffffff" if name in {"angry", "sad"} else "#000000" for name in EMOTION_SYMBOLS}


# Shown beside the word on the check-in buttons, never instead of it (screen readers skip them).
EMOTION_ICONS = {
    "angry": "😠",
    "disgust": "😖",
    "fear": "😟",
    "happy": "😊",
    "sad": "😢",
    "surprise": "😮",
    "neutral": "😐",
}


def valence_arousal(probabilities: Mapping[str, float] | Sequence[float]) -> tuple[float, float]:
    """Expected circumplex position under a probability distribution over EMOTIONS."""
    if not isinstance(probabilities, Mapping):
        probabilities = dict(zip(EMOTIONS, probabilities, strict=True))
    total = sum(probabilities.values()) or 1.0
    valence = sum(CIRCUMPLEX[name][0] * p for name, p in probabilities.items()) / total
    arousal = sum(CIRCUMPLEX[name][1] * p for name, p in probabilities.items()) / total
    return round(valence, 4), round(arousal, 4)


def one_hot(emotion: str) -> dict[str, float]:
    """A self-reported mood as a distribution, so it can stand where a model's output would."""
    if emotion not in EMOTIONS:
        raise ValueError(f"Unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}.")
    return {name: 1.0 if name == emotion else 0.0 for name in EMOTIONS}
