"""Response headers that protect diary data, set once for the whole site."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
