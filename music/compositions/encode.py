"""Ogg Vorbis encoding through soundfile (libsndfile + libvorbis bundled in its wheel).

Two things about libsndfile's Vorbis writer that this module handles:

* It gives every Ogg stream a random serial number (the 4 bytes at offset 14 of each page, and
  therefore each page's CRC), so the same samples encode to different bytes on every call. The
  Vorbis packets themselves are deterministic. `encode_ogg_vorbis` rewrites the serial number of
  every page to one derived from the caller's seed and recomputes the page CRCs, so one seed
  gives byte-identical files (on the same machine and library build).
* Writing a long signal in one call can crash inside libvorbis (a stack allocation proportional to
  the buffered frames; libsndfile issue #1095, python-soundfile #233/#396/#426). We write in
  blocks of BLOCK_FRAMES, which never crashes and gives the same bytes.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import soundfile

BLOCK_FRAMES = 16384
# libsndfile's "compression level" for Vorbis: 0 = best quality .. 1 = smallest. 0.6 is about
# Vorbis quality 4 (~110-130 kbit/s for stereo music).
VORBIS_COMPRESSION = 0.6

_REVERSED_BITS = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def ogg_crc(data: bytes) -> int:
    """Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, no reflection, initial value 0.

    zlib computes the reflected variant with pre/post inversion; reversing the bits of every input
    byte and of the result, and undoing zlib's inversions, gives Ogg's (fast: all in C).
    """
    reflected = zlib.crc32(data.translate(_REVERSED_BITS), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def set_ogg_serial(data: bytes, serial: int) -> bytes:
    """Give every page of a single-stream Ogg file the serial number `serial`, with fresh CRCs."""
    out = bytearray(data)
    offset = 0
    while offset < len(out):
        if out[offset:offset + 4] != b"OggS":
            raise ValueError(f"Not an Ogg page at byte {offset}.")
        segments = out[offset + 26]
        lacing = out[offset + 27: offset + 27 + segments]
        length = 27 + segments + sum(lacing)
        struct.pack_into("<I", out, offset + 14, serial & 0xFFFFFFFF)
        struct.pack_into("<I", out, offset + 22, 0)
        struct.pack_into("<I", out, offset + 22, ogg_crc(bytes(out[offset:offset + length])))
        offset += length
    return bytes(out)


def check_ogg_pages(data: bytes) -> int:
    """Number of pages; raises ValueError on a bad capture pattern or checksum."""
    pages = 0
    offset = 0
    while offset < len(data):
        if data[offset:offset + 4] != b"OggS":
            raise ValueError(f"Not an Ogg page at byte {offset}.")
        segments = data[offset + 26]
        length = 27 + segments + sum(data[offset + 27: offset + 27 + segments])
        page = bytearray(data[offset:offset + length])
        stored = struct.unpack_from("<I", page, 22)[0]
        struct.pack_into("<I", page, 22, 0)
        if ogg_crc(bytes(page)) != stored:
            raise ValueError(f"Bad CRC in the page at byte {offset}.")
        pages += 1
        offset += length
    return pages


def encode_ogg_vorbis(audio: np.ndarray, sample_rate: int, serial: int,
                      compression: float = VORBIS_COMPRESSION) -> bytes:
    """Encode float audio (frames x channels, within +-1) to Ogg Vorbis bytes."""
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    buffer = io.BytesIO()
    with soundfile.SoundFile(buffer, "w", samplerate=sample_rate, channels=channels, format="OGG",
                             subtype="VORBIS", compression_level=compression) as handle:
        for start in range(0, audio.shape[0], BLOCK_FRAMES):
            handle.write(audio[start:start + BLOCK_FRAMES])
    return set_ogg_serial(buffer.getvalue(), serial)


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """(frames x channels float32, sample rate) of an encoded file."""
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return audio, rate


# MP3 for browsers without Ogg Vorbis (Safari before iOS 17 / macOS Sonoma). 128 kbit/s stereo
# at LAME's quality 2 ("high quality", slower search): transparent enough for generated piano and
# pads, and about the size of the Vorbis file.
MP3_BITRATE_KBPS = 128
MP3_QUALITY = 2


def encode_mp3(audio: np.ndarray, sample_rate: int, *, bitrate_kbps: int = MP3_BITRATE_KBPS,
               quality: int = MP3_QUALITY) -> bytes:
    """Encode float audio (frames x channels, within +-1) to MP3 bytes with LAME (lameenc).

    LAME adds no random parts, so the same samples give the same bytes.
    """
    import lameenc

    audio = np.asarray(audio, dtype=np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(channels)
    encoder.set_quality(quality)
    data = bytearray()
    flat = np.ascontiguousarray(pcm).reshape(-1)
    step = BLOCK_FRAMES * channels
    for start in range(0, flat.shape[0], step):
        data += encoder.encode(flat[start:start + step].tobytes())
    data += encoder.flush()
    return bytes(data)
