"""Catalogue import from CSV and JSON, with a validation report.

Two layouts are recognised from the header (CSV) or the keys (JSON):
  * the Last.fm mood-CSV layout: artist, music_name, duration, lastfm_url, youtube_url, mood_EN, mood_KOR
  * our own export layout (music.exporting.COLUMNS): title, artist, album, year, …, mood_tags, valence, …

Every row is validated; rows with the same artist and title (after Unicode and case
normalisation) are merged — within the files and with the catalogue. A file with any rejected
row imports nothing unless the curator asks for the valid rows to be imported. All database work
is bulk (one transaction), so that ~10,000 rows take seconds.

Modules: reading (files to rows), validating (one row), writing (bulk writes), report, importer
(catalogue_import, the whole). The public names are importable from `music.importing`.
"""

from music.importing.importer import IMPORT_MAX_ROWS, catalogue_import
from music.importing.reading import IMPORT_MAX_BYTES
from music.importing.report import ImportFileError, ImportReport, Merge, Rejection
from music.importing.validating import LASTFM_COLUMNS

__all__ = ["IMPORT_MAX_BYTES", "IMPORT_MAX_ROWS", "LASTFM_COLUMNS", "ImportFileError", "ImportReport", "Merge",
           "Rejection", "catalogue_import"]
