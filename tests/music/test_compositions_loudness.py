"""The loudness meter against the standard's reference signals, the limiter, and the Ogg writer
(deterministic bytes, valid page checksums)."""

import io
import struct

import numpy as np
import pytest
import soundfile

from music.compositions.encode import check_ogg_pages, decode, encode_ogg_vorbis, ogg_crc, set_ogg_serial
from music.compositions.loudness import (
    integrated_loudness,
    k_weighting_sos,
    limit,
    normalise,
    sample_peak_dbfs,
    true_peak_dbtp,
)

RATE = 48000


def tone(dbfs: float, seconds: float, rate: int = RATE, freq: float = 1000.0, channels: int = 2):
    t = np.arange(int(seconds * rate)) / rate
    x = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)
    return np.tile(x, (channels, 1))


def test_the_k_weighting_matches_the_coefficients_printed_in_bs1770():
    sos = k_weighting_sos(48000)
    assert sos[0] == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285,
                                    1.0, -1.69065929318241, 0.73248077421585], abs=1e-8)
    assert sos[1] == pytest.approx([1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621], abs=1e-8)


def test_a_full_scale_997_hz_sine_in_one_channel_reads_minus_3_01_lufs():
    x = np.zeros((2, 10 * RATE))
    x[0] = tone(0.0, 10, freq=997.0, channels=1)[0]
    assert integrated_loudness(x, RATE) == pytest.approx(-3.01, abs=0.05)


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        ([(-23.0, 20)], -23.0),  # EBU Tech 3341 case 1
        ([(-33.0, 20)], -33.0),  # case 2
        ([(-36.0, 10), (-23.0, 60), (-36.0, 10)], -23.0),  # case 3: relative gate
        ([(-72.0, 10), (-36.0, 10), (-23.0, 60), (-36.0, 10), (-72.0, 10)], -23.0),  # case 4
        ([(-26.0, 20), (-20.0, 20.1), (-26.0, 20)], -23.0),  # case 5
    ],
)
def test_the_ebu_tech_3341_minimum_requirements(segments, expected):
    x = np.concatenate([tone(db, s) for db, s in segments], axis=1)
    assert integrated_loudness(x, RATE) == pytest.approx(expected, abs=0.1)


def test_it_works_at_44_1_khz_and_on_silence():
    assert integrated_loudness(tone(-23.0, 20, rate=44100), 44100) == pytest.approx(-23.0, abs=0.1)
    assert integrated_loudness(np.zeros((2, 44100 * 5)), 44100) == float("-inf")


def test_the_limiter_never_lets_a_sample_over_the_ceiling_and_leaves_quiet_parts_alone():
    x = tone(-10.5, 5, rate=44100, freq=220.0).astype(np.float32)  # peaks at 0.3
    x[:, 100_000:100_500] *= 3.0  # a burst to 0.9
    y = limit(x.copy(), 0.5, 44100)
    assert np.max(np.abs(y)) <= 0.5
    assert np.array_equal(y[:, :50_000], x[:, :50_000])


def test_normalise_reaches_the_target_within_a_fraction_of_a_lu_without_clipping():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((2, 44100 * 10)) * 0.01).astype(np.float32)
    y, report = normalise(x, 44100, target_lufs=-16.0, ceiling_dbfs=-1.5)
    assert integrated_loudness(y, 44100) == pytest.approx(-16.0, abs=0.2)
    assert report["loudness_lufs"] == pytest.approx(-16.0, abs=0.2)
    assert sample_peak_dbfs(y) <= -1.5 + 1e-6
    assert true_peak_dbtp(y) < 0.0


def _raw_ogg(x: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with soundfile.SoundFile(buffer, "w", 44100, 2, format="OGG", subtype="VORBIS") as handle:
        handle.write(x)
    return buffer.getvalue()


def test_libsndfile_picks_a_random_serial_and_we_make_it_deterministic():
    x = tone(-12.0, 2, rate=44100).T.astype(np.float32)
    first, second = _raw_ogg(x), _raw_ogg(x)
    assert struct.unpack_from("<I", first, 14) != struct.unpack_from("<I", second, 14)  # why we rewrite it
    assert set_ogg_serial(first, 42) == set_ogg_serial(second, 42)
    assert encode_ogg_vorbis(x, 44100, serial=42) == encode_ogg_vorbis(x, 44100, serial=42)
    assert encode_ogg_vorbis(x, 44100, serial=42) != encode_ogg_vorbis(x, 44100, serial=43)


def test_our_ogg_checksums_are_the_ones_libvorbis_writes():
    raw = _raw_ogg(tone(-12.0, 2, rate=44100).T.astype(np.float32))
    serial = struct.unpack_from("<I", raw, 14)[0]
    assert set_ogg_serial(raw, serial) == raw  # same serial -> byte for byte what libogg wrote
    assert check_ogg_pages(raw) >= 3
    rewritten = set_ogg_serial(raw, 7)
    assert check_ogg_pages(rewritten) >= 3
    broken = bytearray(rewritten)
    broken[200] ^= 0xFF
    with pytest.raises(ValueError):
        check_ogg_pages(bytes(broken))
    assert ogg_crc(b"") == 0
    audio, rate = decode(rewritten)
    assert rate == 44100 and audio.shape == (2 * 44100, 2)
