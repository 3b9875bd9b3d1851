from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

BRAND_BLUE = "#004c99"


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(request.user.home_url())
    return render(request, "home.html")


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(public=True, max_age=60 * 60 * 24)
def favicon(request: HttpRequest) -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page says; the file lives with the static files."""
    path = finders.find("favicon.ico")
    if not path:  # after collectstatic without the source folder
        try:
            return FileResponse(staticfiles_storage.open("favicon.ico"), content_type="image/x-icon")
        except FileNotFoundError:
            raise Http404("No favicon.") from None
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 - FileResponse closes it


@require_GET
@cache_control(public=True, max_age=60 * 60)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: lets a phone add the site to its home screen, in the reader's language."""
    icons = [
        {"src": staticfiles_storage.url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": staticfiles_storage.url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": staticfiles_storage.url("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
    ]
    data = {
        "name": _("moodsite — my mood diary"),
        "short_name": "moodsite",
        "description": _("A private mood diary: write about your day, add a selfie, see how your mood goes."),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": BRAND_BLUE,
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
