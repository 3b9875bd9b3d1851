"""Text datasets, the multi-label scoring rule, and the train/evaluate commands."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from inference.abstaining import Thresholds
from inference.text import evaluation, fit, runtime, training
from inference.training.calibration import fit_temperature
from moodsite.emotions import EMOTIONS

ROOT = Path(__file__).resolve().parents[2]
TEXT = Path(os.environ.get("MOODSITE_DATASETS") or ROOT.parent / "shared" / "datasets") / "text"
needs_text_data = pytest.mark.skipif(
    not (TEXT / "goemotions").is_dir(), reason=f"text datasets not found: {TEXT} is absent (../shared/datasets)"
)

ENGLISH = [
    ("I am so happy for you, congratulations!", "3"),
    ("This is wonderful news, I love it", "3"),
    ("I am furious about this", "0"),
    ("That makes me so angry", "0"),
    ("I miss him so much, it hurts", "5"),
    ("So sad to hear that", "5"),
    ("Wow, I did not expect that at all!", "6"),
    ("That is gross and disgusting", "1"),
    ("I'm terrified of what comes next", "2"),
    ("The meeting is at noon", "4"),
    ("Great, and also a bit scary", "3,2"),
]
KOREAN = [
    ("오늘 너무 행복했어", "행복"),
    ("정말 기뻐요", "행복"),
    ("진짜 화가 난다", "분노"),
    ("너무 짜증나고 화나", "분노"),
    ("너무 슬퍼서 울었어", "슬픔"),
    ("마음이 아프다", "슬픔"),
    ("깜짝 놀랐어", "놀람"),
    ("역겨워 죽겠네", "혐오"),
    ("무서워서 잠이 안 와", "공포"),
    ("내일 회의는 세 시입니다", "중립"),
]


def write_datasets(folder: Path) -> Path:
    ekman = folder / "goemotions" / "data" / "ekman"
    ekman.mkdir(parents=True)
    (ekman / "labels.txt").write_text("anger\ndisgust\nfear\njoy\nneutral\nsadness\nsurprise\n")
    for split in ("train", "dev", "test"):
        rows = [f"{text}\t{labels}\tid{i}" for i, (text, labels) in enumerate(ENGLISH)]
        (ekman / f"{split}.tsv").write_text("\n".join(rows) + "\n")
    korean = folder / "korean_single_turn"
    korean.mkdir()
    rows = [f"{text},{label}" for text, label in KOREAN * 5]
    (korean / "dataset_utf8.csv").write_text("Sentence,Emotion\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return folder


DIARY = {
    "en": [
        ("angry", "My manager took credit for my work again today."),
        ("disgust", "The fridge at work smelled of rotten fish and someone had left mould in a cup."),
        ("fear", "I heard footsteps behind me all the way home and did not dare turn round."),
        ("happy", "We finally went to the beach and the kids laughed all afternoon."),
        ("sad", "I cleared out dad's wardrobe today and kept only his old scarf."),
        ("surprise", "My old teacher was standing at the bus stop, after twenty years."),
        ("neutral", "I did the laundry, paid the bills and watched the news."),
    ],
    "ko": [
        ("angry", "택배 기사가 또 물건을 문 앞에 던지고 갔다."),
        ("disgust", "식당 국에서 머리카락이 나왔는데 주인은 모른 척했다."),
        ("fear", "밤에 누가 현관문 손잡이를 계속 돌렸다."),
        ("happy", "손주가 처음으로 할머니라고 불러 줬다."),
        ("sad", "오랜 친구의 장례식에 다녀왔다."),
        ("surprise", "길에서 삼십 년 전 직장 동료를 우연히 만났다."),
        ("neutral", "오전에 장을 보고 오후에는 빨래를 했다."),
    ],
}


def write_diaries(folder: Path, copies: int = 5) -> Path:
    folder.mkdir(parents=True)
    for language, rows in DIARY.items():
        lines = [f"{label}\t{text} ({i})" for i in range(copies) for label, text in rows]
        (folder / f"diary_train_{language}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_the_diary_split_holds_out_a_fifth_of_every_mood_the_same_way_each_time(tmp_path):
    # given diary files with 5 entries of every mood in each language
    folder = write_diaries(tmp_path / "diary")
    # when they are read and split twice
    first, second = training.read_diaries(folder), training.read_diaries(folder)
    # then each language keeps 1 of every mood's 5 entries for validation, the same ones both times
    assert set(first) == {"en", "ko"}
    for language, (train, val) in first.items():
        assert len(train) == 28 and len(val) == 7
        assert sorted(val.first_labels) == list(range(len(EMOTIONS)))
        assert not set(train.texts) & set(val.texts)
        assert val.texts == second[language][1].texts


def test_a_second_writers_file_adds_rows_and_leaves_the_first_files_validation_rows_in_place(tmp_path):
    # given the diary files, read once
    folder = write_diaries(tmp_path / "diary")
    before = training.read_diaries(folder)
    # when a second writer's English file is added beside them
    lines = [f"{label}\t{text} (second writer {i})" for i in range(5) for label, text in DIARY["en"]]
    (folder / "diary_train_en_2.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = training.read_diaries(folder)
    # then English has both files' rows, each split a fifth per mood, and the first file's
    # validation rows are still validation rows (no earlier figure moves because of the new file)
    assert set(after) == {"en", "ko"}
    train, val = after["en"]
    assert len(train) == 2 * 28 and len(val) == 2 * 7
    assert set(before["en"][1].texts) <= set(val.texts)
    assert not set(train.texts) & set(val.texts)
    assert after["ko"][1].texts == before["ko"][1].texts


def test_the_evaluate_command_reads_a_whole_writers_diary_file(tmp_path):
    # A writer's file is scored whole (every entry), in its language: how a model reads a writer it never saw
    folder = write_diaries(tmp_path / "diary")
    path = folder / "diary_train_ko.tsv"
    path.rename(folder / "diary_train_ko_2.tsv")
    data = training.read_any(folder / "diary_train_ko_2.tsv")
    assert data.language == "ko" and len(data) == 35


def test_a_diary_file_with_an_unknown_mood_is_refused_with_its_line(tmp_path):
    path = tmp_path / "diary_train_en.tsv"
    path.write_text("happy\tA lovely walk.\njoyful\tAnother walk.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"diary_train_en.tsv:2"):
        training.read_diary(path, "en")


def test_near_duplicates_catch_a_lightly_reworded_entry_but_not_another_one():
    probe = ["My manager presented my idea at the meeting as if it were his own, again."]
    texts = [
        "My manager presented my idea at the meeting as if it were his own again!",
        "The neighbour's dog barked all night and I could not sleep.",
    ]
    assert training.near_duplicates(texts, probe) == [0]


def test_the_multi_label_rule_counts_any_gold_label_as_right():
    # given a row labelled joy+fear, a row labelled anger, and a text with no result
    data = training.TextSet(
        "t",
        ["a", "b", "c"],
        training._targets([[3, 2], [0], [4]]),
        [frozenset({3, 2}), frozenset({0}), frozenset({4})],
        "en",
    )
    probabilities = np.full((3, len(EMOTIONS)), 0.01)
    probabilities[0, EMOTIONS.index("fear")] = 0.94  # the second gold label: right
    probabilities[1, EMOTIONS.index("sad")] = 0.94  # wrong
    probabilities[2] = np.nan  # no result: wrong
    report = evaluation.score(data, probabilities)
    assert report["accuracy"] == pytest.approx(1 / 3)
    assert report["no_result"] == 1
    assert report["multi_label_rows"] == 1
    assert "any gold label" in report["rule"]


def test_the_kept_readings_follow_each_texts_language_threshold():
    # given an English and a Korean entry read with the same confidence, and a stricter Korean threshold
    data = training.TextSet(
        "t",
        ["A quiet walk by the river.", "강가를 조용히 걸었다.", "Another walk."],
        training._targets([[3], [3], [4]]),
        [frozenset({3}), frozenset({3}), frozenset({4})],
        "mixed",
    )
    probabilities = np.full((3, len(EMOTIONS)), 0.04)
    probabilities[:, EMOTIONS.index("happy")] = 0.76  # the third entry is read wrong
    thresholds = Thresholds(text=0.5, text_by_language={"en": 0.7, "ko": 0.8})
    # when the site's keep-or-abstain rule is applied
    kept = evaluation.at_abstain_thresholds(data, probabilities, thresholds)
    # then the English readings are kept (one right, one wrong) and the Korean one is withheld
    assert (kept["kept"], kept["rows"], kept["coverage"], kept["kept_accuracy"]) == (2, 3, 0.6667, 0.5)
    # and a model without thresholds keeps every reading
    assert evaluation.at_abstain_thresholds(data, probabilities, Thresholds())["coverage"] == 1.0


def test_the_ece_noise_floor_shrinks_with_more_texts_and_is_repeatable():
    # given a perfectly calibrated model's confidences on a writer's 350 entries and on 35,000 texts
    confidences = np.tile(np.linspace(0.3, 0.95, 14), 25)
    few = evaluation.ece_noise_floor(confidences, draws=300)
    many = evaluation.ece_noise_floor(np.tile(confidences, 100), draws=30)
    # then a few hundred texts leave an ECE of several points even with nothing wrong, many texts far less
    assert 0.03 < few["median"] < 0.08 and few["p90"] > few["median"]
    assert many["median"] < few["median"] / 5
    # and the same call gives the same figures
    assert evaluation.ece_noise_floor(confidences, draws=300) == few


def test_balanced_weights_give_every_language_and_class_equal_mass():
    targets = training._targets([[0], [0], [0], [1], [0], [1]])
    groups = np.array([0, 0, 0, 0, 1, 1])
    weights = fit.balanced_weights(targets, groups)
    for group in (0, 1):
        for cls in (0, 1):
            rows = (groups == group) & (targets[:, cls] > 0)
            assert weights[rows].sum() == pytest.approx(weights.sum() / 4)


def test_fit_head_learns_a_separable_problem_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(len(EMOTIONS), 16)) * 3
    labels = rng.integers(0, len(EMOTIONS), 700)
    features = centres[labels] + rng.normal(size=(700, 16))
    targets = training._targets([[int(c)] for c in labels])
    for hidden in (0, 8):
        head = fit.fit_head(features, targets, np.ones(700), hidden=hidden, l2=1e-4, max_iter=200)
        head.temperature = fit_temperature(head.logits(features), labels)
        assert (head.probabilities(features).argmax(axis=1) == labels).mean() > 0.9
        head.save(tmp_path / "h.npz")
        again = type(head).load(tmp_path / "h.npz")
        assert np.allclose(again.probabilities(features[:5]), head.probabilities(features[:5]), atol=1e-5)


def test_train_and_evaluate_commands_write_and_read_a_head(tmp_path, settings, capsys):
    # given a tiny dataset laid out like ../shared/datasets/text
    data = write_datasets(tmp_path / "text")
    out = tmp_path / "weights"
    # when the head is trained and evaluated on it
    call_command(
        "train_text_emotion_model",
        "--data", str(data), "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
        "--l2", "1e-2", "--max-iter", "100", "--diary", str(write_diaries(tmp_path / "diary")),
        "--diary-weight", "0", "1", "--neutral-bias", "-1", "0", "--baseline", "",
    )  # fmt: skip
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    assert metadata["sha256"] and metadata["classes"] == list(EMOTIONS)
    assert {"en_test", "ko_test", "validation", "diary_en_val", "diary_ko_val", "diary_val"} <= set(metadata["metrics"])
    assert metadata["head"]["diary_weight"] in (0.0, 1.0) and metadata["head"]["neutral_bias"] in (-1.0, 0.0)
    assert metadata["training"]["diary"]["entries"] == {"en": [28, 7], "ko": [28, 7]}
    settings.TEXT_MODEL_DIR = str(out)
    runtime.reset()
    try:
        report_file = tmp_path / "report.json"
        call_command(
            "evaluate_text_emotion_model",
            "--data", str(data / "goemotions" / "data" / "ekman" / "test.tsv"),
            "--json", str(report_file), "--speed-sample", "8", "--no-cache",
        )  # fmt: skip
    finally:
        runtime.reset()
    printed = capsys.readouterr().out
    assert "diary_weight=1 " in printed and "neutral bias -1.00" in printed and "diary val macro-F1" in printed
    for words in ("accuracy", "macro-F1", "ECE", "sentences per second", "any gold label", "surprise", "kept"):
        assert words in printed
    report = json.loads(report_file.read_text())
    assert report["rows"] == len(ENGLISH) and report["sentences_per_second"] > 0
    assert report["abstain"]["rows"] == len(ENGLISH) and 0 <= report["abstain"]["coverage"] <= 1
    assert "perfectly calibrated" in printed and report["ece_noise_floor"]["median"] > 0


@needs_text_data
def test_the_real_datasets_map_to_the_seven_emotions():
    english = training.read_goemotions(TEXT / "goemotions" / "data" / "ekman" / "test.tsv")
    assert len(english) == 5427
    assert np.allclose(english.targets.sum(axis=1), 1.0, atol=1e-5)
    korean = training.read_korean(TEXT / "korean_single_turn" / "dataset_utf8.csv")
    counts = korean.targets.sum(axis=0)
    assert len(korean) == 38594 and (counts > 4000).all()


@needs_text_data
def test_the_korean_held_out_split_is_twenty_percent_and_fixed():
    korean = training.read_korean(TEXT / "korean_single_turn" / "dataset_utf8.csv")
    first = training.korean_split(korean)
    second = training.korean_split(korean)
    assert [len(s) for s in first] == [27787, 3088, 7719]
    assert first[2].texts == second[2].texts


@needs_text_data
def test_the_shipped_head_meets_its_recorded_korean_accuracy_on_a_sample():
    korean = training.read_korean(TEXT / "korean_single_turn" / "dataset_utf8.csv")
    _, _, test = training.korean_split(korean)
    sample = test.subset(np.arange(0, len(test), 40))  # ~190 rows: seconds, not minutes
    report = evaluation.score(sample, evaluation.predict_set(sample))
    recorded = runtime.text_model_info()["metrics"]["ko_test"]["accuracy"]
    assert report["accuracy"] >= recorded - 0.1
