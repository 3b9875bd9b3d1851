"""The gentle daily reminder: at the person's chosen time in their own zone, at most once a day,
not when they already wrote, e-mail by default, Web Push where configured, easy to turn off."""

import datetime
import json

import pytest
from django.core import mail
from django.test import override_settings

from diary.reminders import services
from diary.reminders.models import PushSubscription, ReminderPreference, ReminderSent
from diary.reminders.tasks import send_reminders_task
from tests.factories import EntryFactory

UTC = datetime.UTC
# 19:00 in Seoul (UTC+9) is 10:00 UTC.
SEOUL_SEVEN_PM = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
KEYS = {"WEBPUSH_VAPID_PUBLIC_KEY": "BPublicKeyForTests", "WEBPUSH_VAPID_PRIVATE_KEY": "private-key-for-tests"}


@pytest.fixture
def reminded(member):
    member.time_zone = "Asia/Seoul"
    member.save(update_fields=["time_zone"])
    return services.preference_set(user=member, enabled=True, time=datetime.time(19, 0), channel="email")


def test_it_sends_one_email_at_the_chosen_time_in_the_persons_zone(reminded):
    # Given a reminder at 19:00 Seoul time, when beat runs a minute before, then nothing comes
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM - datetime.timedelta(minutes=1)) == {"due": 0, "sent": 0}
    # and when it runs at 19:05 Seoul time, one e-mail goes out, logged for the Seoul day
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM + datetime.timedelta(minutes=5))["sent"] == 1
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get(user=reminded.user).day == datetime.date(2026, 12, 2)
    message = mail.outbox[0]
    assert message.to == [reminded.user.email] and "How are you today?" in message.subject
    assert "/diary/new/" in message.body
    assert f"/diary/reminders/off/{reminded.unsubscribe_token}/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_never_sends_more_than_one_a_day(reminded, monkeypatch):
    for minutes in (0, 5, 10, 60):
        services.reminders_send_due(now=SEOUL_SEVEN_PM + datetime.timedelta(minutes=minutes))
    # The periodic task, run once more that same evening. Its clock is pinned: with the real one
    # the test failed whenever it ran during a Seoul evening on another day (a true, new reminder).
    later_that_evening = SEOUL_SEVEN_PM + datetime.timedelta(minutes=90)
    monkeypatch.setattr(services.timezone, "now", lambda: later_that_evening)
    send_reminders_task.apply()
    assert len(mail.outbox) == 1
    # and the database refuses a second log row for the same person and day
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(user=reminded.user, day=datetime.date(2026, 12, 2), channel="email")
    # the next day it comes again
    services.reminders_send_due(now=SEOUL_SEVEN_PM + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_it_is_not_sent_when_the_person_already_wrote_that_day(reminded):
    EntryFactory(owner=reminded.user, day=datetime.date(2026, 12, 2))
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM + datetime.timedelta(minutes=5))["sent"] == 0
    assert mail.outbox == []


def test_a_reminder_long_overdue_is_not_sent_late(reminded):
    late = SEOUL_SEVEN_PM + datetime.timedelta(hours=4)
    assert services.reminders_send_due(now=late)["sent"] == 0


def test_reminders_are_off_until_the_person_turns_them_on(member):
    assert services.preference_get(user=member).enabled is False
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 0


def test_a_failed_send_is_not_logged_so_it_is_tried_again(reminded, monkeypatch):
    monkeypatch.setattr(services, "_send_email", lambda preference: (_ for _ in ()).throw(OSError("smtp down")))
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 0
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM + datetime.timedelta(minutes=5))["sent"] == 1


# --- Turning it off ------------------------------------------------------------------------------


def test_the_one_click_link_in_the_email_turns_reminders_off_without_signing_in(client, reminded):
    response = client.get(f"/diary/reminders/off/{reminded.unsubscribe_token}/")
    assert response.status_code == 200 and "Your daily reminder is off" in response.content.decode()
    assert ReminderPreference.objects.get(pk=reminded.pk).enabled is False
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 0
    # a mail program's one-click POST (RFC 8058) works too, and an unknown token says so
    assert client.post(f"/diary/reminders/off/{reminded.unsubscribe_token}/").status_code == 200
    assert client.get("/diary/reminders/off/not-a-token/").status_code == 404


def test_the_owner_sets_the_time_and_turns_it_off_on_the_settings_page(owner_client, member):
    page = owner_client.get("/diary/reminders/").content.decode()
    assert "Daily reminder" in page and 'type="time"' in page
    assert "push-devices" not in page and 'value="push"' not in page  # no VAPID keys: push not offered
    owner_client.post("/diary/reminders/", {"enabled": "on", "time": "08:30", "channel": "email"})
    preference = ReminderPreference.objects.get(user=member)
    assert preference.enabled and preference.time == datetime.time(8, 30)
    owner_client.post("/diary/reminders/", {"time": "08:30", "channel": "email"})
    assert ReminderPreference.objects.get(user=member).enabled is False
    bad = owner_client.post("/diary/reminders/", {"enabled": "on", "time": "half past", "channel": "email"})
    assert "for example 19:00" in bad.content.decode()


