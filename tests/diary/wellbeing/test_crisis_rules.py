"""The crisis check on hand-written sentences in Korean and English (crisis_sentences.tsv).

Every clear positive must be found (recall 1.0): a missed "죽고 싶다" is the one failure this check
must not have. Idioms, negations, quotes and other people's words must not show crisis help.
"""

from pathlib import Path

import pytest

from diary.wellbeing import crisis

DATA = Path(__file__).with_name("crisis_sentences.tsv")


def load() -> list[tuple[str, str, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, expected, sentence = line.split("\t")
        rows.append((language, expected, sentence))
    return rows


SENTENCES = load()


def test_it_has_at_least_a_hundred_sentences_in_each_language_with_both_kinds():
    for language in ("ko", "en"):
        rows = [r for r in SENTENCES if r[0] == language]
        assert len(rows) >= 100
        assert sum(r[1] == "clear" for r in rows) >= 40
        assert sum(r[1] == "none" for r in rows) >= 50


@pytest.mark.parametrize(("language", "expected", "sentence"), SENTENCES, ids=[s[2][:40] for s in SENTENCES])
def test_it_reads_each_sentence_at_its_level(language, expected, sentence):
    assert crisis.check_text(sentence).level == expected


def scores(language: str) -> dict:
    """Precision and recall of "shows crisis help at once" (level clear) against the labels."""
    tp = fp = fn = 0
    for lang, expected, sentence in SENTENCES:
        if lang != language:
            continue
        found = crisis.check_text(sentence).is_clear
        tp += found and expected == "clear"
        fp += found and expected != "clear"
        fn += (not found) and expected == "clear"
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn), "tp": tp, "fp": fp, "fn": fn}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_recalls_every_clear_positive_and_reports_precision(language, capsys):
    result = scores(language)
    with capsys.disabled():
        print(f"\ncrisis check {language}: precision {result['precision']:.3f} recall {result['recall']:.3f} {result}")
    assert result["recall"] == 1.0
    assert result["precision"] >= 0.95


def test_a_possible_match_needs_the_text_model_to_read_despair():
    finding = crisis.check_text("그냥 사라지고 싶다.")
    assert finding.level == crisis.POSSIBLE
    assert crisis.confirms(finding, {"sad": 0.45, "fear": 0.15, "happy": 0.4})
    assert not crisis.confirms(finding, {"sad": 0.1, "fear": 0.1, "happy": 0.8})
    # No reading, or a reading in classes the check does not know: the rules alone decide.
    assert not crisis.confirms(finding, None)
    assert not crisis.confirms(finding, {"joy": 0.9, "grief": "lots"})


def test_a_clear_match_never_waits_for_the_model():
    finding = crisis.check_text("I want to kill myself.")
    assert crisis.confirms(finding, None)
    assert crisis.confirms(finding, {"happy": 1.0})


def test_the_finding_names_the_rule_and_never_carries_the_text():
    finding = crisis.check_text("오늘 너무 힘들었다. 죽고 싶다.")
    assert finding.rule == "ko_want_to_die"
    assert "죽고" not in repr(finding)
