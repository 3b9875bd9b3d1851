"""Measure the shipped face emotion model on a labelled folder.

    python manage.py evaluate_emotion_model --data ../shared/datasets/fer2013/test --glob 'PrivateTest_*' \
        --crop none --json var/eval/fer2013_private.json
    python manage.py evaluate_emotion_model --data ../shared/datasets/ferplus/FER2013Test --crop none \
        --json var/eval/ferplus_test.json

``--data`` is either a folder with one sub-folder per class (the seven class names or common
aliases: anger, happiness, sadness, surprised, fearful, disgusted...; other folders, e.g.
contempt, are skipped with a warning), or a FER+ split folder holding ``label.csv`` (each image
labelled by its annotators' majority vote, Microsoft's FERPlus rule; ``--ferplus-labels
plurality`` for the plain most-voted class). ``--crop detect`` finds the face with the same
detector the site uses (no face = counted wrong); ``--crop none`` feeds the whole image (for
datasets that are already face crops, like FER2013).
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

METRIC_KEYS = (
    "accuracy",
    "macro_f1",
    "ece",
    "per_class",
    "confusion_matrix",
    "images",
    "no_face",
    "images_per_second",
)


def collect_items(data: Path, pattern: str, ferplus_labels: str, warn) -> tuple[list[Path], np.ndarray, str]:
    """(image paths, label indices, description) for a class-folder dataset or a FER+ split."""
    from inference.training.data import (
        ferplus_majority_labels,
        ferplus_plurality_labels,
        is_ferplus_folder,
        read_ferplus_votes,
        scan_class_folders,
    )

    if is_ferplus_folder(data):
        names, votes = read_ferplus_votes(data)
        labels = ferplus_majority_labels(votes) if ferplus_labels == "majority" else ferplus_plurality_labels(votes)
        paths = [data / n for n in names]
        keep = [i for i, (p, lab) in enumerate(zip(paths, labels, strict=True)) if lab >= 0 and p.match(pattern)]
        excluded = len(names) - len(keep)
        description = f"FER+ {data.name}, {ferplus_labels} labels ({excluded} images without one excluded)"
        return [paths[i] for i in keep], labels[keep], description
    items = scan_class_folders(data, pattern, warn=warn)
    return (
        [p for p, _ in items],
        np.asarray([c for _, c in items], dtype=np.int64),
        f"class folders in {data}",
    )


def evaluate(
    paths: list[Path], labels: np.ndarray, crop: str, batch_size: int = 256, shift_seed: int | None = None
) -> dict:
    from PIL import Image

    from inference.faces import find_faces, whole_image_crop
    from inference.runtime import classify_crops, detect_faces, face_landmarks_in_crops, load_model, model_info
    from inference.training.alignment import align_crops
    from inference.training.metrics import classification_report
    from inference.training.shift import shift_one
    from moodsite.emotions import EMOTIONS

    load_model()  # not timed: loading is once per worker
    probabilities = np.full((len(paths), len(EMOTIONS)), np.nan)
    started = time.perf_counter()
    for start in range(0, len(paths), batch_size):
        crops, rows = [], []
        for i in range(start, min(start + batch_size, len(paths))):
            with Image.open(paths[i]) as image:
                image.load()
                if shift_seed is not None:
                    # One deterministic distortion per image, seeded by its position in the list.
                    image = Image.fromarray(shift_one(whole_image_crop(image), np.random.default_rng([shift_seed, i])))
                if crop in ("none", "align"):
                    crops.append(whole_image_crop(image))
                    rows.append(i)
                else:
                    found = find_faces(image, detector=detect_faces)
                    if found.found:
                        crops.append(found.crop)
                        rows.append(i)
        if crops and crop == "align":
            batch = np.stack(crops)
            landmarks, scores = face_landmarks_in_crops(batch)
            crops = list(align_crops(batch, landmarks, scores)[0])
        if crops:
            probabilities[rows] = classify_crops(np.stack(crops))
    elapsed = time.perf_counter() - started
    report = classification_report(labels, probabilities, EMOTIONS)
    report["images_per_second"] = round(len(paths) / elapsed, 1) if elapsed > 0 else None
    report["model"] = model_info()["version"]
    report["accuracy"] = round(report["accuracy"], 4)
    report["macro_f1"] = round(report["macro_f1"], 4)
    report["macro_recall"] = round(report["macro_recall"], 4)
    report["ece"] = round(report["ece"], 4) if report["ece"] is not None else None
    return report


class Command(BaseCommand):
    help = "Evaluate the face emotion model on class folders or a FER+ split; print and optionally write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="class folders, or a FER+ split folder with label.csv")
        parser.add_argument(
            "--crop",
            default="detect",
            choices=["detect", "none", "align"],
            help="detect: the site's detector and alignment on each image; none: the whole image as the crop; "
            "align: the whole image aligned onto the landmark template as training aligns FER's crops",
        )
        parser.add_argument(
            "--shift",
            type=int,
            default=None,
            metavar="SEED",
            help="distort every image first (rotation, blur, occlusion, lighting; inference/training/shift.py), "
            "deterministically from SEED: a shifted test set for calibration under shift",
        )
        parser.add_argument("--glob", default="*", help="only files whose name matches, e.g. 'PrivateTest_*'")
        parser.add_argument("--json", dest="json_out", default=None, help="write the full results here")
        parser.add_argument("--ferplus-labels", default="majority", choices=["majority", "plurality"])
        parser.add_argument("--sample", type=int, default=None, help="evaluate a seeded random sample of N images")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--record",
            default=None,
            help="also store the headline numbers under this key in the model metadata (model card)",
        )

    def handle(self, *args, **options):
        from inference.runtime import ModelUnavailable

        data = Path(options["data"])
        if not data.is_dir():
            raise CommandError(f"--data {data} is not a folder")
        try:
            paths, labels, description = collect_items(
                data,
                options["glob"],
                options["ferplus_labels"],
                warn=lambda message: self.stderr.write(self.style.WARNING(message)),
            )
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        if options["sample"] and options["sample"] < len(paths):
            chosen = np.sort(
                np.random.default_rng(options["seed"]).choice(len(paths), options["sample"], replace=False)
            )
            paths, labels = [paths[i] for i in chosen], labels[chosen]
        if not paths:
            raise CommandError(f"no labelled images found in {data} matching {options['glob']!r}")
        try:
            report = evaluate(paths, labels, options["crop"], shift_seed=options["shift"])
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        report = {
            "data": description,
            "crop": options["crop"],
            "shift_seed": options["shift"],
            "glob": options["glob"],
            "command": "python manage.py evaluate_emotion_model " + shlex.join(sys.argv[2:]),
            **report,
        }
        self.print_report(report)
        if options["json_out"]:
            out = Path(options["json_out"])
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"wrote {out}")
        if options["record"]:
            self.record(options["record"], report)

    def record(self, key: str, report: dict) -> None:
        from inference.runtime import METADATA_FILE, model_dir

        meta_path = model_dir() / METADATA_FILE
        metadata = json.loads(meta_path.read_text())
        metadata.setdefault("metrics", {})[key] = {
            k: report[k]
            for k in ("accuracy", "macro_f1", "macro_recall", "ece", "images", "no_face", "images_per_second")
        } | {"data": report["data"], "crop": report["crop"], "command": report["command"]}
        meta_path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"recorded as metrics[{key!r}] in {meta_path}")

    def print_report(self, report: dict) -> None:
        from moodsite.emotions import EMOTIONS

        out = self.stdout.write
        out(f"model {report['model']} on {report['data']} (crop {report['crop']}, glob {report['glob']!r})")
        out(f"images evaluated   {report['images']}")
        out(f"no face found      {report['no_face']} (counted as wrong)")
        out(f"accuracy           {report['accuracy']:.4f}")
        out(f"macro-F1           {report['macro_f1']:.4f}")
        out(f"macro-recall       {report['macro_recall']:.4f} (balanced accuracy)")
        ece = report["ece"]
        out(f"ECE (15 bins)      {ece:.4f}" if ece is not None else "ECE                n/a")
        out(f"images/second      {report['images_per_second']}")
        out(f"{'class':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
        for name in EMOTIONS:
            row = report["per_class"][name]
            out(f"{name:<10}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>9}")
        out("confusion matrix (rows true, columns predicted): " + " ".join(f"{n[:3]:>5}" for n in EMOTIONS))
        for name, row in zip(EMOTIONS, report["confusion_matrix"], strict=True):
            out(f"  {name:<10}" + "".join(f"{v:>6}" for v in row))
