from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from diary.selectors import entry_get_visible_to
from music import matching, services
from music.forms import PreferencesForm
from music.links import youtube_embed_url
from music.models import Feedback, Recommendation, RecommendationSet, Track
from music.reasons import TARGET_LABELS


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return fallback


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My music: what I liked, my recent listening sessions, my preferences."""
    liked_ids = services.listener_for(user=request.user).liked_tracks
    liked = Track.objects.filter(pk__in=liked_ids, is_active=True).order_by("artist", "title")
    sessions = (
        RecommendationSet.objects.filter(owner=request.user, strategy="lift", entry__isnull=False)
        .select_related("entry").order_by("-created_at")[:10]
    )
    return render(request, "music/home.html", {
        "liked": liked, "sessions": sessions, "preference": services.preference_get(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    languages, genres = services.catalogue_choices()
    current = services.preference_get(user=request.user)
    # Keep choices the person made earlier even if the catalogue no longer has them.
    languages = sorted(set(languages) | set(current.languages or ()))
    genres = sorted(set(genres) | set(current.genres or ()))
    # (Not `request.POST or None`: unticking every box posts nothing, and must still save.)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, languages=languages, genres=genres,
        initial={"languages": current.languages, "genres": current.genres, "match_sadness": current.match_sadness},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, languages=form.cleaned_data["languages"],
                                genres=form.cleaned_data["genres"], match_sadness=form.cleaned_data["match_sadness"])
        messages.success(request, _("Your music preferences were saved."))
        return redirect("music:preferences")
    return render(request, "music/preferences.html", {"form": form})


def _step_url(entry_id: int, target: str, step: int, *, play: bool = False) -> str:
    url = reverse("music:session", args=[entry_id, target]) + f"?step={step}"
    return url + ("&play=1" if play else "") + f"#step-{step}"


@login_required
def session(request: HttpRequest, entry_id: int, target: str) -> HttpResponse:
    """A lift session (iso principle): tracks in order, from the entry's mood towards the target."""
    if target not in matching.TARGETS:
        raise Http404("No such target.")
    entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
    fresh = request.GET.get("fresh") == "1"
    recommendation_set = services.recommendations_get(entry=entry, strategy="lift", target=target, fresh=fresh)
    if fresh:
        return redirect(_step_url(entry.pk, target, 0))
    items = services.recommendation_items(recommendation_set)
    try:
        step = min(max(int(request.GET.get("step", 0)), 0), max(len(items) - 1, 0))
    except ValueError:
        step = 0
    playing = request.GET.get("play") == "1"
    steps = []
    for index, item in enumerate(items):
        steps.append({
            "index": index,
            "number": index + 1,
            "item": item,
            "embed_url": youtube_embed_url(item.track.youtube_url, autoplay=playing and index == step),
            "here": _step_url(entry.pk, target, index),
            "play_url": _step_url(entry.pk, target, index, play=True),
            "next": _step_url(entry.pk, target, min(index + 1, len(items) - 1)),
            "current": index == step,
        })
    return render(request, "music/session.html", {
        "entry": entry, "target": target, "target_label": TARGET_LABELS[target], "steps": steps,
        "current": steps[step] if steps else None, "playing": playing, "has_next": step + 1 < len(items),
        "has_previous": step > 0, "recommendation_set": recommendation_set,
        "mood_known": recommendation_set is not None, "targets": TARGET_LABELS,
    })


@login_required
@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """Like, skip or dislike (or play) a track, from an entry page or a session."""
    track_id = request.POST.get("track", "")
    if not track_id.isdigit():
        raise Http404("No such track.")
    track = get_object_or_404(Track, pk=int(track_id))
    entry = None
    if request.POST.get("entry"):
        entry = entry_get_visible_to(user=request.user, entry_id=request.POST["entry"])
    try:
        services.feedback_record(user=request.user, track=track, action=request.POST.get("action", ""), entry=entry)
    except (ValidationError, PermissionDenied):
        messages.error(request, _("That could not be recorded."))
    else:
        done = {"like": _("Noted: you like “%(title)s”."), "skip": _("Skipped “%(title)s”."),
                "dislike": _("Noted: we will offer “%(title)s” less."), "play": _("Playing “%(title)s”.")}
        messages.success(request, done[request.POST["action"]] % {"title": track.title})
    fallback = reverse("diary:entry_detail", args=[entry.pk]) if entry else reverse("music:home")
    return redirect(_safe_next(request, fallback))


@login_required
@require_POST
def play(request: HttpRequest, item_id: int) -> HttpResponse:
    """Record that an offered track is played, then open it (our player or its external page)."""
    item = get_object_or_404(
        Recommendation.objects.select_related("track", "recommendation_set"),
        pk=item_id, recommendation_set__owner=request.user,
    )
    try:
        services.feedback_record(user=request.user, track=item.track, action=Feedback.Action.PLAY,
                                 entry=item.recommendation_set.entry)
    except ValidationError:  # the track left the catalogue since it was offered
        messages.error(request, _("This track is no longer in the catalogue."))
        return redirect(_safe_next(request, reverse("music:home")))
    if request.POST.get("next"):
        return redirect(_safe_next(request, reverse("music:home")))
    url = item.track.listen_url
    if item.track.audio:
        url = reverse("music:track_audio", args=[item.track.pk])
    if not url:
        raise Http404("This track has no link.")
    return HttpResponseRedirect(url)


@login_required
def track_audio(request: HttpRequest, track_id: int) -> FileResponse:
    """A catalogue track's audio file (kept in private storage) for signed-in listeners."""
    track = get_object_or_404(Track, pk=track_id, is_active=True)
    if not track.audio:
        raise Http404("No audio file.")
    try:
        handle = track.audio.storage.open(track.audio.name, "rb")
    except FileNotFoundError:
        raise Http404("No audio file.") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    return response
