"""Train the scene reader on Emotion6 and report it beside the colour baseline on the same test images.

    python manage.py train_scene_model     # --data ../shared/datasets/scenes/emotion6 --out inference/weights/scene

Features are cached under var/cache/scene/ (a second run takes seconds). Every choice is made by
5-fold cross-validation on the 1,584 train images; the 396 test images are scored once.

    python manage.py train_scene_model --model cnn --jitter safe --max-minutes 20

trains the small timm network from scratch (issue 21) on 4/5 of the training images on one CPU
thread, resumably (``--checkpoint``, default under var/scene_cnn/), and compares it, the features
model and both combined on the held-out 1/5; it writes a JSON report (``--report``) and never
writes shipped weights. ``--time-steps`` only times 20 training steps in fp32 and bf16 autocast.
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
        parser.add_argument("--model", choices=("features", "cnn"), default="features",
                            help="features: train and write the shipped model; cnn: the network experiment")
        cnn = parser.add_argument_group("--model cnn")
        cnn.add_argument("--arch", default="resnet10t")
        cnn.add_argument("--jitter", default="safe", help="colour jitter: none, safe or strong")
        cnn.add_argument("--epochs", type=int, default=30)
        cnn.add_argument("--batch", type=int, default=32)
        cnn.add_argument("--lr", type=float, default=2e-3)
        cnn.add_argument("--seed", type=int, default=0)
        cnn.add_argument("--precision", default="fp32", help="fp32 or bf16 (autocast)")
        cnn.add_argument("--threads", type=int, default=1)
        cnn.add_argument("--max-minutes", dest="max_minutes", type=float, default=None)
        cnn.add_argument("--validation-fold", dest="fold", type=int, default=0)
        cnn.add_argument("--run-dir", dest="run_dir", type=Path, default=base / "var" / "scene_cnn",
                         help="where checkpoints, reports and validation predictions go by default")
        cnn.add_argument("--checkpoint", type=Path, default=None,
                         help="default <run-dir>/<arch>-<jitter>-<precision>-s<seed>[-fold<k>].pt")
        cnn.add_argument("--report", type=Path, default=None, help="default: the checkpoint's name with .json")
        cnn.add_argument("--image-cache", dest="image_cache", type=Path,
                         default=base / "var" / "cache" / "scene" / "cnn_images.npz")
        cnn.add_argument("--score-test", dest="score_test", action="store_true",
                         help="also score the 396 test images once (after the decision; chooses nothing)")
        cnn.add_argument("--pool-folds", dest="pool_folds", default=None,
                         help="e.g. 0,1,2,3,4: the saved validation predictions of these folds' runs, together")
        cnn.add_argument("--time-steps", dest="time_steps", action="store_true",
                         help="time 20 training steps in fp32 and bf16, then stop")

    def handle(self, *args, data: Path, out: Path, cache: Path, model_version: str, dry_run: bool, model: str,
               **options):
        from inference.scene import training

        config = self._config(options) if model == "cnn" else None  # a bad option fails before any work
        if config is not None and options["time_steps"]:
            return self._time_steps(config)
        try:
            loaded = training.load(data, cache, log=self.stdout.write)
        except training.DatasetMissing as error:
            raise CommandError(str(error)) from error
        if model == "cnn":
            return self._cnn(data, loaded, config, options)
        arrays, metadata = training.train_and_evaluate(loaded, log=self.stdout.write)
        figures = {"test": metadata["metrics"]["test"], "baseline_test": metadata["metrics"]["baseline_test"],
                   "majority_top_vote_test": metadata["metrics"]["majority_top_vote_test"],
                   "targets_met": metadata["metrics"]["targets_met"], "abstain": metadata["abstain"],
                   "heads": metadata["heads"]}
        self.stdout.write(json.dumps(figures, indent=1))
        if not dry_run:
            path = training.write(out, arrays, metadata, version=model_version)
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))

    def _config(self, options):
        import torch

        from inference.scene import cnn_training

        torch.set_num_threads(options["threads"])  # the training machine is shared: one core by default
        config = cnn_training.Config(arch=options["arch"], jitter=options["jitter"], epochs=options["epochs"],
                                     batch=options["batch"], lr=options["lr"], seed=options["seed"],
                                     precision=options["precision"])
        try:
            config.check()
        except ValueError as error:
            raise CommandError(str(error)) from error
        return config

    def _time_steps(self, config):
        from inference.scene import cnn_training

        for precision in ("fp32", "bf16"):
            timing = cnn_training.time_steps(config.arch, precision, batch=config.batch)
            self.stdout.write(json.dumps(timing))

    def _cnn(self, data: Path, loaded, config, options):
        from inference.scene import cnn_experiment, cnn_training

        if options["pool_folds"]:
            return self._pool(loaded, config, options)
        checkpoint = options["checkpoint"] or self._default_checkpoint(options["run_dir"], config, options["fold"])
        report_path = options["report"] or checkpoint.with_suffix(".json")
        images = cnn_training.load_images(data, loaded.paths, options["image_cache"], log=self.stdout.write)
        try:
            report = cnn_experiment.run(loaded, images, config, checkpoint=checkpoint,
                                        max_minutes=options["max_minutes"], fold=options["fold"],
                                        score_test=options["score_test"], log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        cnn_experiment.write_report(report_path, report)
        shown = {k: report[k] for k in ("validation", "combination_weights", "versus_features_bootstrap", "decision",
                                    "test_scored_once")
                 if k in report}
        self.stdout.write(json.dumps(shown or {"finished": False, "epochs_done": report["epochs_done"]}, indent=1))
        self.stdout.write(self.style.SUCCESS(f"wrote {report_path}"))

    @staticmethod
    def _default_checkpoint(run_dir: Path, config, fold: int) -> Path:
        name = f"{config.arch}-{config.jitter}-{config.precision}-s{config.seed}" + (f"-fold{fold}" if fold else "")
        return run_dir / f"{name}.pt"

    def _pool(self, loaded, config, options):
        from inference.scene import cnn_experiment

        try:
            folds = sorted({int(k) for k in options["pool_folds"].split(",")})
            paths = {k: self._default_checkpoint(options["run_dir"], config, k).with_suffix(".validation.npz")
                     for k in folds}
            report = cnn_experiment.pool(loaded, paths)
        except ValueError as error:
            raise CommandError(f"--pool-folds: {error}") from error
        report_path = options["report"] or self._default_checkpoint(options["run_dir"], config, 0).with_suffix(
            ".pooled.json")
        cnn_experiment.write_report(report_path, report)
        self.stdout.write(json.dumps(report, indent=1))
        self.stdout.write(self.style.SUCCESS(f"wrote {report_path}"))
