"""Generated music's part of "download all my data": every piece, with its audio and MIDI files."""

from accounts.models import User
from music.compositions.models import Composition


def _pieces(user: User):
    return Composition.objects.filter(owner=user).order_by("created_at", "pk")


def export_user_data(user: User) -> list[dict]:
    return [
        {
            "id": piece.pk,
            "entry": piece.entry_id,
            "target": piece.target,
            "origin": piece.origin,
            "start": {"source": piece.start_source, "emotion": piece.start_emotion,
                      "valence": piece.start_valence, "arousal": piece.start_arousal},
            "target_point": {"valence": piece.target_valence, "arousal": piece.target_arousal},
            "duration_s": piece.duration_s,
            "seed": piece.seed,
            "status": piece.status,
            "feedback": piece.feedback,
            "feedback_at": piece.feedback_at.isoformat() if piece.feedback_at else None,
            "params": piece.params,
            "audio": f"compositions/composition-{piece.pk}.ogg" if piece.audio else None,
            "audio_mp3": f"compositions/composition-{piece.pk}.mp3" if piece.audio_mp3 else None,
            "midi": f"compositions/composition-{piece.pk}.mid" if piece.midi else None,
            "created_at": piece.created_at.isoformat(),
        }
        for piece in _pieces(user)
    ]


def export_user_files(user: User):
    """(name in the zip, storage, stored name) for each audio and MIDI file."""
    for piece in _pieces(user):
        if piece.audio:
            yield f"compositions/composition-{piece.pk}.ogg", piece.audio.storage, piece.audio.name
        if piece.audio_mp3:
            yield f"compositions/composition-{piece.pk}.mp3", piece.audio_mp3.storage, piece.audio_mp3.name
        if piece.midi:
            yield f"compositions/composition-{piece.pk}.mid", piece.midi.storage, piece.midi.name
