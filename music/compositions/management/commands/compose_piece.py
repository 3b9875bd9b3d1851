"""Compose a piece to files, without the web: for listening to what the composer does.

    .venv/bin/python manage.py compose_piece --from sad --to calm --seconds 60 --seed 7 --out var/piece
    -> var/piece.ogg, var/piece.mid and the parameters as JSON on stdout
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moodsite.emotions import CIRCUMPLEX, EMOTIONS
from music.compositions.mapping import MAX_DURATION_S, MIN_DURATION_S, TARGETS, target_point
from music.compositions.render import produce


class Command(BaseCommand):
    help = "Compose, render and encode one piece to OUT.ogg and OUT.mid."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", choices=EMOTIONS, default="neutral",
                            help="the mood the piece starts in")
        parser.add_argument("--to", dest="target", choices=TARGETS, default="match")
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", default="var/piece", help="path without extension")

    def handle(self, *args, start, target, seconds, seed, out, **options):
        if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
            raise CommandError(f"--seconds must be {MIN_DURATION_S}..{MAX_DURATION_S}.")
        point = CIRCUMPLEX[start]
        result = produce(start=point, target=target_point(target, point), duration_s=seconds, seed=seed,
                         lift=target != "match", measure_true_peak=True)
        base = Path(out)
        base.parent.mkdir(parents=True, exist_ok=True)
        base.with_suffix(".ogg").write_bytes(result.ogg)
        base.with_suffix(".mid").write_bytes(result.midi)
        self.stdout.write(json.dumps(result.params, ensure_ascii=False))
