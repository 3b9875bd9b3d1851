"""Response headers that protect diary data, set once for the whole site."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

PRIVATE = "private, no-store"


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person and on every API
    response: pages, JSON, photos, audio and exports carry health data that no shared cache,
    proxy or browser back-button cache should keep. A view that sets its own Cache-Control (a
    catalogue track, which is not anybody's data) keeps it. Static files never get here
    (whitenoise answers them first) and keep their long cache lifetimes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = PRIVATE
        return response


class HtmlGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for HTML and JSON pages, except those that show a secret.

    BREACH needs three things in one compressed response: a secret, text an attacker can make the
    page reflect, and many authenticated requests whose sizes they can watch. Here: the CSRF token
    is masked afresh in every response (Django), so it is no steady secret; Django's gzip adds a
    random-length filename to each response ("Heal the Breach", Django >= 4.2), multiplying the
    requests an attack needs; the session cookie is SameSite=Lax, so another site's page cannot
    make the browser send signed-in sub-requests (the many requests BREACH needs); and cookies
    travel in headers, which gzip leaves alone. Pages whose whole point is a secret - two-factor
    set-up and recovery codes, API tokens (settings.GZIP_EXCLUDED_PATHS) - are sent uncompressed
    all the same: no length measurement can reveal what is not compressed. Static files are
    compressed ahead of time by whitenoise and never get here.
    """

    COMPRESSIBLE = ("text/html", "application/json")

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        if request.path.startswith(tuple(settings.GZIP_EXCLUDED_PATHS)):
            return response
        return super().process_response(request, response)
