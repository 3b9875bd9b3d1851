"""The text head's temperature: fitted on every validation split at once, and refitted alone by
``calibrate_text_emotion_model``."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from inference.text import calibrate, runtime, segment, training
from inference.text.head import Head
from inference.training.calibration import fit_temperature
from inference.training.metrics import softmax
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS
from tests.inference.test_text_training import write_datasets, write_diaries


def _set(texts: list[str], labels: list[int], name: str = "s") -> training.TextSet:
    return training.TextSet(
        name, texts, training._targets([[c] for c in labels]), [frozenset([c]) for c in labels], "en"
    )


def _fixed_logits(table: dict[str, np.ndarray]):
    return lambda windows: np.stack([table[w] for w in windows])


def test_it_pools_windows_as_the_runtime_does():
    # Given an entry longer than one window and a one-sentence entry, each window with its own logits
    long = (
        "I lost my keys this morning and had to wait outside in the rain for the locksmith, who came late. "
        "Then the bus broke down halfway to work and I missed the meeting I had prepared all week for. "
        "At night my friend called. We laughed."
    )
    short = "The meeting is at noon today."
    windows = segment.windows(long) + segment.windows(short)
    assert len(segment.windows(long)) > 1
    rng = np.random.default_rng(0)
    table = {w: rng.normal(size=len(EMOTIONS)) * 3 for w in windows}
    data = _set([long, short, "ok"], [3, 6, 6])
    # When the split is windowed and read at a temperature
    split = calibrate.windowed("s", data, _fixed_logits(table))
    got = split.probabilities(0.7)
    # Then each entry is runtime.pool of its windows' softmax, and a text with nothing to read is NaN
    for row, text in enumerate(data.texts[:2]):
        cut = segment.windows(text)
        expected = runtime.pool(softmax(np.stack([table[w] for w in cut]), 0.7), cut)
        assert np.allclose(got[row], expected)
    assert np.isnan(got[2]).all()


def test_it_weights_each_split_equally_whatever_its_size():
    # Given a large split whose logits are too sharp and a small one whose logits are too flat
    rng = np.random.default_rng(1)

    def split(name: str, n: int, sharpness: float, repeat: int = 1):
        labels = rng.integers(0, len(EMOTIONS), n)
        logits = rng.normal(size=(n, len(EMOTIONS)))
        logits[np.arange(n), labels] += 1.5
        texts = [f"{name} sentence number {i} here" for i in range(n)]
        table = {t: logits[i] * sharpness for i, t in enumerate(texts)}
        data = _set(texts * repeat, list(labels) * repeat, name)
        return calibrate.windowed(name, data, _fixed_logits(table))

    big, small = split("big", 400, 3.0), split("small", 40, 0.4)
    # When the temperature is fitted on both, and again with the small split's rows repeated ten times
    pooled = calibrate.fit_pooled_temperature([big, small])
    rng = np.random.default_rng(1)
    big, small_x10 = split("big", 400, 3.0), split("small", 40, 0.4, repeat=10)
    again = calibrate.fit_pooled_temperature([big, small_x10])
    # Then repeating a split's rows does not move it (each split's mean NLL counts once) ...
    assert again == pytest.approx(pooled, rel=1e-3)
    # ... and it lies between the two splits' own temperatures, away from the big one's
    alone = [fit_temperature(s.logits, s.data.first_labels) for s in (big, small)]
    assert min(alone) < pooled < max(alone)
    assert abs(np.log(pooled) - np.log(alone[0])) > 0.1


def _language_split(name: str, language: str, n: int, sharpness: float, rng):
    """A split whose window logits are ``sharpness`` x well-calibrated ones (too sharp above 1)."""
    labels = rng.integers(0, len(EMOTIONS), n)
    logits = rng.normal(size=(n, len(EMOTIONS)))
    logits[np.arange(n), labels] += 1.5
    word = "오늘은 정말 그런 하루였다" if language == "ko" else "today was really that kind of day"
    texts = [f"{word} {i}" for i in range(n)]
    table = {t: logits[i] * sharpness for i, t in enumerate(texts)}
    data = training.TextSet(
        name, texts, training._targets([[c] for c in labels]), [frozenset([c]) for c in labels], language
    )
    return calibrate.windowed(name, data, _fixed_logits(table))


def test_korean_windows_get_their_own_temperature_and_both_splits_end_better_calibrated():
    # Given an English split whose logits are too sharp and a Korean one whose logits are too flat
    rng = np.random.default_rng(2)
    english, korean = _language_split("en", "en", 600, 2.5, rng), _language_split("ko", "ko", 600, 0.5, rng)
    assert korean.korean.all() and not english.korean.any()
    # When one temperature is fitted on both, and then one per language
    pooled = calibrate.fit_pooled_temperature([english, korean])
    temperature, korean_temperature = calibrate.fit_language_temperatures([english, korean])
    # Then each language's temperature is near the one its split alone would choose
    alone = [fit_temperature(s.logits, s.data.first_labels) for s in (english, korean)]
    assert temperature == pytest.approx(alone[0], rel=0.05)
    assert korean_temperature == pytest.approx(alone[1], rel=0.05)
    # and each split's ECE is lower than with the shared temperature, its accuracy unchanged
    for split in (english, korean):
        shared, own = calibrate.report(split, pooled), calibrate.report(split, temperature, korean_temperature)
        assert own["ece"] < shared["ece"]
        assert own["accuracy"] == shared["accuracy"]


def test_splits_without_korean_keep_one_temperature():
    rng = np.random.default_rng(3)
    english = _language_split("en", "en", 200, 2.0, rng)
    temperature, korean_temperature = calibrate.fit_language_temperatures([english])
    assert korean_temperature is None
    assert temperature == pytest.approx(calibrate.fit_pooled_temperature([english]))


def test_the_head_reads_korean_windows_at_their_own_temperature_and_keeps_it_on_disk(tmp_path):
    # Given a head with a Korean temperature twice its default one
    rng = np.random.default_rng(4)
    head = Head(np.zeros(4), np.ones(4), [(rng.normal(size=(4, len(EMOTIONS))), np.zeros(len(EMOTIONS)))],
                temperature=1.0, korean_temperature=2.0)  # fmt: skip
    vectors = rng.normal(size=(2, 4))
    texts = ["오늘은 조용한 하루였다", "a quiet day at home"]
    # When it reads a Korean and an English window with the same vector
    same = np.stack([vectors[0], vectors[0]])
    got = head.probabilities(same, texts)
    # Then the Korean window is read at T=2 and the English one at T=1 (same top emotion, flatter)
    logits = head.logits(same, texts)
    assert np.allclose(got[0], softmax(logits[:1], 2.0)[0]) and np.allclose(got[1], softmax(logits[1:], 1.0)[0])
    assert got[0].argmax() == got[1].argmax() and got[0].max() < got[1].max()
    # and the temperature survives saving and loading; a head without one reads every window at T
    head.save(tmp_path / "head.npz")
    again = Head.load(tmp_path / "head.npz")
    assert again.korean_temperature == 2.0 and np.allclose(again.probabilities(same, texts), got)
    again.korean_temperature = None
    assert np.allclose(again.probabilities(same, texts), softmax(logits, 1.0))


def test_it_refuses_a_split_with_nothing_to_read():
    data = _set(["ok", "ha"], [3, 3])
    split = calibrate.windowed("empty", data, _fixed_logits({}))
    with pytest.raises(ValueError, match="empty: no entry has anything to read"):
        calibrate.fit_pooled_temperature([split])


@pytest.fixture
def trained(tmp_path):
    data = write_datasets(tmp_path / "text")
    diary = write_diaries(tmp_path / "diary")
    out = tmp_path / "weights"
    call_command(
        "train_text_emotion_model",
        "--data", str(data), "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
        "--l2", "1e-2", "--max-iter", "100", "--diary", str(diary), "--diary-weight", "1",
        "--neutral-bias", "0", "--baseline", "",
    )  # fmt: skip
    return data, diary, out, tmp_path / "cache"


def _calibrate(data, diary, out, cache, *extra):
    call_command(
        "calibrate_text_emotion_model",
        "--data", str(data), "--diary", str(diary), "--model-dir", str(out), "--cache-dir", str(cache), *extra,
    )  # fmt: skip


def test_it_refits_only_the_temperature_and_records_ece_before_and_after(trained, settings, capsys):
    # Given a trained head whose temperature is set off on purpose
    data, diary, out, cache = trained
    head = Head.load(out / runtime.HEAD_FILE)
    fitted = head.temperature
    head.temperature = fitted * 3
    head.save(out / runtime.HEAD_FILE)
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    metadata["sha256"] = file_sha256(out / runtime.HEAD_FILE)
    (out / runtime.METADATA_FILE).write_text(json.dumps(metadata))
    # When only the temperature is refitted
    _calibrate(data, diary, out, cache)
    # Then the fit the train command made is found again, the weights are otherwise unchanged,
    # (to 1%: the train command fits on its float32 n-gram table, head.npz stores it in float16)
    again = Head.load(out / runtime.HEAD_FILE)
    assert again.temperature == pytest.approx(fitted, rel=1e-2)
    assert np.array_equal(again.layers[0][0], head.layers[0][0])
    # head.json carries the new checksum and temperature and each validation split's ECE before/after
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    assert metadata["sha256"] == file_sha256(out / runtime.HEAD_FILE)
    assert metadata["head"]["temperature"] == round(again.temperature, 4)
    calibration = metadata["metrics"]["calibration"]
    assert calibration["temperature"]["before"] == pytest.approx(fitted * 3, abs=1e-4)
    for name in ("en_val", "ko_val", "diary_val", "diary_en_val", "diary_ko_val", "en_test", "ko_test"):
        assert name in calibration["ece_before"] and name in calibration["ece_after"]
        assert metadata["metrics"][name]["ece"] == calibration["ece_after"][name]
    # and the runtime reads the rewritten head
    settings.TEXT_MODEL_DIR = str(out)
    runtime.reset()
    try:
        assert runtime.read_texts(["I am so happy for you, congratulations!"])[0] is not None
    finally:
        runtime.reset()
    assert "temperature" in capsys.readouterr().out


def test_a_dry_run_writes_nothing(trained):
    data, diary, out, cache = trained
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _calibrate(data, diary, out, cache, "--dry-run")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_it_says_which_dataset_folder_it_needs(trained, tmp_path):
    _, diary, out, cache = trained
    with pytest.raises(CommandError, match="--data must be the shared datasets' text/ folder"):
        _calibrate(tmp_path / "nowhere", diary, out, cache)


def test_it_says_how_to_restore_a_head_that_fails_its_checksum(trained):
    data, diary, out, cache = trained
    (out / runtime.HEAD_FILE).write_bytes(b"not a head")
    with pytest.raises(CommandError, match="do not match their checksum"):
        _calibrate(data, diary, out, cache)
