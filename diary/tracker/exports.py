"""The person's mood history as CSV or JSON: one row per entry, no diary text.

The rows stream straight from one query (the database works out each entry's mood and valence);
the diary's text and photos are in the full data export on the profile page, not here.
"""

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from diary.selectors import entry_list_visible_to
from diary.tracker.moods import DEFAULT_PREFER, PREFER_AI, mood_emotion, mood_source, mood_valence

COLUMNS = ["date", "mood", "source", "valence", "self_mood", "ai_emotion", "ai_confidence", "ai_valence",
           "ai_arousal", "entry_id", "written_at"]


# Written into the JSON export, so the file explains itself.
MOOD_RULES = {
    DEFAULT_PREFER: "mood = the person's own choice (source 'self') when they made one, otherwise a confident "
                    "automatic reading (source 'ai'), otherwise empty (not read)",
    PREFER_AI: "mood = a confident automatic reading (source 'ai') when there is one, otherwise the person's "
               "own choice (source 'self'), otherwise empty (not read); chosen by the person for their tracker",
}


def _rows(*, user: User, start, end, prefer: str):
    qs = entry_list_visible_to(user=user).order_by("day", "created_at", "pk")
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    qs = qs.annotate(mood=mood_emotion(prefer), valence=mood_valence(prefer), source=mood_source(prefer))
    qs = qs.values_list("day", "mood", "source", "valence", "self_mood", "ai_emotion", "ai_confidence",
                  "ai_valence", "ai_arousal", "pk", "created_at")
    zone = user.zone
    for day, mood, source, valence, own, ai, confidence, ai_valence, ai_arousal, pk, created in qs.iterator(
            chunk_size=2000):
        yield [day.isoformat(), mood or "", source or "", _round(valence), own, ai, _round(confidence),
               _round(ai_valence), _round(ai_arousal), pk, timezone.localtime(created, zone).isoformat()]


def _round(value: float | None):
    return None if value is None else round(value, 4)


def _filename(user: User, ext: str) -> str:
    return f"moodsite-mood-history-{timezone.localdate(timezone=user.zone).isoformat()}.{ext}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def mood_history_csv(*, user: User, start, end, prefer: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheet programs read Korean text correctly
        yield writer.writerow(COLUMNS)
        for row in _rows(user=user, start=start, end=end, prefer=prefer):
            yield writer.writerow(["" if value is None else value for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(user, "csv")}"'
    return response


def mood_history_json(*, user: User, start, end, prefer: str) -> HttpResponse:
    document = {
        "exported_at": timezone.now(),
        "time_zone": user.time_zone,
        "prefer": prefer,
        "mood_rule": MOOD_RULES[prefer],
        "from": start,
        "to": end,
        "entries": [dict(zip(COLUMNS, row, strict=True))
                    for row in _rows(user=user, start=start, end=end, prefer=prefer)],
    }
    response = HttpResponse(json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(user, "json")}"'
    return response


