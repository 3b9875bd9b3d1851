"""Curation in the admin: only curators and staff; bulk actions, import, export."""

import os

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from music.models import MoodTag, Track
from music.services import CURATORS_GROUP
from tests.factories import UserFactory
from tests.music.conftest import make_track

CHANGELIST = reverse("admin:music_track_changelist")
IMPORT = reverse("admin:music_track_import")


def action(client, name, tracks, **extra):
    return client.post(CHANGELIST, {"action": name, "_selected_action": [t.pk for t in tracks], **extra})


@pytest.fixture
def staff_member_without_role(db):
    """Staff flag and every music permission, but neither curator nor staff role."""
    user = UserFactory(role=User.Role.MEMBER, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="music"))
    return user


@pytest.fixture
def tracks(db):
    return [make_track("One", "A", valence=0.5, arousal=0.5), make_track("Two", "B", tags=["Calm"]),
            make_track("Three", "C")]


def test_curator_enable_gives_the_catalogue_and_nothing_else(curator, client):
    assert curator.is_staff and curator.role == User.Role.CURATOR and not curator.is_superuser
    assert curator.groups.filter(name=CURATORS_GROUP).exists()
    assert curator.has_perm("music.change_track") and curator.has_perm("music.add_moodtag")
    assert not curator.has_perm("accounts.view_user") and not curator.has_perm("music.view_feedback")
    client.force_login(curator)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:music_moodtag_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_curator_runs_the_bulk_actions(curator_client, tracks):
    response = action(curator_client, "deactivate", tracks[:2])
    assert response.status_code == 302
    assert list(Track.objects.filter(is_active=False).order_by("title").values_list("title", flat=True)) == [
        "One", "Two"]
    action(curator_client, "activate", tracks[:1])
    assert Track.objects.get(title="One").is_active

    # Set mood: an intermediate page, then the tags are applied and the coordinates follow.
    page = action(curator_client, "set_mood", tracks)
    assert page.status_code == 200 and b"Choose the mood tags" in page.content
    sad = MoodTag.objects.get(name_en="Sad")
    response = action(curator_client, "set_mood", tracks, apply="1", tags=[sad.pk], replace="on")
    assert response.status_code == 302
    for track in Track.objects.all():
        assert list(track.mood_tags.all()) == [sad]
        assert (track.valence, track.arousal, track.coordinates_source) == (sad.valence, sad.arousal, "tags")


def test_missing_coordinates_filter_and_search(curator_client, tracks):
    html = curator_client.get(CHANGELIST, {"coordinates": "missing"}).content.decode()
    assert ">Three<" in html and ">One<" not in html
    html = curator_client.get(CHANGELIST, {"q": "calm"}).content.decode()  # by mood tag
    assert ">Two<" in html and ">One<" not in html


@pytest.mark.parametrize("who", ["member_staff", "caseworker_staff", "anonymous"])
def test_others_cannot_curate(client, tracks, staff_member_without_role, who):
    if who == "member_staff":
        client.force_login(staff_member_without_role)
    elif who == "caseworker_staff":
        caseworker = UserFactory(role=User.Role.CASEWORKER, is_staff=True)
        caseworker.user_permissions.set(Permission.objects.filter(content_type__app_label="music"))
        client.force_login(caseworker)
    response = action(client, "deactivate", tracks)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert Track.objects.filter(is_active=False).count() == 0
    for url in (CHANGELIST, IMPORT, reverse("admin:music_track_export", args=["csv"])):
        response = client.get(url)
        assert response.status_code == 403 or (response.status_code == 302 and "login" in response["Location"])


def test_staff_and_superusers_can_curate(client, tracks):
    staff = UserFactory(role=User.Role.STAFF, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="music"))
    client.force_login(staff)
    assert action(client, "deactivate", tracks[:1]).status_code == 302
    superuser = User.objects.create_superuser("root@example.com", "a-long-test-password-42")
    client.force_login(superuser)
    assert action(client, "deactivate", tracks[1:2]).status_code == 302
    assert Track.objects.filter(is_active=False).count() == 2


def test_admin_import_good_file(curator_client):
    data = (b"artist,music_name,duration,lastfm_url,youtube_url,mood_EN,mood_KOR\n"
            b"Bon Iver,Holocene,337,https://www.last.fm/a,,Calm,\xec\x9e\x94\xec\x9e\x94\xed\x95\x9c\n")
    response = curator_client.post(IMPORT, {"files": [SimpleUploadedFile("Calm.csv", data, "text/csv")]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported" in html and Track.objects.filter(title="Holocene").exists()


def test_admin_import_with_errors_imports_nothing_and_shows_lines(curator_client):
    data = (b"artist,music_name,duration,lastfm_url,youtube_url,mood_EN,mood_KOR\n"
            b"Good,Song,1,https://www.last.fm/a,,Calm,\n"
            b"Bad,Song,1,https://www.last.fm/a,,Nonsense,\n")
    response = curator_client.post(IMPORT, {"files": [SimpleUploadedFile("x.csv", data, "text/csv")]})
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in html
    assert "<td>x.csv</td><td>3</td>" in html and "unknown mood tag" in html
    assert not Track.objects.exists()
    response = curator_client.post(IMPORT, {"files": [SimpleUploadedFile("x.csv", data, "text/csv")],
                                            "valid_rows_only": "on"})
    assert Track.objects.count() == 1


def test_admin_import_of_ten_megabytes_of_garbage_says_so(curator_client):
    garbage = SimpleUploadedFile("tracks.csv", os.urandom(10 * 1024 * 1024), "text/csv")
    response = curator_client.post(IMPORT, {"files": [garbage]})
    assert response.status_code == 200
    assert "not a CSV or JSON text file" in response.content.decode()
    assert not Track.objects.exists()


def test_admin_export(curator_client, tracks):
    response = curator_client.get(reverse("admin:music_track_export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").count("\r\n") == 4
    response = action(curator_client, "export_json", tracks[:1])
    assert response.status_code == 200 and b'"One"' in response.content


def test_adding_a_duplicate_track_is_a_form_error(curator_client, tracks):
    response = curator_client.post(reverse("admin:music_track_add"),
                                   {"title": "one ", "artist": "a", "is_active": "on"})
    assert response.status_code == 200
    assert "already has a track with this artist and title" in response.content.decode()
    assert Track.objects.count() == 3
