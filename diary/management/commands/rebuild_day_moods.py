"""Rebuild every person's per-day mood figures (DayMood) from their entries.

    python manage.py rebuild_day_moods              # everyone who has an entry
    python manage.py rebuild_day_moods --user 42    # one person (repeatable)

Run it once after deploying the DayMood table, and after anything that wrote entries around the
diary's services (a bulk import, a restored backup). Safe to run at any time: each batch of
people is rebuilt in its own transaction, holding their rows as an edit would.
"""

from django.core.management.base import BaseCommand

from diary.models import DayMood, Entry
from diary.tracker.daily import day_moods_rebuild


class Command(BaseCommand):
    help = "Rebuild the per-person, per-day mood figures from the entries, with progress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", type=int, action="append", default=[], help="only this user id")

    def handle(self, *args, user: list[int], verbosity: int, **options) -> None:
        if user:
            owner_ids = sorted(set(user))
        else:
            # Everyone with an entry, and anyone with rows but no entry left (their rows go).
            with_entries = Entry.objects.order_by().values_list("owner_id", flat=True).distinct()
            with_rows = DayMood.objects.order_by().values_list("owner_id", flat=True).distinct()
            owner_ids = sorted(set(with_entries) | set(with_rows))

        def progress(done: int, rows: int) -> None:
            if verbosity:
                self.stdout.write(f"{done}/{len(owner_ids)} people, {rows} days written")

        rows = day_moods_rebuild(owner_ids=owner_ids, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {rows} days of {len(owner_ids)} people."))
