"""When the object store holding photos and audio does not answer, the person gets a page that says
so and what to do (503), not a 500: whichever view was reading, saving or deleting a file."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from diary.storage import storage_unavailable_errors
from moodsite.middleware import PRIVATE

logger = logging.getLogger(__name__)


def store_unavailable_message() -> str:
    return _("Photos and music are kept on a storage server that is not answering just now, so this could "
             "not be done. Nothing was changed. Please try again in a few minutes.")


class StorageUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        errors = storage_unavailable_errors()
        if not errors or not isinstance(exception, errors):
            return None
        logger.error("The object store did not answer (%s %s): %r", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": store_unavailable_message()}, status=503)
        else:
            response = render(request, "store_unavailable.html", {"message": store_unavailable_message()},
                              status=503)
        response["Retry-After"] = "60"
        # Also for a visitor who is not signed in, whom PrivateCacheMiddleware would leave alone.
        response["Cache-Control"] = PRIVATE
        return response
