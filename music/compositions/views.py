"""Pages and endpoints for generated music. Everything is the owner's alone: others get 404,
anonymous visitors go to the login page."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from diary.selectors import entry_get_visible_to
from music.compositions import services
from music.compositions.forms import ComposeForm, FeedbackForm
from music.compositions.models import Composition
from music.compositions.selectors import composition_get_visible_to

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def private_file_response(request: HttpRequest, field, *, content_type: str, filename: str,
                          attachment: bool) -> HttpResponse:
    """A private file, never cached by shared caches, with single byte ranges (seeking in <audio>)."""
    if not field or not field.name:
        raise Http404("No file.")
    try:
        size = field.storage.size(field.name)
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("No file.") from None
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and any(match.groups()):
        first, last = match.groups()
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        data = handle.read(end - start + 1)
        handle.close()
        response = HttpResponse(data, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    return response


def download_name(composition: Composition, extension: str) -> str:
    return f"moodsite-{composition.entry.day.isoformat()}-{composition.target}-{composition.pk}.{extension}"


def status_payload(request: HttpRequest, composition: Composition) -> dict:
    payload = {
        "id": composition.pk,
        "status": composition.status,
        "status_label": composition.get_status_display(),
        "progress": composition.progress,
        "finished": composition.is_finished,
    }
    if composition.is_finished:
        payload["html"] = render_to_string(
            "compositions/_composition.html", {"composition": composition}, request=request
        )
    return payload


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_to_entry(composition_or_entry_id: int) -> HttpResponse:
    return redirect(reverse("diary:entry_detail", args=[composition_or_entry_id]) + "#compositions")


def _refused(request: HttpRequest, entry_id: int, error: ValidationError) -> HttpResponse:
    text = " ".join(error.messages)
    if _wants_json(request):
        return JsonResponse({"error": text}, status=400)
    messages.error(request, text)
    return _back_to_entry(entry_id)


def _started(request: HttpRequest, composition: Composition) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(status_payload(request, composition), status=202)
    if composition.status == Composition.Status.DONE:
        messages.success(request, _("Your piece is ready."))
    else:
        messages.success(request, _("Your piece is being composed. It takes a few seconds."))
    return _back_to_entry(composition.entry_id)


@login_required
@require_POST
def compose(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return _refused(request, entry.pk, ValidationError(
            [str(e) for errors in form.errors.values() for e in errors]))
    try:
        composition = services.composition_request(
            owner=request.user, entry=entry, target=form.cleaned_data["target"],
            duration_s=form.cleaned_data["duration_s"],
        )
    except ValidationError as error:
        return _refused(request, entry.pk, error)
    composition.refresh_from_db()  # without a broker the piece was made as the request committed
    return _started(request, composition)


@login_required
@require_POST
def regenerate(request: HttpRequest, composition_id: int) -> HttpResponse:
    old = composition_get_visible_to(user=request.user, composition_id=composition_id)
    try:
        composition = services.composition_regenerate(composition=old)
    except ValidationError as error:
        return _refused(request, old.entry_id, error)
    composition.refresh_from_db()
    return _started(request, composition)


@login_required
@require_GET
def status(request: HttpRequest, composition_id: int) -> JsonResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    response = JsonResponse(status_payload(request, composition))
    return response


@login_required
@require_GET
def audio(request: HttpRequest, composition_id: int) -> HttpResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    return private_file_response(
        request, composition.audio, content_type="audio/ogg", filename=download_name(composition, "ogg"),
        attachment=request.GET.get("download") == "1",
    )


@login_required
@require_GET
def audio_mp3(request: HttpRequest, composition_id: int) -> HttpResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    return private_file_response(
        request, composition.audio_mp3, content_type="audio/mpeg", filename=download_name(composition, "mp3"),
        attachment=request.GET.get("download") == "1",
    )


@login_required
@require_GET
def midi(request: HttpRequest, composition_id: int) -> HttpResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    return private_file_response(
        request, composition.midi, content_type="audio/midi", filename=download_name(composition, "mid"),
        attachment=True,
    )


@login_required
@require_POST
def feedback(request: HttpRequest, composition_id: int) -> HttpResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    form = FeedbackForm(request.POST)
    value = form.cleaned_data["feedback"] if form.is_valid() else None
    if value is None:
        return _refused(request, composition.entry_id, ValidationError(_("Choose like or dislike.")))
    if value == composition.feedback:
        value = ""  # pressing the same button again takes it back
    services.composition_feedback(composition=composition, value=value)
    if _wants_json(request):
        return JsonResponse({"id": composition.pk, "feedback": composition.feedback})
    messages.success(request, _("Thank you: noted.") if value else _("Your rating was removed."))
    return _back_to_entry(composition.entry_id)


@login_required
@require_POST
def delete(request: HttpRequest, composition_id: int) -> HttpResponse:
    composition = composition_get_visible_to(user=request.user, composition_id=composition_id)
    entry_id = composition.entry_id
    services.composition_delete(composition=composition)
    if _wants_json(request):
        return JsonResponse({"deleted": composition_id})
    messages.success(request, _("The piece was deleted."))
    return _back_to_entry(entry_id)
