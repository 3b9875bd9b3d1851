from django.conf import settings


def test_it_speaks_korean_to_a_korean_browser_and_english_otherwise(client, db):
    korean = client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").content.decode()
    assert 'lang="ko"' in korean and "일기 시작하기" in korean
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'lang="en"' in english and "Start my diary" in english


def test_it_follows_the_language_chosen_in_the_switcher(client, db):
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert "일기 시작하기" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_it_serves_every_asset_locally(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "/static/css/site.css" in page
    for cdn in ("cdn.", "unpkg", "jsdelivr", "googleapis"):
        assert cdn not in page


def test_it_answers_the_health_check(client, db):
    assert client.get("/health/").json() == {"status": "ok"}


def test_it_keeps_photos_out_of_the_public_media_root():
    private = settings.STORAGES["private"]
    if settings.S3_BUCKET:  # in a bucket: the class that never presigns, and no ACL of its own
        assert private["BACKEND"] == "diary.storage.PrivateS3Storage"
        assert private["OPTIONS"]["default_acl"] is None
    else:
        assert private["OPTIONS"]["base_url"] is None
