"""Two-factor sign-in for caseworkers, on the web and on the API.

Web: a caseworker's session must show a second factor (allauth records each sign-in step in the
session; we need an "mfa" step, i.e. a TOTP code or a recovery code entered in this session),
and the account must have an active TOTP authenticator. Without TOTP they are sent to set it up;
with TOTP but a session signed in by password alone, they are asked for a code.

API: a session is held to the same rule. A plain API token (DRF's Token) is only a password
equivalent, so welfare endpoints refuse it. Instead a caseworker exchanges their first factor
(session or token) plus a current TOTP code for a welfare token at POST /api/v1/welfare/token/:
a signed token, valid for WELFARE_API_TOKEN_MAX_AGE seconds, bound to that TOTP authenticator and
to the password — turning two-factor off or changing the password ends it at once.
"""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions, permissions

from accounts.models import User
from welfare.models import RefusedAccess

SECOND_FACTORS = {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
NO_TOTP = "no_totp"
NOT_VERIFIED = "not_verified"
TOKEN_SALT = "welfare.api-token"  # noqa: S105 - a signing namespace, not a secret


def totp_authenticator(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def session_used_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "mfa" and r.get("type") in SECOND_FACTORS for r in records)


def mfa_problem(request: HttpRequest) -> str | None:
    """None when the signed-in caseworker may see client data in this session."""
    if totp_authenticator(request.user) is None:
        return NO_TOTP
    if not session_used_second_factor(request):
        return NOT_VERIFIED
    return None


def caseworker_required(view):
    """Signed in, a caseworker, with two-factor sign-in set up and used in this session."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_caseworker:
            _refused(request, RefusedAccess.Reason.NOT_CASEWORKER)
            return render(request, "welfare/caseworkers_only.html", status=403)
        problem = mfa_problem(request)
        if problem is not None:
            _refused(request, RefusedAccess.Reason.NO_SECOND_FACTOR)
        if problem == NO_TOTP:
            # First time: the guided set-up, starting with what an authenticator app is.
            return redirect("welfare:two_factor_start")
        if problem == NOT_VERIFIED:
            messages.info(
                request,
                _("Client information needs two-factor sign-in. Please enter the code from your authenticator app."),
            )
            back = request.get_full_path() if request.method == "GET" else reverse("welfare:dashboard")
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")
        try:
            return view(request, *args, **kwargs)
        except Http404:
            # A client or alert the caseworker may not see (or that does not exist: the same 404).
            _refused(request, RefusedAccess.Reason.NOT_VISIBLE)
            raise

    return wrapped


def _refused(request: HttpRequest, reason: str) -> None:
    from welfare.services import refusal_record

    refusal_record(user=request.user, reason=reason, method=request.method or "", path=request.path)


class AuditRefusalsMixin:
    """For welfare API views: refused attempts go to the same oversight log as on the web."""

    def permission_denied(self, request, message=None, code=None):
        user = request.user
        if user and user.is_authenticated:
            reasons = RefusedAccess.Reason
            _refused(request._request, reasons.NO_SECOND_FACTOR if user.is_caseworker else reasons.NOT_CASEWORKER)
        return super().permission_denied(request, message=message, code=code)

    def permission_denied_logged(self) -> None:
        """Record a refusal that the view answers itself (with its own message)."""
        _refused(self.request._request, RefusedAccess.Reason.NOT_CASEWORKER)

    def handle_exception(self, exc):
        if isinstance(exc, (Http404, exceptions.NotFound)):
            _refused(self.request._request, RefusedAccess.Reason.NOT_VISIBLE)
        return super().handle_exception(exc)


# --- Guessing (link codes, TOTP codes on the API) ------------------------------------------------
# Counted by allauth's rate limits (ACCOUNT_RATE_LIMITS), the one mechanism that also guards the
# web and API sign-in: allauth.core.ratelimit.consume(...) before each guess, clear(...) after a
# right one.
LINK_CODE_ACTION = "welfare_link_code"
TOTP_ACTION = "login_failed"


def link_code_key(user: User) -> str:
    return f"welfare-link-code-user-{user.pk}"


def totp_guess_key(user: User) -> str:
    """The key allauth.mfa counts wrong codes under, so that wrong codes on the API and on the web
    lock the same account (5 per 5 minutes, ACCOUNT_RATE_LIMITS["login_failed"])."""
    return f"mfa-auth-user-{user.pk}"


# --- The API ------------------------------------------------------------------------------------


def welfare_token_issue(*, user: User, authenticator: Authenticator) -> str:
    payload = {"u": user.pk, "a": authenticator.pk, "h": user.get_session_auth_hash()[:20]}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def totp_code_valid(*, user: User, code: str) -> Authenticator | None:
    authenticator = totp_authenticator(user)
    if authenticator is None or not code:
        return None
    return authenticator if authenticator.wrap().validate_code(code) else None


class WelfareTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Welfare <token>` — a token minted after a TOTP code (see module docstring)."""

    keyword = "Welfare"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid welfare token header."))
        try:
            payload = signing.loads(header[1].decode(), salt=TOKEN_SALT, max_age=settings.WELFARE_API_TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            raise exceptions.AuthenticationFailed(
                _("This welfare token has expired. Ask for a new one with a code from your authenticator app.")
            ) from None
        except (signing.BadSignature, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed(_("Invalid welfare token.")) from None
        user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
        if (
            user is None
            or user.get_session_auth_hash()[:20] != payload.get("h")
            or not Authenticator.objects.filter(pk=payload.get("a"), user=user, type=Authenticator.Type.TOTP).exists()
        ):
            raise exceptions.AuthenticationFailed(_("This welfare token is no longer valid."))
        return user, {"welfare_mfa": True}

    def authenticate_header(self, request) -> str:
        return self.keyword


class CaseworkerWithMFA(permissions.BasePermission):
    message = gettext_lazy(
        "Welfare data needs a caseworker account and two-factor sign-in: use a session signed in with "
        "your authenticator code, or a welfare token from POST /api/v1/welfare/token/."
    )

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_caseworker):
            return False
        if isinstance(request.auth, dict) and request.auth.get("welfare_mfa"):
            return True
        if isinstance(request.successful_authenticator, authentication.SessionAuthentication):
            return mfa_problem(request._request) is None
        return False  # a plain API token: one factor only
