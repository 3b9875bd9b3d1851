"""Activate the signed-in person's language and time zone for the request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        # override() puts the previous language back afterwards, so nothing leaks into whatever
        # runs next on this thread (another request, a test, an eager task).
        with timezone.override(user.zone), translation.override(user.language or translation.get_language()):
            if user.language:
                request.LANGUAGE_CODE = user.language
            return self.get_response(request)
