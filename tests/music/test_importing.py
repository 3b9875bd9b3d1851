"""Catalogue import and export: validation report, all-or-nothing, duplicates, garbage, formula injection."""

import csv
import io
import json
import os

import pytest

from music.exporting import export_csv, export_json, neutralise
from music.importing import catalogue_import
from music.models import MoodTag, Track
from tests.music.conftest import make_track

LASTFM_HEADER = "artist,music_name,duration,lastfm_url,youtube_url,mood_EN,mood_KOR\n"


def lastfm(*lines: str) -> bytes:
    return (LASTFM_HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")


def tags_of(track: Track) -> set[str]:
    return set(track.mood_tags.values_list("name_en", flat=True))


@pytest.mark.django_db
def test_good_lastfm_file_is_imported_with_an_exact_report():
    data = lastfm(
        "Bon Iver,Holocene,337,https://www.last.fm/music/Bon+Iver/_/Holocene,"
        "https://www.youtube.com/watch?v=TWcyIpul8OE,Calm,잔잔한",
        "Limp Bizkit,Break Stuff,166,https://www.last.fm/music/Limp+Bizkit/_/Break+Stuff,"
        "https://www.youtube.com/watch?v=ZpUYjpKg9KY,Angry,화난",
        'bon  iver,HOLOCENE,0,https://www.last.fm/music/Bon+Iver/_/Holocene,,Lyrical,서정적인',
    )
    report = catalogue_import([("Calm.csv", data)])
    assert report.imported and not report.has_errors
    assert (report.rows, report.added, report.updated, report.duplicates) == (3, 2, 0, 1)
    assert [(m.line, m.into_line) for m in report.merges] == [(4, 2)]
    holocene = Track.objects.get(artist="Bon Iver", title="Holocene")
    assert tags_of(holocene) == {"Calm", "Lyrical"}
    assert holocene.duration_seconds == 337
    assert holocene.youtube_url == "https://www.youtube.com/watch?v=TWcyIpul8OE"
    # No coordinates in the file: the tags give them (mean of Calm and Lyrical).
    assert (holocene.valence, holocene.arousal, holocene.coordinates_source) == (0.35, -0.425, "tags")
    stuff = Track.objects.get(title="Break Stuff")
    assert stuff.valence < 0 < stuff.arousal


@pytest.mark.django_db
def test_a_file_with_bad_rows_imports_nothing_and_names_each_line():
    data = lastfm(
        "Good Artist,Good Song,200,https://www.last.fm/x,https://www.youtube.com/watch?v=abcdefghijk,Happy,행복한",  # 2
        "No Title,,200,https://www.last.fm/x,,Happy,행복한",  # 3
        'Multi Line,"Song with a',  # 4
        'line break",100,https://www.last.fm/y,,Calm,잔잔한',  # 5
        "Some Artist,Some Song,200,https://www.last.fm/x,,Sleepy,졸린",  # 6
        "Bad Link,Song,200,https://www.last.fm/x,https://www.last.fm/charts,Sad,슬픈",  # 7
        "Too,Many,Fields,1,2,3,4,5",  # 8
        "",  # 9: blank lines are not rows
        "Bad Duration,Song,soon,https://www.last.fm/x,,Sad,슬픈",  # 10
    )
    before = Track.objects.count()
    report = catalogue_import([("mixed.csv", data)])
    assert not report.imported
    assert Track.objects.count() == before
    assert [(r.source, r.line) for r in report.rejected] == [
        ("mixed.csv", 3), ("mixed.csv", 6), ("mixed.csv", 7), ("mixed.csv", 8), ("mixed.csv", 10)]
    reasons = [r.reason for r in report.rejected]
    assert "title is missing" in reasons[0]
    assert "unknown mood tag “Sleepy”" in reasons[1]
    assert "is not a YouTube link" in reasons[2]
    assert "has 8 fields; the header has 7" in reasons[3]
    assert "duration “soon” is not a number" in reasons[4]
    assert report.rows == 7

    # The curator may choose to import the valid rows.
    report = catalogue_import([("mixed.csv", data)], valid_rows_only=True)
    assert report.imported and report.added == 2 and len(report.rejected) == 5
    assert Track.objects.filter(title="Song with a\nline break").exists()


@pytest.mark.django_db
def test_duplicates_are_merged_with_the_catalogue_by_artist_and_title():
    existing = make_track("Holocene", "Bon Iver", tags=["Calm"])
    data = lastfm(
        "BON IVER,holocene ,337,https://www.last.fm/music/Bon+Iver/_/Holocene,,Melancholy,구슬픈",
        "Bon Iver,Holocene,337,https://www.last.fm/music/Bon+Iver/_/Holocene,,Calm,잔잔한",
    )
    report = catalogue_import([("a.csv", data)])
    assert (report.added, report.updated, report.duplicates, report.unchanged) == (0, 1, 1, 0)
    existing.refresh_from_db()
    assert tags_of(existing) == {"Calm", "Melancholy"}
    assert existing.duration_seconds == 337 and existing.title == "Holocene"
    assert Track.objects.count() == 1
    # Importing the same file again changes nothing.
    again = catalogue_import([("a.csv", data)])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.django_db
def test_duplicates_across_files_and_the_aggresive_alias():
    one = lastfm("Band,Song,100,https://www.last.fm/a,,Aggresive,공격적인")
    two = lastfm("Band,Song,100,https://www.last.fm/a,,Angry,화난")
    report = catalogue_import([("Aggresive.csv", one), ("Angry.csv", two)])
    assert (report.added, report.duplicates) == (1, 1)
    assert report.merges[0].into_source == "Aggresive.csv" and report.merges[0].source == "Angry.csv"
    assert tags_of(Track.objects.get()) == {"Aggressive", "Angry"}


@pytest.mark.django_db
def test_ten_megabytes_of_binary_garbage_is_refused_with_a_clear_message():
    garbage = os.urandom(10 * 1024 * 1024)
    report = catalogue_import([("photo.csv", garbage)])
    assert not report.imported and report.rows == 0
    assert len(report.file_errors) == 1
    assert "not a CSV or JSON text file" in report.file_errors[0]
    assert Track.objects.count() == 0


@pytest.mark.django_db
def test_ten_megabytes_of_text_garbage_is_refused_with_a_clear_message():
    garbage = ("lorem,ipsum;dolor\tsit " * 500_000)[: 10 * 1024 * 1024].encode()
    report = catalogue_import([("notes.csv", garbage)])
    assert not report.imported
    assert "the header" in report.file_errors[0] and "is not one we know" in report.file_errors[0]


@pytest.mark.django_db
def test_broken_json_and_json_items():
    report = catalogue_import([("x.json", b'{"tracks": [1, 2,')])
    assert "not valid JSON" in report.file_errors[0]
    items = [
        {"title": "Gymnopédie No. 1", "artist": "Erik Satie", "mood_tags": ["Calm", "Melancholy"],
         "valence": 0.1, "arousal": -0.65, "tempo_bpm": 66, "key": "D major", "language": "zxx",
         "emotion_affinity": {"sad": 0.6, "neutral": 0.4}},
        {"title": "", "artist": "Nobody"},
        "not an object",
    ]
    report = catalogue_import([("t.json", json.dumps(items).encode())])
    assert [(r.unit, r.line) for r in report.rejected] == [("item", 2), ("item", 3)]
    report = catalogue_import([("t.json", json.dumps({"tracks": items[:1]}).encode())])
    satie = Track.objects.get(artist="Erik Satie")
    assert (satie.valence, satie.arousal, satie.coordinates_source, satie.mode) == (0.1, -0.65, "curator", "major")
    assert satie.emotion_affinity["sad"] == 0.6 and satie.emotion_affinity["happy"] == 0.0


@pytest.mark.django_db
def test_export_neutralises_formula_cells_and_reimports_losslessly():
    evil = make_track("=HYPERLINK(\"http://evil.example\",\"click\")", "@SUM(A1:A9)", valence=-0.5, arousal=0.25,
                      album="+1 live", genre="-cmd", attribution="\tTab", licence="\rCR", key="C major")
    evil.mood_tags.set(MoodTag.objects.filter(name_en="Angry"))
    content = export_csv(Track.objects.all()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"].startswith("'=") and row["artist"].startswith("'@")
    assert row["album"].startswith("'+") and row["genre"].startswith("'-")
    assert row["attribution"].startswith("'\t") and row["licence"].startswith("'\r")
    assert row["valence"] == "-0.5"  # numbers stay numbers
    for value in row.values():
        assert not value or value[0] not in "=+@\t\r" and not (value[0] == "-" and not _is_number(value))
    data = json.loads(export_json(Track.objects.all()))
    assert data["tracks"][0]["title"].startswith("'=")

    # Our own export comes back exactly as it was.
    Track.objects.all().delete()
    report = catalogue_import([("export.csv", content.encode("utf-8-sig"))])
    assert report.imported and report.added == 1
    again = Track.objects.get()
    assert again.title == evil.title and again.artist == evil.artist and again.album == "+1 live"
    assert (again.valence, again.arousal) == (-0.5, 0.25)
    assert tags_of(again) == {"Angry"}


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-") == "'-"
    assert neutralise("Calm") == "Calm"
    assert neutralise("") == ""


@pytest.mark.django_db
def test_our_layout_updates_and_validates_fields():
    make_track("Clair de lune", "Claude Debussy", valence=0.4, arousal=-0.6)
    header = "title,artist,year,language,mood_tags,valence,arousal,tempo_bpm,key,active\n"
    body = (
        "Clair de lune,Claude Debussy,1905,zxx,Dreamy|Calm,0.45,-0.6,54,D-flat major,yes\n"
        "Rêverie,Claude Debussy,1890,zxx,Dreamy,,,60,F major,no\n"
        "Bad,Someone,99999,english,Calm,2,,,,maybe\n"
    )
    report = catalogue_import([("ours.csv", (header + body).encode())])
    assert not report.imported
    assert [r.line for r in report.rejected] == [4]
    reason = report.rejected[0].reason
    for expected in ("year 99999 is outside", "language “english”", "valence 2 is outside", "active “maybe”"):
        assert expected in reason
    report = catalogue_import([("ours.csv", (header + body).encode())], valid_rows_only=True)
    assert (report.added, report.updated) == (1, 1)
    clair = Track.objects.get(title="Clair de lune")
    assert (clair.valence, clair.year, clair.key, clair.mode) == (0.45, 1905, "D-flat major", "major")
    assert clair.tempo_bpm == 54
    assert tags_of(clair) == {"Dreamy", "Calm"}
    reverie = Track.objects.get(title="Rêverie")
    assert reverie.is_active is False and reverie.coordinates_source == "tags"


@pytest.mark.django_db
def test_keep_existing_leaves_curated_tracks_alone():
    track = make_track("Song", "Artist", valence=0.3, arousal=0.3, genre="mine")
    data = b"title,artist,genre,valence,arousal\nSong,Artist,theirs,-0.9,-0.9\n"
    report = catalogue_import([("x.csv", data)], update_existing=False)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    track.refresh_from_db()
    assert (track.genre, track.valence) == ("mine", 0.3)


@pytest.mark.django_db
def test_too_large_files_count_as_errors():
    report = catalogue_import([], file_errors=["big.csv is larger than 20 MB"])
    assert not report.imported and report.has_errors
