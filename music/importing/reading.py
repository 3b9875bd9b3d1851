"""Reading the files: bytes to text, and text to rows of a known layout (CSV or JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.utils.translation import gettext as _

from music.importing.report import ImportFileError

IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _decode(data: bytes, name: str) -> str:
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFileError(_("%(name)s is larger than %(mb)s MB; split it into smaller files.")
                              % {"name": name, "mb": IMPORT_MAX_BYTES // (1024 * 1024)})
    if b"\x00" in data[:65536]:
        raise ImportFileError(_("%(name)s is not a CSV or JSON text file (it contains binary data).") % {"name": name})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("%(name)s is not a CSV or JSON text file: it is not UTF-8 text (byte %(pos)s). "
              "Save it as “CSV UTF-8” and try again.") % {"name": name, "pos": error.start}
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("%(name)s is not a CSV or JSON text file (it contains binary data).") % {"name": name})
    if not text.strip():
        raise ImportFileError(_("%(name)s is empty.") % {"name": name})
    return text


def _csv_rows(text: str, name: str) -> tuple[str, Iterator[tuple[int, dict | str]]]:
    """(layout, iterator of (line, {column: value} or an error message))."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(
            _("%(name)s, line 1: not a CSV header (%(error)s).") % {"name": name, "error": error}
        ) from None
    columns = [column.strip().lstrip("\ufeff").lower() for column in header]
    if {"artist", "music_name"} <= set(columns):
        layout = "lastfm"
    elif {"artist", "title"} <= set(columns):
        layout = "moodsite"
    else:
        shown = ", ".join(c[:30] for c in columns[:8]) or "—"
        raise ImportFileError(
            _("%(name)s, line 1: the header (%(shown)s) is not one we know. Expected the Last.fm mood-CSV "
              "columns (artist, music_name, duration, lastfm_url, youtube_url, mood_EN, mood_KOR) or our "
              "export columns (title, artist, …).") % {"name": name, "shown": shown}
        )
    if len(set(columns)) != len(columns):
        raise ImportFileError(_("%(name)s, line 1: a column name appears twice.") % {"name": name})

    def rows() -> Iterator[tuple[int, dict | str]]:
        previous = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportFileError(
                    _("%(name)s, line %(line)s: cannot be read as CSV (%(error)s).")
                    % {"name": name, "line": previous + 1, "error": error}
                ) from None
            line, previous = previous + 1, reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue  # blank lines are not rows
            if len(row) != len(columns):
                yield line, _("has %(found)s fields; the header has %(expected)s.") % {
                    "found": len(row), "expected": len(columns)}
                continue
            yield line, dict(zip(columns, row, strict=True))

    return layout, rows()


def _json_rows(text: str, name: str) -> tuple[str, Iterator[tuple[int, dict | str]]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        line = getattr(error, "lineno", "?")
        raise ImportFileError(
            _("%(name)s, line %(line)s: not valid JSON (%(error)s).")
            % {"name": name, "line": line, "error": getattr(error, "msg", "too deeply nested")}
        ) from None
    items = data.get("tracks") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportFileError(_("%(name)s: expected a list of tracks, or an object with a “tracks” list.")
                              % {"name": name})
    keys = set()
    for item in items[:50]:
        if isinstance(item, dict):
            keys |= {str(k).lower() for k in item}
    layout = "lastfm" if "music_name" in keys and "title" not in keys else "moodsite"

    def rows() -> Iterator[tuple[int, dict | str]]:
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                yield number, _("is not an object.")
                continue
            yield number, {str(k).lower(): v for k, v in item.items()}

    return layout, rows()
