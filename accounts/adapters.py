import time

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """New people sign up as members and keep the language they signed up in; caseworkers land on
    their dashboard; a caseworker with an authenticator is never offered "use your password" to
    prove it is them again (that proves only one factor, and the dashboard then asked for the code
    again: a loop)."""

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or ""
        user.language = "ko" if language.startswith("ko") else "en"
        zone = getattr(form, "cleaned_data", {}).get("time_zone", "")
        if zone:  # the browser's own zone, checked by accounts.forms.SignupForm
            user.time_zone = zone
        if commit:
            user.save()
        return user

    def add_message(self, request: HttpRequest, *args, **kwargs) -> None:
        # "Signed in as …" is written while the request still ran in the browser's language; the
        # next page is in the person's own.
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        with translation.override(language or translation.get_language()):
            super().add_message(request, *args, **kwargs)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return request.user.home_url()

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in a few minutes ago counts as proof, as a re-entered password would.

        allauth counts only re-authentications, so a caseworker who had just signed in was asked
        for the password again before the QR code. The window is allauth's own
        ACCOUNT_REAUTHENTICATION_TIMEOUT (5 minutes).
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        from allauth.account import app_settings
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context

        request = context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        latest = max((record.get("at", 0) for record in records), default=0)
        return time.time() - latest >= app_settings.REAUTHENTICATION_TIMEOUT

    def get_reauthentication_methods(self, user) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        if getattr(user, "is_caseworker", False) and any(m["id"].startswith("mfa_") for m in methods):
            methods = [m for m in methods if m["id"] != "reauthenticate"]
        return methods
