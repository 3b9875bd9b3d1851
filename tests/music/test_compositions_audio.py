"""Listening to the rendered pieces with librosa: does the music do what the composer meant?

Each piece is 30 s, analysed from its encoded Ogg Vorbis bytes (what the person hears)."""

import numpy as np
import pytest

from music.compositions import listen
from music.compositions.loudness import integrated_loudness, true_peak_dbtp
from music.compositions.render import TARGET_LUFS
from tests.music.compositions_fixtures import piece

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")


@pytest.mark.parametrize("name", ["happy", "sad", "angry", "calm"])
def test_the_estimated_tempo_is_within_5_percent_of_the_composed_tempo(name):
    heard = piece(name)
    composed = heard.produced.params["tempo_start"]
    assert heard.produced.params["tempo_end"] == composed  # a match keeps its tempo
    estimated = listen.tempo(heard.mono)
    assert abs(estimated - composed) / composed <= 0.05, (estimated, composed)


@pytest.mark.parametrize(("name", "mode"), [("happy", "major"), ("calm", "major"), ("sad", "minor"),
                                            ("angry", "minor")])
def test_the_estimated_mode_matches_the_intended_one(name, mode):
    heard = piece(name)
    assert heard.produced.params["mode_start"] == mode
    estimate = listen.key(heard.mono)
    assert estimate.mode == mode, estimate
    assert estimate.tonic == heard.produced.params["keys"][0]["tonic"], estimate


def test_a_lift_from_sad_to_calm_gets_brighter_and_faster():
    # 60 s: the last third of a 30 s piece is mostly its cadence and final chord, too few beats
    # for a tempo estimate to mean anything.
    heard = piece("sad_to_calm", duration_s=60)
    params = heard.produced.params
    assert (params["mode_start"], params["mode_end"]) == ("minor", "major")
    assert params["tempo_last_third"] > params["tempo_first_third"] * 1.1
    first, last = listen.thirds(heard.mono)
    assert listen.centroid(last) > listen.centroid(first) * 1.1
    tempo_first, tempo_last = listen.tempo(first), listen.tempo(last)
    assert tempo_last > tempo_first
    assert abs(tempo_first - params["tempo_first_third"]) / params["tempo_first_third"] <= 0.05
    assert abs(tempo_last - params["tempo_last_third"]) / params["tempo_last_third"] <= 0.05


@pytest.mark.parametrize(("name", "seconds"), [("happy", 30), ("sad", 30), ("sad_to_calm", 60)])
def test_loudness_is_on_target_and_nothing_clips(name, seconds):
    heard = piece(name, duration_s=seconds)
    assert heard.rate == 44100 and heard.audio.shape[1] == 2
    assert heard.audio.shape[0] == pytest.approx(seconds * 44100, abs=4096)
    assert abs(integrated_loudness(heard.audio.T, heard.rate) - TARGET_LUFS) <= 1.0
    assert np.max(np.abs(heard.audio)) < 1.0  # no decoded sample reaches 0 dBFS
    assert true_peak_dbtp(heard.produced.audio) <= -1.0  # and the master left headroom


def test_one_seed_gives_identical_bytes_and_two_seeds_differ():
    first = piece("happy").produced
    again = piece.__wrapped__("happy")  # a fresh render, not the cached one
    assert again.produced.ogg == first.ogg
    assert again.produced.midi == first.midi
    other = piece("happy", seed=12).produced
    assert other.ogg != first.ogg and other.midi != first.midi
    assert [n.pitch for n in other.piece.notes_of("melody")] != [n.pitch for n in first.piece.notes_of("melody")]
