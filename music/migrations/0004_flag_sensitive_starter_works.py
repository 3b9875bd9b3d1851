"""Flag the starter catalogue's works about death, mourning, funerals, war or despair in databases
that loaded it before the flag existed (new databases get it from starter_catalogue.json).

Matched by the same artist/title key as the catalogue itself; a curator's own flags are not undone.
"""

import hashlib
import json
import unicodedata
from pathlib import Path

from django.db import migrations

STARTER = Path(__file__).resolve().parents[1] / "data" / "starter_catalogue.json"


def _key(artist: str, title: str) -> str:
    # music.models.track_match_key, copied: a migration must not depend on code that may change.
    def norm(value: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())

    return hashlib.sha1(f"{norm(artist)}\x1f{norm(title)}".encode(), usedforsecurity=False).hexdigest()


def flag(apps, schema_editor):
    Track = apps.get_model("music", "Track")
    tracks = json.loads(STARTER.read_text(encoding="utf-8"))["tracks"]
    keys = [_key(t["artist"], t["title"]) for t in tracks if t.get("sensitive_theme")]
    Track.objects.filter(match_key__in=keys).update(sensitive_theme=True)


class Migration(migrations.Migration):
    dependencies = [("music", "0003_track_sensitive_theme_and_match_sadness")]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
