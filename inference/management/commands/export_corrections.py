"""python manage.py export_corrections [--format csv|json] [--since DATE] [--kind K ...] [--output FILE]

The people's answers to "Is this right?" - confirmations, corrections and, where the reader could
not tell, their own choice - as labelled examples for retraining the emotion models.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from inference.selectors import corrections_for_training
from inference.training_examples import as_csv, as_json, correction_rows


class Command(BaseCommand):
    help = "Export confirmations and corrections (predicted vs the person's emotion, entry id, photo path)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--since", help="only corrections made on or after this day (YYYY-MM-DD)")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--kind", nargs="*", choices=["confirmed", "corrected", "chosen"], default=None,
                            help="only these kinds of answer (default: all)")

    def handle(self, *args, **options) -> None:
        since = None
        if options["since"]:
            try:
                since = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since must be a date like 2026-11-01.") from None
        corrections = corrections_for_training(since=since)
        if options["kind"]:
            corrections = corrections.filter(kind__in=options["kind"])
        rows = correction_rows(corrections)
        text = as_csv(rows) if options["format"] == "csv" else as_json(rows) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {len(rows)} labelled examples to {options['output']}")
        else:
            self.stdout.write(text, ending="")
