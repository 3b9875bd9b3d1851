"""Load the starter catalogue that ships with the project (music/data/starter_catalogue.json).

Idempotent: tracks already in the catalogue (same artist and title) are left as curators made
them; only missing ones are added. `--update` overwrites them with the shipped values.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from music.importing import catalogue_import
from music.models import MoodTag
from music.vocabulary import MOOD_TAGS

STARTER = Path(__file__).resolve().parents[2] / "data" / "starter_catalogue.json"


class Command(BaseCommand):
    help = "Load the shipped starter catalogue of public-domain and traditional works (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Overwrite tracks that are already there.")
        parser.add_argument("--file", default=str(STARTER), help="Another file in our JSON or CSV layout.")

    def handle(self, *args, **options):
        created = 0
        for spec in MOOD_TAGS:  # tags added to the vocabulary after the initial migration
            _tag, was_created = MoodTag.objects.get_or_create(
                slug=spec.slug,
                defaults={"name_en": spec.name_en, "name_ko": spec.name_ko, "valence": spec.valence,
                          "arousal": spec.arousal, "aliases": list(spec.aliases)},
            )
            created += was_created
        path = Path(options["file"])
        report = catalogue_import([(path.name, path.read_bytes())], update_existing=options["update"])
        if not report.imported:
            problems = report.file_errors + [str(r) for r in report.rejected[:20]]
            raise CommandError("The starter catalogue was not loaded:\n" + "\n".join(problems))
        self.stdout.write(
            f"Starter catalogue: {report.added} added, {report.updated} updated, {report.unchanged} already there"
            + (f"; {created} mood tags added" if created else "")
            + "."
        )
