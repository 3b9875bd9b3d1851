"""How far apart FER2013's labels and FER+'s votes are on the benchmark images.

    python manage.py compare_face_labellings --data ../shared/datasets [--json OUT]

Prints, for each weight of FER2013's labels mixed into FER+'s votes, what a perfect model of
that target would score on both benchmarks: the ceiling behind the face model card's trade-off.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compare FER2013's labels with FER+'s votes on FER2013 PrivateTest (= FER+ test)."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="../shared/datasets (holding ferplus/ and fer2013/)")
        parser.add_argument("--json", default=None, help="also write the figures to this file")

    def handle(self, *args, **options):
        from inference.training.data import cached_arrays
        from inference.training.fer2013_match import labelling_agreement

        data = Path(options["data"])
        if not (data / "ferplus" / "FER2013Test").is_dir() or not (data / "fer2013" / "test").is_dir():
            raise CommandError(f"{data} needs ferplus/FER2013Test and fer2013/test: give ../shared/datasets")
        figures = labelling_agreement(cached_arrays(data, Path(settings.VAR_DIR) / "cache"))
        self.stdout.write(
            f"{figures['images']} benchmark images with both labellings; FER2013's label equals the FER+ "
            f"majority on {figures['fer2013_label_equals_ferplus_majority']:.1%} of the "
            f"{figures['images_with_ferplus_majority']} that have one"
        )
        self.stdout.write("weight  FER+ majority  FER2013   (a perfect model of the mixed target)")
        for row in figures["perfect_model_of_the_target"]:
            ferplus, fer2013 = row["ferplus_majority_accuracy"], row["fer2013_accuracy"]
            self.stdout.write(f"{row['fer2013_weight']:>6}  {ferplus:>13.1%}  {fer2013:>7.1%}")
        if options["json"]:
            Path(options["json"]).parent.mkdir(parents=True, exist_ok=True)
            Path(options["json"]).write_text(json.dumps(figures, indent=2) + "\n")
