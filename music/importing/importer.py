"""The import as a whole: read and validate every file, merge duplicates, write unless there are errors."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from music.importing.reading import _csv_rows, _decode, _json_rows
from music.importing.report import ImportFileError, ImportReport, Merge, Rejection, _Row
from music.importing.validating import _TagIndex, _validate
from music.importing.writing import _write
from music.models import track_match_key

IMPORT_MAX_ROWS = 200_000


def _merge_into(base: _Row, other: _Row) -> None:
    for name, value in other.values.items():
        base.values.setdefault(name, value)
    for tag in other.tags:
        if tag not in base.tags:
            base.tags.append(tag)


def catalogue_import(
    files: Iterable[tuple[str, bytes]], *, valid_rows_only: bool = False, update_existing: bool = True,
    dry_run: bool = False, file_errors: Iterable[str] = (),
) -> ImportReport:
    """Validate and import catalogue files; returns the report (nothing imported when there are
    errors, unless `valid_rows_only`). `update_existing=False` leaves tracks already in the
    catalogue as they are (the starter-catalogue loader). `file_errors` are files refused before
    reading (too large): they count as errors too."""
    started = time.perf_counter()
    report = ImportReport(valid_rows_only=valid_rows_only, file_errors=list(file_errors))
    tags = _TagIndex()
    merged: dict[str, _Row] = {}
    for name, data in files:
        report.files.append(name)
        try:
            text = _decode(data, name)
            stripped = text.lstrip()
            if stripped[:1] in ("[", "{") or name.lower().endswith(".json"):
                layout, rows = _json_rows(text, name)
                unit = "item"
            else:
                layout, rows = _csv_rows(text, name)
                unit = "line"
            file_rows: list[_Row] = []
            rejected: list[Rejection] = []
            for line, fields in rows:
                if len(file_rows) + len(rejected) >= IMPORT_MAX_ROWS:
                    raise ImportFileError(_("%(name)s has more than %(n)s rows; split it into smaller files.")
                                          % {"name": name, "n": IMPORT_MAX_ROWS})
                if isinstance(fields, str):
                    rejected.append(Rejection(name, line, fields, unit))
                    continue
                values, tag_ids, errors = _validate(fields, layout, tags)
                if errors:
                    rejected.append(Rejection(name, line, "; ".join(errors), unit))
                    continue
                file_rows.append(_Row(name, line, unit, layout, values, tag_ids))
        except ImportFileError as error:
            report.file_errors.append(str(error))
            continue
        report.rows += len(file_rows) + len(rejected)
        report.rejected.extend(rejected)
        for row in file_rows:
            row.key = track_match_key(row.values["artist"], row.values["title"])
            first = merged.get(row.key)
            if first is None:
                merged[row.key] = row
            else:
                _merge_into(first, row)
                report.duplicates += 1
                report.merges.append(Merge(row.source, row.line, first.source, first.line, row.unit))

    if report.has_errors and not valid_rows_only:
        report.seconds = time.perf_counter() - started
        return report
    from music.services import catalogue_changed

    with transaction.atomic():
        _write(list(merged.values()), report, tags, update_existing=update_existing)
        if dry_run:
            transaction.set_rollback(True)
        elif report.added or report.updated:
            catalogue_changed()
    report.imported = not dry_run
    report.seconds = time.perf_counter() - started
    return report
