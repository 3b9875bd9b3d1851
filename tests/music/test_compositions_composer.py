"""The composer on paper: parameters from the mood, harmony, voice leading, melody, bass, rhythm,
the glide, determinism and the MIDI file. No audio here (fast)."""

import io
import itertools

import mido
import pytest

from moodsite.emotions import CIRCUMPLEX
from music.compositions.composer import compose
from music.compositions.harmony import Key, chord_for, voice
from music.compositions.mapping import TARGET_POINTS, glide, params_for, target_point
from music.compositions.midi import midi_bytes
from music.compositions.piece import KICK

SAD, HAPPY, CALM = CIRCUMPLEX["sad"], CIRCUMPLEX["happy"], TARGET_POINTS["calm"]


def match(point, seconds=60, seed=1):
    return compose(start=point, target=point, duration_s=seconds, seed=seed)


def test_tempo_rises_with_arousal_and_valence_and_mode_follows_valence():
    assert params_for(0.0, 0.8).tempo > params_for(0.0, 0.0).tempo > params_for(0.0, -0.8).tempo
    assert params_for(0.8, 0.0).tempo > params_for(-0.8, 0.0).tempo
    assert params_for(*HAPPY).major and not params_for(*SAD).major
    assert params_for(*HAPPY).register > params_for(*SAD).register
    assert params_for(*HAPPY).brightness > params_for(*CALM).brightness > params_for(*SAD).brightness
    assert params_for(0.5, 0.8).rhythm == 1.0 and params_for(*CALM).rhythm == 0.0
    assert params_for(0.0, 0.9).density > params_for(0.0, -0.9).density
    assert params_for(0.0, 0.9).velocity > params_for(0.0, -0.9).velocity


def test_targets_and_the_glide():
    assert target_point("match", (0.1, 0.2)) == (0.1, 0.2)
    assert target_point("joyful", SAD) == HAPPY
    with pytest.raises(ValueError):
        target_point("sleepy", SAD)
    assert glide(0.1, lift=True) == 0.0 and glide(0.9, lift=True) == 1.0
    assert glide(0.5, lift=False) == 0.0
    values = [glide(i / 20, lift=True) for i in range(21)]
    assert values == sorted(values)


@pytest.mark.parametrize("seconds", [30, 60, 180])
def test_the_piece_fills_its_length(seconds):
    piece = match(HAPPY, seconds)
    assert seconds - 3.0 - 60 / piece.tempi[-1] * 4 <= piece.beat_times[-1] <= seconds - 3.0
    # The final chord is held into the fade-out, until a second before the end.
    assert max(piece.time_at(n.start + n.duration) for n in piece.notes) == pytest.approx(seconds - 1.0)
    with pytest.raises(ValueError):
        match(HAPPY, 29)


def test_same_inputs_and_seed_give_the_same_piece_and_other_seeds_do_not():
    assert match(SAD, seed=5).notes == match(SAD, seed=5).notes
    assert match(SAD, seed=5).notes != match(SAD, seed=6).notes
    assert midi_bytes(match(SAD, seed=5)) == midi_bytes(match(SAD, seed=5))


def test_a_match_keeps_its_parameters_and_a_lift_glides_to_the_target():
    still = match(SAD)
    assert len(set(still.tempi)) == 1 and {b.key_mode for b in still.bars} == {"minor"}
    lift = compose(start=SAD, target=CALM, duration_s=60, seed=1)
    assert lift.tempi[0] == pytest.approx(params_for(*SAD).tempo)
    assert lift.tempi[-1] == pytest.approx(params_for(*CALM).tempo, abs=0.5)
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(lift.tempi))
    assert (lift.bars[0].key_mode, lift.bars[-1].key_mode) == ("minor", "major")
    # The move to major goes to the relative key: same notes, no jolt.
    assert (lift.bars[-1].key_tonic - lift.bars[0].key_tonic) % 12 == 3
    brightness = lift.controls["brightness"]
    assert brightness[-1] > brightness[0]


def test_it_ends_on_a_cadence_to_the_tonic():
    for point in (SAD, HAPPY, CALM):
        piece = match(point)
        assert [b.chord for b in piece.bars[-3:]] in (["IV", "V7", "I"], ["iv", "V7", "i"])
        last_melody = max(piece.notes_of("melody"), key=lambda n: n.start)
        assert last_melody.pitch % 12 == piece.bars[-1].key_tonic
        last_bass = max(piece.notes_of("bass"), key=lambda n: n.start)
        assert last_bass.pitch % 12 == piece.bars[-1].key_tonic


