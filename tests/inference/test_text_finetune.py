"""Fine-tuning the text model: the command trains, resumes, exports, and the site reads the export."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import call_command
from django.core.management.base import CommandError

from inference.text import finetune, runtime, training
from moodsite.emotions import EMOTIONS
from tests.inference.test_text_training import ENGLISH, write_datasets

GOEMOTIONS_LABELS = (
    "admiration amusement anger annoyance approval caring confusion curiosity desire disappointment "
    "disapproval disgust embarrassment excitement fear gratitude grief joy love nervousness optimism "
    "pride realization relief remorse sadness surprise neutral"
).split()
KOREAN_GOEMOTIONS = [("정말 화가 나요", "2"), ("너무 기뻐요", "17"), ("무서워요", "14"), ("그냥 그래요", "27")]
DAIR = [("i feel so happy today", "joy"), ("i feel lonely", "sadness"), ("i am so angry", "anger"),
        ("i feel scared", "fear"), ("i was shocked", "surprise"), ("i love you", "love")]  # fmt: skip


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
    prior = finetune.mixture_prior({k: v["train"] for k, v in sets.items()}, finetune.QUOTAS)
    assert prior.shape == (len(EMOTIONS),) and prior.sum() == pytest.approx(1.0, abs=1e-3)
    assert (prior > 0).all()


def test_the_finetune_command_trains_resumes_exports_and_the_runtime_reads_it(tmp_path, settings, capsys):
    # Given a tiny copy of the four text datasets
    data = write_all_datasets(tmp_path / "text")
    run, out = tmp_path / "run", tmp_path / "model"
    common = ["--data", str(data), "--run-dir", str(run), "--frozen", "5", "--eval-every", "2", "--threads", "1"]
    # When it trains 2 steps, then resumes to 4 and exports
    call_command("finetune_text_emotion_model", *common, "--steps", "2", "--no-export")
    assert (run / "last.pt").exists() and (run / "best.pt").exists()
    call_command("finetune_text_emotion_model", *common, "--steps", "4", "--out", str(out))
    printed = capsys.readouterr().out
    # Then it resumed rather than starting again, and the export carries what the site needs
    assert "resumed at step 2" in printed
    assert torch.load(run / "last.pt", weights_only=False)["step"] == 4
    metadata = json.loads((out / runtime.METADATA_FILE).read_text())
    assert metadata["format"] == runtime.FINETUNED_FORMAT and metadata["classes"] == list(EMOTIONS)
    assert set(metadata["abstain"]) >= {"threshold", "coverage", "accepted_accuracy", "ece", "validation"}
    assert metadata["metrics"]["validation"]["nll"] > 0 and metadata["temperature"] > 0
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
        weights = out / metadata["weights"]
        weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
        runtime.reset()
        with pytest.raises(runtime.TextModelUnavailable, match="checksum"):
            runtime.read_texts(["I am furious"])
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
