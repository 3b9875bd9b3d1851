"""Fine-tune the text emotion model: e5's top encoder layers + a linear head, on all text data.

    nohup nice -n 19 python manage.py finetune_text_emotion_model --max-minutes 90 > var/finetune.log &
    python manage.py finetune_text_emotion_model --export-only --out inference/weights/text

Trains on GoEmotions Ekman, GoEmotions-Korean, dair-ai emotion and the Korean single-turn set
(``../shared/datasets/text``) and the training part of the team's diary rows (``--diary-dir``;
diary validation is only scored); see inference/text/finetune.py for the batch mix, the loss and the
checkpoints). Resumes from ``--run-dir``/last.pt when it exists (same seed, same data order), stops
at ``--steps`` or after ``--max-minutes`` of this invocation, then exports ``best.pt``: the
temperature is fitted by ``calibrate.RULE`` (GoEmotions dev, Korean validation and diary
validation, each counting equally), the abstain threshold is chosen on the two public splits
(BRIEF convention: lowest top probability whose accepted readings are right >= 80%), and
``model.safetensors`` (the trained tensors in float16) and ``head.json`` (format 2, sha256,
validation metrics) are written to ``--out`` (default: ``--run-dir``/model). Test splits are not
read; measure them afterwards with ``evaluate_text_emotion_model``.

Runs on the CPU with ``--threads`` threads (default 1: the machine is shared), or on CUDA when
``--device cuda`` (or ``auto`` finds one).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Fine-tune the text emotion model (top e5 layers + head) and export the best checkpoint."

    def add_arguments(self, parser):
        from inference.text.finetune import PRECISIONS

        base = Path(django_settings.BASE_DIR)
        parser.add_argument("--data", default=str(base.parent / "shared" / "datasets" / "text"))
        parser.add_argument("--run-dir", default=str(Path(django_settings.VAR_DIR) / "text_finetune" / "run1"))
        parser.add_argument("--out", default=None, help="export folder (default: RUN_DIR/model)")
        parser.add_argument("--max-minutes", type=float, default=60.0, help="training time budget of this run")
        parser.add_argument("--steps", type=int, default=12000, help="total optimiser steps (the schedule's length)")
        parser.add_argument("--frozen", type=int, default=3, help="lower encoder layers kept frozen (of 6)")
        parser.add_argument("--lr", type=float, default=1e-4)
        parser.add_argument("--head-lr", type=float, default=1e-3)
        parser.add_argument("--tau", type=float, default=1.0, help="logit-adjustment strength (0: plain loss)")
        parser.add_argument("--label-smoothing", type=float, default=0.1)
        parser.add_argument("--warmup", type=int, default=100, help="warm-up steps")
        parser.add_argument("--max-tokens", type=int, default=96, help="training rows are cut to this many tokens")
        parser.add_argument("--eval-every", type=int, default=1000)
        parser.add_argument("--eval-rows", type=int, default=400, help="validation rows per dataset while training")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        parser.add_argument(
            "--precision", choices=list(PRECISIONS), default="fp32", help="forward pass: float32, or bfloat16 autocast"
        )
        parser.add_argument(
            "--diary-dir", default=None, help="folder of diary_train_<language>.tsv (default: inference/text/data)"
        )
        parser.add_argument(
            "--quota",
            action="append",
            default=[],
            metavar="SOURCE=ROWS",
            help="rows per batch from one source, replacing its default (repeatable; see finetune.QUOTAS)",
        )
        parser.add_argument("--export-only", action="store_true", help="skip training; export RUN_DIR/best.pt")
        parser.add_argument("--no-export", action="store_true", help="train only; export later with --export-only")
        parser.add_argument(
            "--export-rows", type=int, default=None, help="validation rows per dataset for calibration (default: all)"
        )
        parser.add_argument(
            "--blend",
            type=float,
            default=1.0,
            help="export: encoder = BLEND x fine-tuned + (1 - BLEND) x pretrained weights (1: as trained)",
        )
        parser.add_argument("--model-version", default="", help="version string for the export")

    def handle(self, *args, **options):
        import torch

        from inference.text import finetune, finetune_export, training

        torch.set_num_threads(max(1, options["threads"]))
        device = options["device"]
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise CommandError("--device cuda: this torch build or machine has no CUDA device.")
        # Options first: a wrong one is named before any data is read.
        try:
            quotas = finetune.parse_quotas(options["quota"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not 0.0 < options["blend"] <= 1.0:
            raise CommandError(f"--blend must be above 0 and at most 1, not {options['blend']}")
        diary_dir = Path(options["diary_dir"]) if options["diary_dir"] else training.DIARY_DIR
        try:
            data = training.read_all(Path(options["data"]))
            train_sets, val_sets = finetune.with_diaries(
                {name: splits["train"] for name, splits in data.items()},
                {name: splits["val"] for name, splits in data.items()},
                diary_dir,
            )
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from error
        settings = finetune.Settings(
            quotas=quotas,
            frozen=options["frozen"],
            steps=options["steps"],
            lr=options["lr"],
            head_lr=options["head_lr"],
            tau=options["tau"],
            label_smoothing=options["label_smoothing"],
            eval_every=options["eval_every"],
            eval_rows=options["eval_rows"],
            warmup=options["warmup"],
            max_tokens=options["max_tokens"],
            seed=options["seed"],
            precision=options["precision"],
        )
        run_dir = Path(options["run_dir"])
        for name in sorted(set(train_sets) | set(val_sets)):
            sizes = f"train {len(train_sets[name]) if name in train_sets else '-'}, "
            sizes += f"validation {len(val_sets[name]) if name in val_sets else '-'}"
            self.stdout.write(f"{name}: {sizes}")

        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        if not options["export_only"]:
            self.stdout.write(
                f"training on {device} ({torch.get_num_threads()} threads, {settings.precision}) into {run_dir}"
            )
            result = finetune.train(
                train_sets, val_sets, run_dir, settings, max_minutes=options["max_minutes"], device=device, log=log
            )
            self.stdout.write(
                f"stopped ({result['stopped']}) at step {result['step']}; best validation score "
                f"{result['best_selection']:.4f} at step {result['best_step']}"
            )
        if options["no_export"]:
            return
        if not (run_dir / "best.pt").exists():
            raise CommandError(f"{run_dir / 'best.pt'} does not exist: train first (drop --export-only).")
        out = Path(options["out"]) if options["out"] else run_dir / "model"
        started = time.perf_counter()
        metadata = finetune_export.export(
            run_dir,
            out,
            val_sets,
            settings,
            device=device,
            version=options["model_version"],
            max_rows=options["export_rows"],
            blend=options["blend"],
            diary_dir=diary_dir,
            log=log,
        )
        self.stdout.write(
            f"wrote {out} ({metadata['version']}, temperature {metadata['temperature']:.3f}, "
            f"abstain threshold {metadata['abstain']['threshold']:.3f}; {time.perf_counter() - started:.0f}s)"
        )
        self.stdout.write(json.dumps({k: v for k, v in metadata.items() if k != "metrics"}, default=str)[:2000])
