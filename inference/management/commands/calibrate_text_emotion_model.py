"""Refit only the temperatures of a text head (format 1, or format 3 on a fine-tuned encoder), without retraining it.

    python manage.py calibrate_text_emotion_model --data ../shared/datasets/text   # the shipped head
    python manage.py calibrate_text_emotion_model --model-dir DIR --dry-run

The temperatures (one for Korean windows, one for the rest) are fitted on GoEmotions dev, the
Korean validation split and the diary validation rows together, each split counting equally
(``inference.text.calibrate``: the same fit the train command ends with). The head's weights are
unchanged apart from the temperatures;
head.npz is rewritten atomically, head.json gets the new checksum and temperature, every split's
metrics recomputed at the new temperature (the test splits only reported: they are read after
the fit and never enter it), and ``metrics.calibration`` with each validation split's ECE before
and after. The abstain threshold depends on calibrated probabilities: the command reminds you
to re-run ``choose_abstain_thresholds --models text``. Embeddings come from the training cache
(var/cache/text_emotion/..., per encoder), filled on first use.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from moodsite.digests import file_sha256

VALIDATION = ("en_val", "ko_val", "diary_val")


class Command(BaseCommand):
    help = "Refit the text head's temperatures on the pooled validation splits and rewrite head.npz + head.json."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(Path(settings.MOODSITE_DATASETS) / "text"),
                            help="the shared datasets' text/ folder")  # fmt: skip
        parser.add_argument("--model-dir", default=None, help="the head's folder (default: the shipped head)")
        parser.add_argument("--cache-dir", default=None, help="embedding cache (default var/cache/text_emotion/...)")
        parser.add_argument("--diary", default=None, help="folder of diary_train_<lang>.tsv (default: the shipped)")
        parser.add_argument(
            "--no-tests", action="store_true",
            help="do not rescore the test splits (their stored figures are dropped, not left stale)",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")

    def handle(self, *args, **options):
        from inference.text import calibrate, runtime, training
        from inference.text.evaluation import format_report

        sets = self._read(Path(options["data"]), options["diary"], with_tests=not options["no_tests"])
        folder = Path(options["model_dir"]) if options["model_dir"] else runtime.model_dir()
        previous = settings.TEXT_MODEL_DIR
        settings.TEXT_MODEL_DIR = str(folder)
        runtime.reset()
        try:
            model, metadata = runtime.load_model()
        except runtime.TextModelUnavailable as error:
            raise CommandError(str(error)) from error
        finally:
            runtime.reset()
            settings.TEXT_MODEL_DIR = previous
        if metadata["format"] == runtime.FORMAT_VERSION:
            head, tuned = model, None
        elif metadata["format"] == runtime.FINETUNED_HEAD_FORMAT:
            head, tuned = model.head, model.encoder
        else:
            raise CommandError(
                f"{folder} holds a format-{metadata['format']} model; this command refits the heads of formats "
                "1 and 3 (a format-2 model's temperature is fitted by finetune_text_emotion_model --export-only)."
            )
        cache_dir = options["cache_dir"] or training.default_cache_dir(tuned.id if tuned else None)
        cache = training.EmbeddingCache(Path(cache_dir), tuned.vectors if tuned else None)
        self.stdout.write(f"embedding cache {cache.folder}: {len(cache)} vectors")

        def logits_for(windows: list[str]):
            return head.logits(cache.embed(windows), windows)

        splits = {name: calibrate.windowed(name, data, logits_for) for name, data in sets.items()}
        before = (head.temperature, head.korean_temperature)
        after = calibrate.fit_language_temperatures([splits[n] for n in VALIDATION])
        reports = {n: (calibrate.report(s, *before), calibrate.report(s, *after)) for n, s in splits.items()}
        self.stdout.write(f"temperature {_shown(before)} -> {_shown(after)} ({calibrate.RULE})")
        for name, (old, new) in reports.items():
            self.stdout.write(f"  {name}: ECE {old['ece']:.4f} -> {new['ece']:.4f}, NLL {old['nll']:.4f} -> "
                              f"{new['nll']:.4f}, macro-F1 {old['macro_f1']:.4f} -> {new['macro_f1']:.4f}")  # fmt: skip
        for name, (_, new) in reports.items():
            self.stdout.write(format_report(name, new))
        if options["dry_run"]:
            return

        head.temperature, head.korean_temperature = after
        weights = folder / metadata.get("weights", runtime.HEAD_FILE)
        tmp = weights.with_name(f".{weights.name}.tmp")
        head.save(tmp)
        os.replace(tmp, weights)
        metadata["sha256"] = file_sha256(weights)
        metadata["head"]["temperature"] = round(after[0], 4)
        metadata["head"].pop("korean_temperature", None)
        if after[1] is not None:
            metadata["head"]["korean_temperature"] = round(after[1], 4)
            metadata["head"]["temperature_rule"] = calibrate.RULE
        metrics = metadata.setdefault("metrics", {})
        if options["no_tests"]:
            for name in ("en_test", "ko_test"):
                metrics.pop(name, None)
        for name, (_, new) in reports.items():
            metrics[name] = calibrate.stored(new)
        metrics["validation"] = {
            **metrics.get("validation", {}),
            "nll": round((metrics["en_val"]["nll"] + metrics["ko_val"]["nll"]) / 2, 4),
            "split": "mean of GoEmotions Ekman dev and the Korean validation split (NLL of the first label)",
        }
        metrics["calibration"] = {
            "rule": calibrate.RULE,
            "temperature": {"before": round(before[0], 4), "after": round(after[0], 4)},
            "korean_temperature": {"before": _rounded(before[1]), "after": _rounded(after[1])},
            "ece_before": {n: round(reports[n][0]["ece"], 4) for n in reports},
            "ece_after": {n: round(reports[n][1]["ece"], 4) for n in reports},
            "command": "python manage.py calibrate_text_emotion_model " + shlex.join(sys.argv[2:]),
        }
        path = folder / runtime.METADATA_FILE
        meta_tmp = path.with_name(f".{path.name}.tmp")
        meta_tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(meta_tmp, path)
        self.stdout.write(self.style.SUCCESS(f"wrote {weights} and {path} (temperature {_shown(after)})"))
        if metadata.get("abstain"):
            self.stdout.write(self.style.WARNING(
                "The abstain threshold was chosen on the old probabilities: re-run "
                "`python manage.py choose_abstain_thresholds --models text`."
            ))  # fmt: skip

    def _read(self, data: Path, diary: str | None, *, with_tests: bool) -> dict:
        from inference.text import training
        from inference.text.training import joined

        goemotions = data / "goemotions" / "data" / "ekman"
        korean = data / "korean_single_turn" / "dataset_utf8.csv"
        needed = [goemotions / "dev.tsv", korean] + ([goemotions / "test.tsv"] if with_tests else [])
        for path in needed:
            if not path.is_file():
                raise CommandError(f"{path} does not exist: --data must be the shared datasets' text/ folder.")
        try:
            diaries = training.read_diaries(Path(diary) if diary else training.DIARY_DIR)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not diaries:
            raise CommandError("no diary_train_<language>.tsv files: the diary validation split cannot be formed.")
        ko_train, ko_val, ko_test = training.korean_split(training.read_korean(korean))
        sets = {"en_val": training.read_goemotions(goemotions / "dev.tsv"), "ko_val": ko_val}
        for language, (_, diary_val) in diaries.items():
            sets[f"diary_{language}_val"] = diary_val
        sets["diary_val"] = joined([sets[f"diary_{language}_val"] for language in diaries])
        if with_tests:
            sets["en_test"] = training.read_goemotions(goemotions / "test.tsv")
            sets["ko_test"] = ko_test
        return sets


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _shown(temperatures: tuple[float, float | None]) -> str:
    default, korean = temperatures
    return f"{default:.4f}" if korean is None else f"{default:.4f} (Korean windows {korean:.4f})"