def test_voice_leading_moves_little_and_keeps_the_chord():
    key = Key(9, "minor")
    previous = None
    moves = []
    for degree in ["i", "iv", "V7", "i", "VI", "iv", "V", "i"]:
        chord = chord_for(key, degree)
        voicing = voice(chord, previous, 48, 66, 57)
        assert set(chord.core[:2]) <= {p % 12 for p in voicing}
        assert all(48 <= p <= 66 for p in voicing)
        if previous:
            moves.append(sum(abs(a - b) for a, b in zip(voicing, previous, strict=True)))
        previous = voicing
    assert sum(moves) / len(moves) <= 6  # about a step per voice per chord


@pytest.mark.parametrize("point", [SAD, HAPPY, CALM, CIRCUMPLEX["angry"]])
def test_the_melody_fits_the_harmony(point):
    piece = match(point, seed=3)
    bars = piece.bars
    strong = [n for n in piece.notes_of("melody") if n.start % 2 == 0]
    assert strong
    for note in strong:
        bar = bars[int(note.start // 4)]
        chord = chord_for(Key(bar.key_tonic, bar.key_mode), bar.chord)
        assert note.pitch % 12 in chord.pitch_classes, (note, bar)
    melody = piece.notes_of("melody")
    leaps = [abs(b.pitch - a.pitch) for a, b in itertools.pairwise(melody)]
    assert sum(step <= 4 for step in leaps) / len(leaps) >= 0.6  # mostly steps and small skips
    assert max(leaps) <= 12


def test_the_bass_plays_the_roots_on_the_downbeats():
    piece = match(HAPPY)
    for note in piece.notes_of("bass"):
        if note.start % 4 == 0:
            assert note.pitch % 12 == piece.bars[int(note.start // 4)].chord_root
            assert 28 <= note.pitch <= 58


def test_soft_rhythm_comes_with_arousal_and_density_with_it():
    calm, lively = match(CALM), match((0.55, 0.75))
    assert not calm.notes_of("drums")
    kicks = [n for n in lively.notes_of("drums") if n.pitch == KICK]
    assert kicks and all(n.start % 2 == 0 for n in kicks)
    per_beat = [len(p.notes_of("melody")) / p.beats for p in (calm, lively)]
    assert per_beat[1] > per_beat[0] * 1.3


def test_the_midi_file_has_the_tempo_map_the_keys_and_every_note():
    piece = compose(start=SAD, target=CALM, duration_s=60, seed=4)
    midi = mido.MidiFile(file=io.BytesIO(midi_bytes(piece)))
    assert midi.type == 1 and len(midi.tracks) == 6
    tempos = [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"]
    assert mido.tempo2bpm(tempos[0]) == pytest.approx(piece.tempi[0], abs=0.01)
    assert mido.tempo2bpm(tempos[-1]) == pytest.approx(piece.tempi[-1], abs=0.01)
    keys = [m.key for m in midi.tracks[0] if m.type == "key_signature"]
    assert len(keys) == 2 and keys[0].endswith("m") and not keys[-1].endswith("m")
    notes = sum(1 for track in midi.tracks for m in track if m.type == "note_on" and m.velocity > 0)
    assert notes == len(piece.notes)
    last_off = max(piece.time_at(n.start + n.duration) for n in piece.notes)
    assert midi.length == pytest.approx(last_off - piece.beat_times[0], abs=0.05)


@pytest.mark.parametrize("seconds", [30, 180])
def test_any_mood_to_any_target_composes_a_valid_piece(seconds):
    corners = [-1.0, -0.4, 0.3, 1.0]
    for valence, arousal in itertools.product(corners, corners):
        for target in [(valence, arousal), CALM, (-1.0, 1.0)]:
            piece = compose(start=(valence, arousal), target=target, duration_s=seconds, seed=int(valence * 10))
            assert piece.notes_of("melody") and piece.notes_of("bass") and piece.notes_of("pad")
            assert all(1 <= n.velocity <= 127 and 0 <= n.pitch <= 127 and n.duration > 0 for n in piece.notes)
            assert 56 <= min(piece.tempi) and max(piece.tempi) <= 140
