"""Errors mapped once for the whole API (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Services refuse with Django's ValidationError and a sentence for the person (a form shows it
beside its field). Over the API the same refusal answers 400 in DRF's own shape: the messages per
field, or, for a refusal that names no field, under ``non_field_errors``. A view whose clients
have always read those under another key, or that answers 409, says so with ``refusal_class``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class Refused(serializers.ValidationError):
    """400: {field: [messages]}, or {key: [messages]} for a refusal that names no field."""

    key: str | None = None  # None: REST_FRAMEWORK's NON_FIELD_ERRORS_KEY

    def __init__(self, error: DjangoValidationError):
        detail = get_error_detail(error)
        if not isinstance(detail, dict):
            detail = {self.key or api_settings.NON_FIELD_ERRORS_KEY: detail}
        super().__init__(detail)


class RefusedUnderDetail(Refused):
    """400 as Refused, with a refusal that names no field under "detail" (a list of sentences)."""

    key = "detail"


class Conflict(APIException):
    """409: the thing is not in a state that allows this; the refusal's sentences as one ``detail``."""

    status_code = status.HTTP_409_CONFLICT

    def __init__(self, error: DjangoValidationError):
        super().__init__(" ".join(error.messages))


def exception_handler(exc: Exception, context: dict):
    if isinstance(exc, DjangoValidationError):
        exc = getattr(context.get("view"), "refusal_class", Refused)(exc)
    return drf_exception_handler(exc, context)
