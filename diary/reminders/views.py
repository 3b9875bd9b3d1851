"""The reminder's settings page, the e-mail's one-click unsubscribe, and the push subscription."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from diary.reminders import services
from diary.reminders.forms import ReminderForm


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    preference = services.preference_get(user=request.user)
    push = services.push_available()
    initial = {"enabled": preference.enabled, "time": preference.time, "channel": preference.channel}
    form = ReminderForm(request.POST or None, initial=initial, push=push)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.preference_set(user=request.user, enabled=data["enabled"], time=data["time"], channel=data["channel"])
        messages.success(request, _("Your reminder is on.") if data["enabled"] else _("Your reminder is off."))
        return redirect("diary:reminders:settings")
    return render(request, "diary/reminders/settings.html", {
        "form": form, "push": push, "vapid_public_key": services.push_publishable_key() if push else "",
        "devices": request.user.push_subscriptions.count(),
    })


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the e-mail (GET), or a mail program's one-click POST (RFC 8058): off at once."""
    preference = services.unsubscribe(token=token)
    if preference is None:
        return render(request, "diary/reminders/unsubscribed.html", {"unknown": True}, status=404)
    return render(request, "diary/reminders/unsubscribed.html", {"unknown": False})


def _json_body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    if not services.push_available():
        return JsonResponse({"detail": _("Notifications are not available on this server.")}, status=409)
    data = _json_body(request)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    endpoint, p256dh, auth = data.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not (isinstance(endpoint, str) and endpoint.startswith("https://") and isinstance(p256dh, str)
            and isinstance(auth, str) and len(endpoint) <= 1000 and len(p256dh) <= 200 and len(auth) <= 100):
        return JsonResponse({"detail": _("This browser sent a subscription we cannot use. Please try again.")},
                            status=400)
    services.push_subscribe(user=request.user, endpoint=endpoint, p256dh=p256dh, auth=auth)
    return JsonResponse({"detail": _("Notifications are on for this device.")}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    endpoint = _json_body(request).get("endpoint")
    removed = services.push_unsubscribe(user=request.user, endpoint=endpoint) if isinstance(endpoint, str) else 0
    return JsonResponse({"removed": removed})
