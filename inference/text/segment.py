"""Cleaning diary text and cutting it into pieces the sentence encoder reads well.

Both training sets are single sentences or short comments, so a long entry is split into
sentences and neighbouring short sentences are packed into windows of at most
``WINDOW_CHARS`` characters; each window is classified on its own and the results are pooled
(see ``runtime``). Korean and English share the rules: sentence ends are . ! ? … and their
full-width forms, or a line break; a sentence too long for one window is cut at spaces.

A text needs at least ``MIN_LETTERS`` letters (any script; a Hangul syllable counts two) to be
read at all. Emoji, digits and punctuation are not letters, so an empty, emoji-only or "??!"
entry gives no text reading rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata

MIN_LETTERS = 3
# Longer than almost every training sentence (GoEmotions comments are capped near 30 words,
# the Korean set's sentences are ~20 characters), short enough that one window carries one mood.
WINDOW_CHARS = 200
# A diary entry beyond this many windows is read in wider windows instead of more of them, so
# one very long entry costs at most this many encoder passes.
MAX_WINDOWS = 32

_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+|\s*\n\s*")


def language_of(text: str) -> str:
    """"ko" when at least 30% of the letters are Hangul, else "en" (the two languages the text
    model was validated on; the abstain thresholds and the head's temperatures are per language)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff"
                 or "\u3130" <= ch <= "\u318f")
    return "ko" if hangul / len(letters) >= 0.3 else "en"


def clean(text: str) -> str:
    """NFC-normalised text with runs of whitespace collapsed to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def _is_dense(char: str) -> bool:
    """A Hangul syllable or a CJK ideograph: one character holds what takes two or three Latin letters."""
    return "\uac00" <= char <= "\ud7a3" or "\u4e00" <= char <= "\u9fff"


def letter_count(text: str) -> int:
    """Letters in ``text``, a Hangul syllable or CJK ideograph counting two (so "좋아" reads, "ok" does not)."""
    return sum(2 if _is_dense(char) else 1 for char in text if unicodedata.category(char).startswith("L"))


def has_enough_words(text: str) -> bool:
    return letter_count(text) >= MIN_LETTERS


def sentences(text: str) -> list[str]:
    normalised = unicodedata.normalize("NFC", text or "")
    parts = (clean(part) for part in _SENTENCE_END.split(normalised))
    return [part for part in parts if part]


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Join neighbouring pieces with spaces, greedily, into runs of at most ``limit`` characters."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if len(candidate) > limit and current:
            packed.append(current)
            current = piece
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed


def _cut_long(sentence: str, limit: int) -> list[str]:
    """A sentence longer than ``limit`` cut at spaces (a run with no spaces at all: hard cut)."""
    if len(sentence) <= limit:
        return [sentence]
    words = [word[i : i + limit] for word in sentence.split(" ") for i in range(0, len(word), limit)]
    return _pack(words, limit)


def windows(text: str) -> list[str]:
    """The pieces of ``text`` to classify, in order; [] when there is nothing to read."""
    parts = [s for s in sentences(text) if has_enough_words(s)]
    if not parts:
        return []
    total = sum(len(s) + 1 for s in parts)
    limit = max(WINDOW_CHARS, -(-total // MAX_WINDOWS))
    packed = _pack([piece for sentence in parts for piece in _cut_long(sentence, limit)], limit)
    if len(packed) > MAX_WINDOWS:  # only when cutting at spaces overshot; merge neighbours
        step = -(-len(packed) // MAX_WINDOWS)
        packed = [" ".join(packed[i : i + step]) for i in range(0, len(packed), step)]
    return packed
