"""Behaviour check: the shipped text model reads diary-style writing it was never trained on.

200 entries written for this probe (tests/inference/data/diary_probe_{en,ko}.tsv: 100 English,
100 Korean; 13-15 per mood and language): most state no emotion word and leave the mood to the
events ("My manager presented my idea ... as his own, again."), and each mood has a long entry
of three or more sentences, which the runtime reads whole (sentence windows, pooled). Neither
training nor checkpoint choice nor calibration looked at these sentences.

The target is 85% (issue 16). ``FLOOR`` is what the shipped model meets (model card, "Diary
probe"): a drop below it means a change made the site read diaries worse.
"""

from pathlib import Path

import numpy as np
import pytest

from inference.text import runtime, segment, training
from moodsite.emotions import EMOTIONS

DATA = Path(__file__).resolve().parent / "data"
UNSEEN = training.DIARY_DIR / "unseen"  # writers no shipped model trained on (model card, "Session 12")
TARGET = 0.85
FLOOR = 0.70
LANGUAGE_FLOOR = 0.65


def probe() -> list[tuple[str, str, str]]:
    rows = []
    for language in ("en", "ko"):
        for line in (DATA / f"diary_probe_{language}.tsv").read_text(encoding="utf-8").splitlines():
            if line.strip():
                emotion, text = line.split("\t", 1)
                rows.append((language, emotion, text))
    return rows


def test_the_probe_is_what_its_docstring_says():
    rows = probe()
    assert len(rows) == 200
    for language in ("en", "ko"):
        mine = [r for r in rows if r[0] == language]
        assert len(mine) == 100
        counts = {e: sum(r[1] == e for r in mine) for e in EMOTIONS}
        assert min(counts.values()) >= 13, counts
        long_entries = [r for r in mine if len(segment.sentences(r[2])) >= 3]
        assert len({r[1] for r in long_entries}) == len(EMOTIONS)


def test_no_diary_training_entry_is_a_near_copy_of_a_probe_entry():
    # Given every diary-style file (some by the probe's writers), those kept unseen to decide a
    # later model among them, and the probe
    probe_texts = [text for _, _, text in probe()]
    paths = sorted(training.DIARY_DIR.glob("diary_train_*.tsv")) + sorted(UNSEEN.glob("diary_train_*.tsv"))
    assert {training.diary_language(path) for path in paths} == {"en", "ko"}
    for path in paths:
        train = training.read_diary(path, training.diary_language(path))
        # Then none shares half or more of its character 3-grams with a probe entry
        assert training.near_duplicates(train.texts, probe_texts) == [], path.name
        # and each file was read whole: every mood at least 50 times (the smallest writers' share)
        assert train.targets.sum(axis=0).min() >= 50, path.name


def test_the_unseen_writers_share_no_near_copy_with_the_training_writers():
    # Given the writers kept unseen to decide models, and the writers the shipped model trained on
    unseen = sorted(UNSEEN.glob("diary_train_*.tsv"))
    assert unseen, "no unseen writer: the next model decision has nothing fresh to be scored on"
    for path in unseen:
        language = training.diary_language(path)
        trained = [
            text
            for other in sorted(training.DIARY_DIR.glob(f"diary_train_{language}*.tsv"))
            for text in training.read_diary(other, language).texts
        ]
        # Then no unseen entry shares half or more of its character 3-grams with a training entry,
        # so a score on the unseen writer measures reading, not recall of a near-copy
        assert training.near_duplicates(training.read_diary(path, language).texts, trained) == [], path.name


@pytest.fixture(scope="module")
def readings():
    rows = probe()
    return rows, runtime.read_texts([text for _, _, text in rows])


def test_the_shipped_model_reads_diary_entries_as_their_writers_meant(readings, record_property, capsys):
    # Given 200 diary entries and the mood each one tells
    rows, results = readings
    # When the shipped model reads them
    predicted = [max(r.probabilities, key=r.probabilities.get) if r else None for r in results]
    right = np.array([p == emotion for p, (_, emotion, _) in zip(predicted, rows, strict=True)])
    by_language = {lang: float(right[[r[0] == lang for r in rows]].mean()) for lang in ("en", "ko")}
    per_class = {e: float(right[[r[1] == e for r in rows]].mean()) for e in EMOTIONS}
    record_property("probe_accuracy", float(right.mean()))
    with capsys.disabled():
        print(
            f"\ndiary probe accuracy {right.mean():.3f} (target {TARGET}); "
            f"by language {by_language}; per mood {per_class}"
        )
    # Then it reads at least the floor the shipped model meets, in each language too
    assert right.mean() >= FLOOR
    assert min(by_language.values()) >= LANGUAGE_FLOOR


def test_a_long_entry_is_read_whole_not_by_its_first_sentence(readings):
    rows, _ = readings
    calm_start = "I went to the post office and then bought some bread."
    sad_rest = next(
        text for lang, emotion, text in rows if lang == "en" and emotion == "sad" and text.startswith("Most days")
    )
    whole, rest, start = runtime.read_texts([f"{calm_start} {sad_rest}", sad_rest, calm_start])

    def top(reading):
        return max(reading.probabilities, key=reading.probabilities.get)

    # The calm first sentence alone reads neutral; the whole entry reads as its emotional rest does
    # (whatever this model makes of that rest: the probe test scores the mood itself), not as its start.
    assert top(start) == "neutral"
    assert top(whole) == top(rest) != "neutral"
    assert whole.probabilities["neutral"] < 0.5
