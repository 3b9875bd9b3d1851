"""Train the face emotion network from scratch.

    python manage.py train_emotion_model --data ../shared/datasets --epochs 30 --out inference/weights/face

``--data`` is the shared datasets folder (or its ``ferplus/`` folder: FER+ soft labels, validated
on FER+ Valid) or any folder of class folders (``angry/``, ``happiness/``... aliases accepted).
Writes ``model.safetensors`` and ``model.json`` (version, sha256, temperature, validation
metrics) into ``--out``; the best epoch by validation loss is what gets written.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Train the face emotion model (timm ResNet, 48x48 grayscale) and write safetensors + metadata."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="../shared/datasets, its ferplus/ folder, or class folders")
        parser.add_argument("--epochs", type=int, default=30)
        parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
        parser.add_argument("--out", required=True, help="folder for model.safetensors + model.json")
        parser.add_argument("--batch-size", type=int, default=128)
        parser.add_argument("--lr", type=float, default=0.1)
        parser.add_argument("--weight-decay", type=float, default=5e-4)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--precision",
            default="auto",
            choices=["auto", "fp32", "bf16"],
            help="auto: bfloat16 autocast where the CPU/GPU supports it",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="CPU threads (default: torch's choice; 1 is faster on a busy 2-core machine)",
        )
        parser.add_argument(
            "--max-minutes",
            type=float,
            default=None,
            help="wall-time budget: the cosine schedule follows elapsed time and training stops when it is "
            "spent (for shared or slow machines; --epochs is then an upper bound)",
        )
        parser.add_argument("--val-split", type=float, default=0.1, help="for class folders without a val/ folder")
        parser.add_argument("--limit", type=int, default=None, help="use only the first N training images (smoke runs)")
        parser.add_argument(
            "--model-version", default="", help="version string stored with the weights and every result"
        )
        parser.add_argument(
            "--layers",
            type=int,
            nargs=4,
            default=None,
            metavar="N",
            help="blocks per stage, e.g. 1 2 2 2 (default: those of --init, else 1 1 1 1); more than --init "
            "has grows it, the added blocks starting as pass-throughs",
        )
        parser.add_argument("--checkpoint", default=None, help="where to keep the best checkpoint while training")
        parser.add_argument(
            "--init",
            default=None,
            help="start from this model.safetensors (same architecture) instead of random weights: a warm restart",
        )
        parser.add_argument(
            "--fer2013-weight",
            type=float,
            default=0.0,
            help="with FER+ data: mix FER2013's own labels (matched by pixels) into the targets with this weight, "
            "0-1 (default 0: FER+ votes only)",
        )

        parser.add_argument(
            "--align",
            action="store_true",
            help="warp every training and validation crop onto the landmark template (MTCNN O-Net), "
            "as the runtime aligns selfies",
        )
        parser.add_argument(
            "--augment",
            default="basic",
            choices=["basic", "selfie"],
            help="basic: flip/rotate/scale/erase (v2-v4); selfie: also blur, JPEG, uneven light, masks, glasses",
        )
        parser.add_argument(
            "--logit-adjust",
            type=float,
            default=0.0,
            help="train on logits + TAU x log(class prior) (logit-adjusted loss against FER+'s skew), e.g. 0.5",
        )
        parser.add_argument(
            "--balance-tolerance",
            type=float,
            default=None,
            help="after training, shift the output biases for the best validation macro-recall within this "
            "loss of validation accuracy (e.g. 0.005)",
        )
        parser.add_argument(
            "--shift-calibration",
            action="store_true",
            help="fit the temperature on the validation crops and a shifted copy of them together (blur, "
            "rotation, occlusion, lighting: inference/training/shift.py), so readings of selfie-like faces "
            "are not over-confident",
        )
        parser.add_argument(
            "--steps-per-epoch",
            type=int,
            default=None,
            help="optimiser steps between validations/checkpoints (default: one pass over the data)",
        )
        parser.add_argument("--warmup-steps", type=int, default=None, help="linear warm-up steps (default: one epoch)")
        parser.add_argument(
            "--head-only",
            action="store_true",
            help="retrain only the last linear layer of --init on frozen features (minutes of CPU, not hours)",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="continue an interrupted run from CHECKPOINT.resume (written after every epoch)",
        )

    def handle(self, *args, **options):
        # Imported here so that loading Django (and every other command) never imports torch.
        from inference.training.data import training_arrays
        from inference.training.loop import TrainConfig, TrainData, train
        from inference.training.refit import refit_head

        data_dir = Path(options["data"])
        if options["layers"] and min(options["layers"]) < 1:
            layers = " ".join(map(str, options["layers"]))
            raise CommandError(f"--layers {layers}: every stage needs at least one block")
        if not 0 <= options["fer2013_weight"] < 1:
            raise CommandError("--fer2013-weight must be at least 0 and below 1, e.g. 0.2")
        if not data_dir.exists():
            raise CommandError(f"--data {data_dir} does not exist")
        try:
            arrays = training_arrays(
                data_dir,
                Path(settings.VAR_DIR) / "cache",
                val_split=options["val_split"],
                seed=options["seed"],
                warn=lambda message: self.stderr.write(self.style.WARNING(message)),
                fer2013_weight=options["fer2013_weight"],
            )
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        if options["align"]:
            from inference.training.alignment import aligned

            cache = Path(settings.VAR_DIR) / "cache"
            arrays["train_images"], warped = aligned(arrays["train_images"], cache, "train")
            arrays["val_images"], val_warped = aligned(arrays["val_images"], cache, "valid")
            arrays["description"]["alignment"] = (
                f"aligned onto the landmark template (inference.faces.TEMPLATE): {int(warped.sum())} of "
                f"{len(warped)} training and {int(val_warped.sum())} of {len(val_warped)} validation crops warped, "
                "the rest (O-Net score < 0.5 or an implausible warp) kept as they were"
            )
        if options["limit"]:
            arrays["train_images"] = arrays["train_images"][: options["limit"]]
            arrays["train_targets"] = arrays["train_targets"][: options["limit"]]
        data = TrainData(**arrays)
        config = TrainConfig(
            epochs=options["epochs"],
            batch_size=options["batch_size"],
            lr=options["lr"],
            weight_decay=options["weight_decay"],
            seed=options["seed"],
            device=options["device"],
            precision=options["precision"],
            threads=options["threads"],
            max_minutes=options["max_minutes"],
            version=options["model_version"],
            init=Path(options["init"]) if options["init"] else None,
            layers=tuple(options["layers"]) if options["layers"] else None,
            logit_adjust=options["logit_adjust"],
            augmentation=options["augment"],
            resume=options["resume"],
            balance_tolerance=options["balance_tolerance"],
            shift_calibration=options["shift_calibration"],
            steps_per_epoch=options["steps_per_epoch"],
            warmup_steps=options["warmup_steps"],
        )
        if config.init and not config.init.is_file():
            raise CommandError(f"--init {config.init} is not a file; give a model.safetensors")
        checkpoint = (
            Path(options["checkpoint"]) if options["checkpoint"] else Path(settings.VAR_DIR) / "cache" / "face_best.pt"
        )
        if options["head_only"] and not config.init:
            raise CommandError("--head-only needs --init: the weights whose last layer is retrained")
        try:
            if options["head_only"]:
                metadata = refit_head(data, config, Path(options["out"]), log=self.stdout.write)
            else:
                metadata = train(data, config, Path(options["out"]), log=self.stdout.write, checkpoint_path=checkpoint)
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from error
        val = metadata["metrics"]["validation"]
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {Path(options['out']) / metadata['weights']} ({metadata['size_bytes'] / 1e6:.1f} MB, "
                f"version {metadata['version']}, sha256 {metadata['sha256'][:12]}...): best epoch "
                f"{metadata['training']['best_epoch']}, validation accuracy {val['accuracy']:.4f}, "
                f"ECE {val['ece']:.4f} at temperature {metadata['temperature']}"
            )
        )
