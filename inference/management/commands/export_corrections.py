"""python manage.py export_corrections [--format csv|json] [--since DATE] [--output FILE]

The people's corrections as labelled examples for retraining the emotion models.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from inference.selectors import corrections_for_training
from inference.training_examples import as_csv, as_json, correction_rows


class Command(BaseCommand):
    help = "Export corrections (predicted vs corrected emotion, entry id, photo path) as CSV or JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--since", help="only corrections made on or after this day (YYYY-MM-DD)")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        since = None
        if options["since"]:
            try:
                since = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since must be a date like 2026-11-01.") from None
        rows = correction_rows(corrections_for_training(since=since))
        text = as_csv(rows) if options["format"] == "csv" else as_json(rows) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {len(rows)} corrections to {options['output']}")
        else:
            self.stdout.write(text, ending="")
