"""The site can be added to a phone's home screen: a manifest with icons, and /favicon.ico."""

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image


def test_it_serves_a_manifest_with_icons_that_exist(client, db):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["short_name"] == "moodsite" and manifest["display"] == "standalone"
    assert manifest["lang"] == "ko" and "일기" in manifest["name"]
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, icon
        with Image.open(path) as png:
            assert f"{png.width}x{png.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])


def test_it_serves_the_favicon_and_pages_point_at_manifest_and_icons(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'rel="apple-touch-icon"' in page and 'name="theme-color"' in page
