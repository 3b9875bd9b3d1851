"""Cutting diary text into windows: what counts as something to read."""

import pytest

from inference.text import segment


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "🙂 👍 🎉", "??!", "12345", "ok", "ㅠㅠ"])
def test_it_finds_nothing_to_read_in_empty_emoji_or_too_short_text(text):
    assert segment.windows(text) == []


def test_it_reads_a_short_korean_sentence_whole():
    assert segment.windows("오늘 너무 행복했어") == ["오늘 너무 행복했어"]


def test_it_keeps_short_sentences_of_mixed_languages_in_one_window():
    # given two short sentences, Korean and English, with extra whitespace
    text = "I am furious.   진짜 화가 나!\n\n"
    # then they are read together, whitespace collapsed
    assert segment.windows(text) == ["I am furious. 진짜 화가 나!"]


def test_it_cuts_a_long_entry_into_windows_no_longer_than_the_limit():
    sentence = "Today I walked to the river and watched the boats for a long time. "
    windows = segment.windows(sentence * 40)
    assert len(windows) > 1
    assert all(len(w) <= segment.WINDOW_CHARS for w in windows)
    assert " ".join(windows) == segment.clean(sentence * 40)


def test_it_caps_the_number_of_windows_for_a_very_long_entry():
    windows = segment.windows("슬픈 하루였다. " * 3000)
    assert 1 < len(windows) <= segment.MAX_WINDOWS


def test_it_hard_cuts_a_run_without_spaces():
    windows = segment.windows("가" * 450)
    assert [len(w) for w in windows] == [200, 200, 50]
