"""The daily reminder: settings, devices, and sending what has come due (at most one a day).

Sending is idempotent: a reminder is claimed by inserting the person's ReminderSent row for their
local day (unique per person and day) before anything is sent, so two beats, two workers or a
retried task can never send a second one. A reminder is not sent when the person has already
written that day (an entry dated their local today).
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from diary.models import Entry
from diary.reminders.models import PushSubscription, ReminderPreference, ReminderSent

logger = logging.getLogger(__name__)
Channel = ReminderPreference.Channel


def push_available() -> bool:
    """Web Push is offered only when the server has its VAPID key pair."""
    return bool(settings.WEBPUSH_VAPID_PUBLIC_KEY and settings.WEBPUSH_VAPID_PRIVATE_KEY)


def push_publishable_key() -> str:
    """The VAPID public key as the browser's applicationServerKey wants it (base64url, no padding)."""
    return settings.WEBPUSH_VAPID_PUBLIC_KEY.strip().rstrip("=")


def preference_get(*, user: User) -> ReminderPreference:
    """The person's setting (a default, unsaved one until they save theirs: off, 19:00, e-mail)."""
    return ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)


@transaction.atomic
def preference_set(*, user: User, enabled: bool, time: datetime.time, channel: str) -> ReminderPreference:
    if channel == Channel.PUSH and not push_available():
        channel = Channel.EMAIL
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"enabled": enabled, "time": time, "channel": channel}
    )
    return preference


def unsubscribe(*, token: str) -> ReminderPreference | None:
    """The e-mail's one-click link: reminders off, no login needed. None for an unknown token."""
    preference = ReminderPreference.objects.filter(unsubscribe_token=token).select_related("user").first()
    if preference is not None and preference.enabled:
        ReminderPreference.objects.filter(pk=preference.pk).update(enabled=False, updated_at=timezone.now())
        preference.enabled = False
    return preference


def push_subscribe(*, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def push_unsubscribe(*, user: User, endpoint: str) -> int:
    return PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()[0]


# --- Sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    preference: ReminderPreference
    day: datetime.date


def _local_due(preference: ReminderPreference, now: datetime.datetime) -> datetime.date | None:
    zone = preference.user.zone
    local = timezone.localtime(now, zone)
    scheduled = datetime.datetime.combine(local.date(), preference.time, tzinfo=zone)
    window = datetime.timedelta(minutes=settings.REMINDER_SEND_WINDOW_MINUTES)
    return local.date() if scheduled <= local < scheduled + window else None


def reminders_due(*, now: datetime.datetime) -> list[Due]:
    """Enabled reminders whose time has come in the person's own zone, not yet sent today, for
    people who have not written today."""
    due = []
    preferences = ReminderPreference.objects.filter(enabled=True, user__is_active=True).select_related("user")
    for preference in preferences.iterator(chunk_size=500):
        day = _local_due(preference, now)
        if day is not None:
            due.append(Due(preference, day))
    if not due:
        return []
    users = [d.preference.user_id for d in due]
    days = {d.day for d in due}
    sent = set(ReminderSent.objects.filter(user_id__in=users, day__in=days).values_list("user_id", "day"))
    wrote = set(Entry.objects.filter(owner_id__in=users, day__in=days).values_list("owner_id", "day"))
    return [d for d in due if (d.preference.user_id, d.day) not in sent | wrote]


def _claim(user: User, day: datetime.date, channel: str) -> ReminderSent | None:
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(user=user, day=day, channel=channel)
    except IntegrityError:
        return None  # someone else sent (or is sending) today's


def _site(path: str) -> str:
    return settings.WELFARE_SITE_URL.rstrip("/") + path


def _send_email(preference: ReminderPreference) -> None:
    user = preference.user
    unsubscribe_url = _site(reverse("diary:reminders:unsubscribe", args=[preference.unsubscribe_token]))
    context = {"user": user, "write_url": _site(reverse("diary:entry_create")),
               "settings_url": _site(reverse("diary:reminders:settings")), "unsubscribe_url": unsubscribe_url}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("diary/reminders/email_subject.txt", context).strip()
        body = render_to_string("diary/reminders/email_body.txt", context)
    message = EmailMultiAlternatives(subject, body, None, [user.email], headers={
        # RFC 8058: mail programs show their own one-click "unsubscribe" button.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })
    message.send()


def _send_push(preference: ReminderPreference) -> bool:
    """True when at least one device took the notification; gone devices are forgotten."""
    from pywebpush import WebPushException, webpush

    user = preference.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        payload = json.dumps({
            "title": translation.gettext("How are you today?"),
            "body": translation.gettext("A moment to note how you feel, whenever you like."),
            "url": reverse("diary:entry_create"),
        }, ensure_ascii=False)
    delivered = False
    for subscription in PushSubscription.objects.filter(user=user):
        try:
            webpush(
                subscription_info={"endpoint": subscription.endpoint,
                                   "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=payload, vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT}, ttl=4 * 60 * 60, timeout=10,
            )
            delivered = True
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):  # the browser dropped this subscription
                subscription.delete()
            else:
                logger.warning("Web Push to %s failed: %s", subscription.pk, error)
    return delivered


def reminder_send(*, due: Due) -> bool:
    """Send one person's reminder for their day; False when it was already claimed or failed."""
    preference = due.preference
    use_push = preference.channel == Channel.PUSH and push_available()
    claimed = _claim(preference.user, due.day, Channel.PUSH if use_push else Channel.EMAIL)
    if claimed is None:
        return False
    try:
        if use_push and _send_push(preference):
            return True
        if use_push:  # no device took it: e-mail instead, so the person still gets today's
            ReminderSent.objects.filter(pk=claimed.pk).update(channel=Channel.EMAIL)
        _send_email(preference)
    except Exception:
        logger.exception("Sending the reminder to user %s failed; it will be tried again", preference.user_id)
        claimed.delete()  # not sent: the next run may try again (still within the window)
        return False
    return True


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    due = reminders_due(now=now or timezone.now())
    sent = sum(reminder_send(due=d) for d in due)
    return {"due": len(due), "sent": sent}
