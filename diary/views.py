from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from diary import services
from diary.forms import EntryForm
from diary.selectors import entry_get_visible_to, entry_list_visible_to
from diary.tracker.moods import SOURCE_LABELS, mood_emotion, mood_source
from moodsite.emotions import EMOTION_LABELS

ENTRIES_PER_PAGE = 10


def _after_save(entry) -> HttpResponse:
    """The entry's page; first the crisis help page when its words speak of dying or self-harm."""
    from diary.wellbeing.selectors import entry_help_level

    detail = reverse("diary:entry_detail", args=[entry.pk])
    if entry_help_level(entry=entry) == "clear":
        return redirect(f"{reverse('wellbeing:help')}?next={detail}")
    return redirect(detail)


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    # Each entry's mood by the one rule (the person's own choice first), so the list says where it came from.
    entries = entry_list_visible_to(user=request.user).annotate(mood=mood_emotion(), mood_source=mood_source())
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.mood_label = EMOTION_LABELS.get(entry.mood, "")
        entry.mood_source_label = SOURCE_LABELS.get(entry.mood_source, "")
    return render(request, "diary/entry_list.html", {"page": page})


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
    return render(request, "diary/entry_detail.html", {"entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None, request.FILES or None,
                     initial={"day": services.today_for(request.user)}, owner=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.entry_create(
                owner=request.user, day=data["day"], text=data["text"],
                photo=data["photo"], self_mood=data["self_mood"],
                self_mood_strength=data["self_mood_strength"],
            )
        except services.EmptyEntry as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your entry was saved."))
            return _after_save(entry)
    return render(request, "diary/entry_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
    initial = {"day": entry.day, "text": entry.text, "self_mood": entry.self_mood,
               "self_mood_strength": entry.self_mood_strength}
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial, entry=entry,
                     owner=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data["photo"] or (None if data.get("remove_photo") else services.KEEP_PHOTO)
        try:
            services.entry_update(
                entry=entry, day=data["day"], text=data["text"], photo=photo, self_mood=data["self_mood"],
                self_mood_strength=data["self_mood_strength"],
            )
        except services.EmptyEntry as error:
            entry.refresh_from_db()  # nothing was saved; show the entry as it still is
            form.add_error(None, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return _after_save(entry)
    return render(request, "diary/entry_form.html", {"form": form, "entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(request, _("The entry was deleted."))
        return redirect("diary:entry_list")
    return render(request, "diary/entry_confirm_delete.html", {"entry": entry})


def _private_file(field) -> FileResponse:
    if not field or not field.name:
        raise Http404("No photo.")
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("No photo.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    return response


@login_required
def entry_photo(request: HttpRequest, entry_id: int) -> FileResponse:
    return _private_file(entry_get_visible_to(user=request.user, entry_id=entry_id).photo)


@login_required
def entry_thumbnail(request: HttpRequest, entry_id: int) -> FileResponse:
    return _private_file(entry_get_visible_to(user=request.user, entry_id=entry_id).thumbnail)
