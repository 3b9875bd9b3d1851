"""What an import found: the report, its rejections and merges, and the rows it kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (not text, unknown layout, too large…)."""


@dataclass
class Rejection:
    source: str
    line: int  # CSV: the physical line the row starts on (the header is line 1); JSON: item number
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        where = _("line %(n)s") % {"n": self.line} if self.unit == "line" else _("item %(n)s") % {"n": self.line}
        return f"{self.source}, {where}: {self.reason}"


@dataclass
class Merge:
    source: str
    line: int
    into_source: str
    into_line: int
    unit: str = "line"


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows merged into an earlier row with the same artist and title
    rejected: list[Rejection] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    imported: bool = False
    valid_rows_only: bool = False
    seconds: float = 0.0

    @property
    def has_errors(self) -> bool:
        return bool(self.rejected or self.file_errors)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates_merged": self.duplicates,
            "rejected": [
                {"file": r.source, r.unit: r.line, "reason": r.reason} for r in self.rejected
            ],
            "file_errors": self.file_errors,
            "warnings": self.warnings,
            "imported": self.imported,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Row:
    source: str
    line: int
    unit: str
    layout: str  # "lastfm" or "moodsite"
    values: dict  # cleaned Track field values present in the row
    tags: list[int]  # MoodTag ids
    key: str = ""
