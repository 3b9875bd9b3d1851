"""Average fine-tuned text encoders into one (a model soup) for a new head.

    python manage.py average_text_encoders --sources inference/weights/text DIR2 --out var/models/soup \
        --model-version text-e5l6-soup
    python manage.py train_text_emotion_model --encoder-model var/models/soup ...

Each source is a fine-tuned export or a shipped format-3 model, fine-tuned from the same
pretrained encoder with the same layers frozen (``inference.text.soup``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Average the fine-tuned tensors of two or more text encoders into a format-2 export."

    def add_arguments(self, parser):
        parser.add_argument("--sources", nargs="+", required=True, help="model folders (head.json + weights)")
        parser.add_argument("--out", required=True, help="folder for model.safetensors + head.json")
        parser.add_argument("--model-version", default="", help="version string for the average")

    def handle(self, *args, **options):
        from inference.text.soup import average_encoders

        try:
            metadata = average_encoders([Path(s) for s in options["sources"]], Path(options["out"]),
                                        options["model_version"])  # fmt: skip
        except ValueError as error:
            raise CommandError(str(error)) from error
        sources = ", ".join(f"{s['folder']} ({s['sha256'][:12]})" for s in metadata["training"]["average_of"])
        self.stdout.write(
            f"wrote {options['out']} ({metadata['version']}, sha256 {metadata['sha256'][:12]}): average of {sources}"
        )
