"""python manage.py reanalyse --model-version X [--since DATE] [--batch-size N] [--dry-run]

Queues old entries again for a newly deployed model, in batches. Resumable: an entry that already
has a reading by model X, or is already queued, is skipped, so running the command again after an
interruption carries on where it stopped.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Q

from diary.models import Entry
from inference import reading, services
from inference.models import AnalysisJob, AnalysisResult, ModelVersion


class Command(BaseCommand):
    help = "Re-queue entries that have no reading by the given model version (face or text)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--model-version", required=True,
                            help="the version (or name@version) of a deployed model, as in the admin")
        parser.add_argument("--since", help="only entries about this day or later (YYYY-MM-DD)")
        parser.add_argument("--batch-size", type=int, default=500, help="entries queued per transaction")
        parser.add_argument("--dry-run", action="store_true", help="count, queue nothing")

    def handle(self, *args, **options) -> None:
        model = self._model(options["model_version"])
        entries = self._entries(model, options["since"])
        total = entries.count()
        self.stdout.write(f"{total} entries have no reading by {model.label} ({model.kind}).")
        if options["dry_run"] or not total:
            return
        size = max(1, options["batch_size"])
        queued = 0
        last_pk = 0
        while True:
            # Walk by primary key, so each batch is a fresh query and an interruption loses nothing.
            batch = list(entries.filter(pk__gt=last_pk).order_by("pk")[:size])
            if not batch:
                break
            last_pk = batch[-1].pk
            queued += services.analysis_requeue(entries=batch)
            self.stdout.write(f"queued {queued}/{total}")
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} entries for {model.label}."))

    def _model(self, wanted: str) -> ModelVersion:
        # Register what this installation would load, so a model is known before any worker ran it.
        reading.face_model_version()
        reading.text_model_version()
        name, _, version = wanted.rpartition("@")
        matches = ModelVersion.objects.filter(version=version)
        if name:
            matches = matches.filter(name=name)
        matches = list(matches)
        known = ", ".join(f"{m.label} ({m.kind}{', active' if m.active else ''})"
                          for m in ModelVersion.objects.all()) or "none"
        if not matches:
            raise CommandError(f"No deployed model has version {wanted!r}. Known: {known}.")
        if len(matches) > 1:
            raise CommandError(f"Several models have version {wanted!r}; use name@version. Known: {known}.")
        model = matches[0]
        if not model.active:
            raise CommandError(
                f"{model.label} is not the active {model.kind} model, so the workers would not use it. "
                f"Known: {known}."
            )
        return model

    def _entries(self, model: ModelVersion, since: str | None):
        if model.kind == ModelVersion.Kind.FACE:
            read_by = AnalysisResult.objects.filter(entry=OuterRef("pk"), face_model=model)
            entries = Entry.objects.exclude(photo="")
        else:
            read_by = AnalysisResult.objects.filter(entry=OuterRef("pk"), text_model=model)
            entries = Entry.objects.exclude(text="")
        queued = AnalysisJob.objects.filter(
            entry=OuterRef("pk"), status__in=[AnalysisJob.Status.PENDING, AnalysisJob.Status.RUNNING]
        )
        entries = entries.filter(~Q(Exists(read_by)), ~Q(Exists(queued)))
        if since:
            try:
                entries = entries.filter(day__gte=datetime.date.fromisoformat(since))
            except ValueError:
                raise CommandError("--since must be a date like 2026-11-01.") from None
        return entries
