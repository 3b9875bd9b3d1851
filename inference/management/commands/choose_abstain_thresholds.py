"""Choose, on validation data, the confidence below which each shipped model says "I can't tell",
and write it into the model's metadata as its ``abstain`` key.

    python manage.py choose_abstain_thresholds                 # face and text, ../shared/datasets
    python manage.py choose_abstain_thresholds --models face --dry-run

Faces: FER+ FER2013Valid (majority-vote labels, Microsoft's protocol; the images are face crops,
fed whole), through the runtime's own ``classify_crops`` (temperature applied). Also reported,
not used for the choice: how the threshold transfers to FER+ Test and FER2013 PrivateTest.
Text: the public validation splits (GoEmotions Ekman ``dev.tsv`` and the Korean set's seeded
validation split; the temperature is also fitted on the diary validation rows, which this choice
does not use yet), through the runtime's own windows and pooling; the
pooled threshold is the model's ``threshold``, and each language also gets its own under
``by_language`` (the read side uses the language of the text when it knows it).
Rule and fields: inference/training/abstain.py. Without the datasets the command skips (exit 0)
and says which folder it needs.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def default_datasets() -> Path:
    return Path(settings.MOODSITE_DATASETS)


def _write_metadata(path: Path, key: str, value: dict) -> None:
    """Rewrite the metadata with ``key`` replaced, through a temporary file (never half written)."""
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata[key] = value
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class Command(BaseCommand):
    help = "Choose each model's abstain threshold on validation data and write it into its metadata."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=None, help="the shared datasets folder (default ../shared/datasets)")
        parser.add_argument("--models", nargs="*", choices=["face", "text"], default=["face", "text"])
        parser.add_argument("--target", type=float, default=0.8, help="accuracy the accepted readings must reach")
        parser.add_argument("--dry-run", action="store_true", help="print, do not write the metadata")
        parser.add_argument("--no-transfer", action="store_true", help="skip the face test-set transfer figures")
        parser.add_argument("--no-cache", action="store_true", help="text: embed afresh, without the cache")
        parser.add_argument(
            "--face-validation", choices=["ferplus-valid", "fer2013-public"], default="ferplus-valid",
            help="faces: FER+ Valid (the team's convention) or FER2013 PublicTest (FER2013's own, noisier "
                 "labels: a stricter threshold, closer to faces the model has not seen)",
        )

    def handle(self, *args, **options):
        data = Path(options["data"]) if options["data"] else default_datasets()
        if not data.is_dir():
            self.stdout.write(self.style.WARNING(
                f"Skipped: the datasets folder {data} is absent. Point --data (or MOODSITE_DATASETS) at "
                "the shared datasets (ferplus/FER2013Valid for faces; text/goemotions and "
                "text/korean_single_turn for words)."
            ))
            return
        self.command_line = "python manage.py choose_abstain_thresholds " + shlex.join(sys.argv[2:])
        results = {}
        for kind in options["models"]:
            results[kind] = getattr(self, f"_{kind}")(data, options)
        self.stdout.write(json.dumps(results, ensure_ascii=False))

    # --- faces ---------------------------------------------------------------------------------

    def _face(self, data: Path, options) -> dict | None:
        from inference import runtime
        from inference.training.abstain import choose_abstain_threshold

        if options["face_validation"] == "fer2013-public":
            valid, pattern = data / "fer2013" / "test", "PublicTest_*"
            description = "FER2013 PublicTest (FER2013's own labels), whole-image crops"
            present = valid.is_dir()
        else:
            valid, pattern = data / "ferplus" / "FER2013Valid", "*"
            description = "FER+ FER2013Valid, majority-vote labels, whole-image crops"
            present = (valid / "label.csv").is_file()
        if not present:
            self.stdout.write(self.style.WARNING(f"Skipped faces: {valid} (with its labels) is absent."))
            return None
        try:
            runtime.load_model()
        except runtime.ModelUnavailable as error:
            raise CommandError(str(error)) from error
        top, correct = self._face_predictions(valid, pattern)
        choice = choose_abstain_threshold(top, correct, options["target"], validation=description)
        if not options["no_transfer"]:
            choice["transfer"] = self._face_transfer(data, choice["threshold"])
        choice["command"] = self.command_line
        choice["model"] = runtime.model_info()["version"]
        self._report("face", choice)
        if not options["dry_run"]:
            path = runtime.model_dir() / runtime.METADATA_FILE
            _write_metadata(path, "abstain", choice)
            self.stdout.write(f"wrote abstain into {path}")
        return choice

    def _face_predictions(self, folder: Path, pattern: str) -> tuple[np.ndarray, np.ndarray]:
        from PIL import Image

        from inference.faces import whole_image_crop
        from inference.management.commands.evaluate_emotion_model import collect_items
        from inference.runtime import classify_crops, read_metadata

        paths, labels, _ = collect_items(folder, pattern, "majority", warn=lambda message: None)
        crops = []
        for path in paths:
            with Image.open(path) as image:
                image.load()
                crops.append(whole_image_crop(image))
        crops = np.stack(crops)
        if read_metadata().get("input", {}).get("aligned"):
            # A model trained on aligned crops reads them aligned, as evaluate_emotion_model --crop align.
            from inference.runtime import face_landmarks_in_crops
            from inference.training.alignment import align_crops

            crops = align_crops(crops, *face_landmarks_in_crops(crops))[0]
        probabilities = classify_crops(crops)
        return probabilities.max(axis=1), probabilities.argmax(axis=1) == labels

    def _face_transfer(self, data: Path, threshold: float) -> dict:
        from inference.training.abstain import coverage_at

        out = {}
        for name, folder, pattern in (
            ("ferplus_test_majority", data / "ferplus" / "FER2013Test", "*"),
            ("fer2013_private_test", data / "fer2013" / "test", "PrivateTest_*"),
        ):
            if folder.is_dir():
                out[name] = coverage_at(*self._face_predictions(folder, pattern), threshold)
        return out

    # --- words ---------------------------------------------------------------------------------

    def _text(self, data: Path, options) -> dict | None:
        from inference.text import runtime, training
        from inference.text.evaluation import predict_set
        from inference.training.abstain import choose_abstain_threshold

        dev = data / "text" / "goemotions" / "data" / "ekman" / "dev.tsv"
        korean = data / "text" / "korean_single_turn" / "dataset_utf8.csv"
        missing = [str(p) for p in (dev, korean) if not p.is_file()]
        if missing:
            self.stdout.write(self.style.WARNING(f"Skipped text: {', '.join(missing)} absent."))
            return None
        sets = {"en": training.read_goemotions(dev), "ko": training.korean_split(training.read_korean(korean))[1]}
        try:
            info = runtime.text_model_info()
            embed = None if options["no_cache"] else runtime.cached_embed()
            tops, rights = {}, {}
            for language, rows in sets.items():
                probabilities = predict_set(rows, embed=embed)
                valid = ~np.isnan(probabilities).any(axis=1)
                predicted = np.where(valid, np.nan_to_num(probabilities).argmax(axis=1), -1)
                tops[language] = np.where(valid, np.nan_to_num(probabilities).max(axis=1), 0.0)
                rights[language] = np.array(
                    [p in gold for p, gold in zip(predicted, rows.gold, strict=True)], dtype=bool
                )
        except runtime.TextModelUnavailable as error:
            raise CommandError(str(error)) from error
        splits = {"en": "GoEmotions Ekman dev.tsv", "ko": "Korean single-turn, seeded validation split"}
        choice = choose_abstain_threshold(
            np.concatenate(list(tops.values())), np.concatenate(list(rights.values())), options["target"],
            validation=" + ".join(f"{splits[k]} ({len(sets[k])})" for k in sets)
            + "; multi-label rows are right when the reading is any of their labels",
        )
        choice["by_language"] = {
            language: choose_abstain_threshold(tops[language], rights[language], options["target"],
                                               validation=splits[language])
            for language in sets
        }
        choice["command"] = self.command_line
        choice["model"] = info["version"]
        self._report("text", choice)
        if not options["dry_run"]:
            path = runtime.model_dir() / runtime.METADATA_FILE
            _write_metadata(path, "abstain", choice)
            self.stdout.write(f"wrote abstain into {path}")
        return choice

    def _report(self, kind: str, choice: dict) -> None:
        def line(name: str, c: dict) -> str:
            accuracy = "n/a" if c["accepted_accuracy"] is None else f"{c['accepted_accuracy']:.4f}"
            return (f"{name}: threshold {c['threshold']:.4f}  coverage {c['coverage']:.4f}  "
                    f"accepted accuracy {accuracy}  ECE {c['ece']}  ({c['accepted']}/{c['total']}, {c['validation']})")

        self.stdout.write(line(kind, choice))
        for language, c in choice.get("by_language", {}).items():
            self.stdout.write("  " + line(f"{kind}[{language}]", c))
        for name, c in choice.get("transfer", {}).items():
            self.stdout.write(f"  at that threshold on {name}: coverage {c['coverage']}, accepted accuracy "
                              f"{c['accepted_accuracy']} (all readings {c['accuracy_all']}, {c['total']} items)")
