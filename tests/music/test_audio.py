"""Audio analysis: key from chroma profiles, suggested coordinates, the Celery task and the admin."""

import io

import numpy as np
import pytest
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from music import audio
from tests.music.conftest import make_track

SR = 22_050


C_MAJOR = [(130.81, 0.25), (261.63, 0.2), (329.63, 0.1), (392.0, 0.14), (293.66, 0.03), (349.23, 0.04),
           (440.0, 0.04), (493.88, 0.03)]  # C in the bass, the triad, the rest of the scale quietly


def chord_track(seconds: float = 6.0, bpm: float = 120.0, notes=C_MAJOR) -> bytes:
    """A sustained C major sonority with a click on every beat, as WAV bytes."""
    t = np.arange(int(SR * seconds)) / SR
    y = sum(amplitude * np.sin(2 * np.pi * f * t) for f, amplitude in notes)
    beat = int(SR * 60 / bpm)
    click = np.hanning(400) * 0.9
    for start in range(0, len(y) - 400, beat):
        y[start:start + 400] += click
    buffer = io.BytesIO()
    soundfile.write(buffer, y.astype(np.float32), SR, format="WAV")
    return buffer.getvalue()


def test_key_profiles():
    c_major = np.array([1, 0, 0.3, 0, 0.9, 0.4, 0, 1, 0, 0.3, 0, 0.2])
    assert audio.estimate_key(c_major)[:2] == ("C major", "major")
    a_minor = np.roll(np.array([1, 0, 0.3, 0.9, 0, 0.4, 0, 0.9, 0.5, 0, 0.3, 0.2]), 9)
    assert audio.estimate_key(a_minor)[:2] == ("A minor", "minor")
    assert audio.estimate_key(np.zeros(12)) == ("", "", 0.0)


def test_suggested_coordinates_follow_tempo_energy_and_mode():
    slow_minor_quiet = audio.suggest_coordinates(tempo=60, mode="minor", mode_strength=0.2, energy=0.2)
    fast_major_loud = audio.suggest_coordinates(tempo=150, mode="major", mode_strength=0.2, energy=0.9)
    assert slow_minor_quiet[0] < 0 and slow_minor_quiet[1] < 0
    assert fast_major_loud[0] > 0 and fast_major_loud[1] > 0


@pytest.mark.django_db
def test_uploading_audio_in_the_admin_analyses_it_and_the_curator_accepts(
        curator_client, django_capture_on_commit_callbacks):
    track = make_track("Chords", "Test", tags=["Sad"])
    upload = SimpleUploadedFile("chords.wav", chord_track(), "audio/wav")
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:music_track_change", args=[track.pk]), {
            "title": "Chords", "artist": "Test", "is_active": "on", "audio": upload,
            "mood_tags": [t.pk for t in track.mood_tags.all()],
        })
    assert response.status_code == 302, response.content.decode()[:3000]
    track.refresh_from_db()
    assert track.audio.name.startswith("music/audio/") and track.audio.storage.exists(track.audio.name)
    assert track.analysis_status == "done", track.analysis
    assert 110 <= track.analysis["tempo"] <= 130
    assert track.analysis["key"] == "C major" and track.analysis["mode"] == "major"
    assert track.suggested_valence is not None and track.suggested_arousal is not None
    assert track.coordinates_source == "tags"  # nothing changes until the curator accepts

    response = curator_client.post(reverse("admin:music_track_changelist"), {
        "action": "accept_suggestion", "_selected_action": [track.pk]})
    assert response.status_code == 302
    track.refresh_from_db()
    assert (track.valence, track.arousal) == (track.suggested_valence, track.suggested_arousal)
    assert track.coordinates_source == "audio" and track.key == "C major" and 110 <= track.tempo_bpm <= 130

    # Deleting the track deletes its file.
    name, storage = track.audio.name, track.audio.storage
    with django_capture_on_commit_callbacks(execute=True):
        track.delete()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_a_file_that_is_not_audio_fails_cleanly():
    track = make_track("Broken", "Test", valence=0, arousal=0)
    from django.core.files.base import ContentFile

    track.audio.save("broken.wav", ContentFile(b"this is not a wav file"), save=True)
    from music.tasks import track_audio_analyse_task

    track_audio_analyse_task.delay(track.pk)
    track.refresh_from_db()
    assert track.analysis_status == "failed" and track.analysis["error"]


@pytest.mark.django_db
def test_only_audio_files_are_accepted_in_the_admin(curator_client):
    track = make_track("Text", "Test", valence=0, arousal=0)
    response = curator_client.post(reverse("admin:music_track_change", args=[track.pk]), {
        "title": "Text", "artist": "Test", "is_active": "on",
        "audio": SimpleUploadedFile("notes.txt", b"hello", "text/plain")})
    assert response.status_code == 200 and "File extension" in response.content.decode()