def test_the_settings_page_is_for_signed_in_people_only(client):
    response = client.get("/diary/reminders/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_profile_links_to_the_reminder(owner_client):
    assert 'href="/diary/reminders/"' in owner_client.get("/accounts/profile/").content.decode()


# --- Web Push ------------------------------------------------------------------------------------


@override_settings(**KEYS)
def test_with_vapid_keys_the_page_offers_notifications_from_a_static_script(owner_client):
    page = owner_client.get("/diary/reminders/").content.decode()
    assert 'id="push-devices"' in page and 'data-vapid-key="BPublicKeyForTests"' in page
    assert "diary/reminders.js" in page and "diary/reminder-sw.js" in page
    assert "<script>" not in page and " onclick=" not in page


@override_settings(**KEYS)
def test_a_push_reminder_goes_to_the_devices_and_a_gone_device_is_forgotten(reminded, monkeypatch):
    import pywebpush

    reminded.channel = "push"
    reminded.save()
    PushSubscription.objects.create(user=reminded.user, endpoint="https://push.example/a", p256dh="k", auth="a")
    PushSubscription.objects.create(user=reminded.user, endpoint="https://push.example/gone", p256dh="k", auth="a")
    sent = []

    class Gone:
        status_code = 410

    def webpush(subscription_info, data, **kwargs):
        if subscription_info["endpoint"].endswith("gone"):
            raise pywebpush.WebPushException("gone", response=Gone())
        sent.append((subscription_info["endpoint"], json.loads(data)))

    monkeypatch.setattr(pywebpush, "webpush", webpush)
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 1
    assert sent == [("https://push.example/a", sent[0][1])] and sent[0][1]["url"] == "/diary/new/"
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["https://push.example/a"]
    assert mail.outbox == [] and ReminderSent.objects.get().channel == "push"


@override_settings(**KEYS)
def test_a_push_reminder_without_any_device_comes_by_email(reminded):
    reminded.channel = "push"
    reminded.save()
    assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 1
    assert len(mail.outbox) == 1 and ReminderSent.objects.get().channel == "email"


@override_settings(**KEYS)
def test_a_browser_subscribes_and_unsubscribes(owner_client, member, stranger):
    from django.test import Client

    body = {"endpoint": "https://push.example/x", "keys": {"p256dh": "key", "auth": "secret"}}
    response = owner_client.post("/diary/reminders/push/subscribe/", body, content_type="application/json")
    assert response.status_code == 201 and PushSubscription.objects.get().user == member
    bad = owner_client.post("/diary/reminders/push/subscribe/", {"endpoint": "http://x"},
                            content_type="application/json")
    assert bad.status_code == 400 and "try again" in bad.json()["detail"]
    anonymous = Client().post("/diary/reminders/push/subscribe/", body, content_type="application/json")
    assert anonymous.status_code == 302
    # a stranger cannot remove someone else's device
    other = Client()
    other.force_login(stranger)
    other.post("/diary/reminders/push/unsubscribe/", {"endpoint": "https://push.example/x"},
               content_type="application/json")
    assert PushSubscription.objects.filter(user=member).count() == 1
    owner_client.post("/diary/reminders/push/unsubscribe/", {"endpoint": "https://push.example/x"},
                      content_type="application/json")
    assert not PushSubscription.objects.exists()


def test_without_vapid_keys_push_is_refused(owner_client):
    body = {"endpoint": "https://push.example/x", "keys": {"p256dh": "key", "auth": "secret"}}
    response = owner_client.post("/diary/reminders/push/subscribe/", body, content_type="application/json")
    assert response.status_code == 409 and not PushSubscription.objects.exists()
    assert services.preference_set(user=response.wsgi_request.user, enabled=True, time=datetime.time(9, 0),
                                   channel="push").channel == "email"


def test_the_beat_schedule_runs_the_task():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["diary-send-reminders"]
    assert entry["task"] == send_reminders_task.name == "diary.reminders.tasks.send_reminders_task"


def test_the_real_pywebpush_sends_a_vapid_signed_encrypted_message(reminded, monkeypatch, tmp_path):
    # Given a real VAPID key pair on the server and a browser-like subscription
    import base64

    import pywebpush
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    server = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "private_key.pem"
    pem.write_bytes(server.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    browser = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    PushSubscription.objects.create(user=reminded.user, endpoint="https://push.example/real",
                                    p256dh=b64(browser), auth=b64(b"0123456789abcdef"))
    reminded.channel = "push"
    reminded.save()
    posted = []

    class Accepted:
        status_code, text, headers = 201, "", {}

    def post(url, data=None, headers=None, **kwargs):
        posted.append((url, headers, data))
        return Accepted()

    monkeypatch.setattr(pywebpush.requests, "post", post)
    # When the reminder is due
    with override_settings(WEBPUSH_VAPID_PUBLIC_KEY="BKey", WEBPUSH_VAPID_PRIVATE_KEY=str(pem)):
        assert services.reminders_send_due(now=SEOUL_SEVEN_PM)["sent"] == 1
    # Then one encrypted, signed request went to the browser's push service, and no e-mail
    ((url, headers, body),) = posted
    assert url == "https://push.example/real"
    assert headers["content-encoding"] == "aes128gcm" and headers["authorization"].startswith("vapid t=")
    assert b"How are you" not in body and mail.outbox == []


def test_the_data_export_carries_the_reminder_setting(reminded):
    from diary.exports import export_user_data

    services.reminders_send_due(now=SEOUL_SEVEN_PM)
    exported = export_user_data(reminded.user)["reminder"]
    assert exported == {"enabled": True, "time": "19:00", "channel": "email", "devices": 0,
                        "sent_days": ["2026-12-02"]}
