"""Train the scene reader on Emotion6 and report it beside the colour baseline on the same test images.

    python manage.py train_scene_model     # --data ../shared/datasets/scenes/emotion6 --out inference/weights/scene

Features are cached under var/cache/scene/ (a second run takes seconds). Every choice is made by
5-fold cross-validation on the 1,584 train images; the 396 test images are scored once.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Train the scene (no-face photo) reader on Emotion6 and compare it with the colour formula."

    def add_arguments(self, parser):
        base = Path(settings.BASE_DIR)
        parser.add_argument("--data", type=Path, default=base.parent / "shared" / "datasets" / "scenes" / "emotion6")
        parser.add_argument("--out", type=Path, default=base / "inference" / "weights" / "scene")
        parser.add_argument("--cache", type=Path, default=base / "var" / "cache" / "scene" / "features.npz")
        parser.add_argument("--model-version", dest="model_version", default="scene-features-ridge-v1")
        parser.add_argument("--dry-run", action="store_true", help="report the figures, write nothing")

    def handle(self, *args, data: Path, out: Path, cache: Path, model_version: str, dry_run: bool, **options):
        from inference.scene import training

        try:
            loaded = training.load(data, cache, log=self.stdout.write)
        except training.DatasetMissing as error:
            raise CommandError(str(error)) from error
        arrays, metadata = training.train_and_evaluate(loaded, log=self.stdout.write)
        figures = {"test": metadata["metrics"]["test"], "baseline_test": metadata["metrics"]["baseline_test"],
                   "majority_top_vote_test": metadata["metrics"]["majority_top_vote_test"],
                   "targets_met": metadata["metrics"]["targets_met"], "abstain": metadata["abstain"],
                   "heads": metadata["heads"]}
        self.stdout.write(json.dumps(figures, indent=1))
        if not dry_run:
            path = training.write(out, arrays, metadata, version=model_version)
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))
