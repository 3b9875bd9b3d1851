"""The profile on the API, and API sign-in.

Sign-in (POST /api/v1/auth/token/) is the web login, not a copy of it: allauth's LoginForm checks
the password with allauth's rate limits (the same lockout per account and per client IP as the
web form, counted in the same place), then the same steps as allauth's login stages follow —
mandatory e-mail verification (the same message and e-mail as on the web) and, for accounts with
two-factor sign-in, the code from the authenticator app (allauth's MFA form and its lockout).
"""

from allauth.account import app_settings as account_settings
from allauth.account.forms import LoginForm
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.models import Login
from allauth.account.utils import has_verified_email
from allauth.core import ratelimit
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.tokens import api_token_issue

TOO_MANY_CODES = {"too_many_login_attempts"}


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["email", "display_name", "language", "time_zone", "birth_year", "role"]
        read_only_fields = ["email", "role"]


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person's own profile."""

    serializer_class = ProfileSerializer

    def get_object(self) -> User:
        return self.request.user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Your e-mail address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(
        max_length=64, required=False, allow_blank=True,
        help_text="For accounts with two-factor sign-in: the current code from the authenticator app "
                  "(or a recovery code).",
    )
    device = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="A name for this device, shown on the profile page (default: the User-Agent).",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    header = serializers.CharField()


def _refusal(errors: list, *, field: str = "detail") -> Response:
    """400 with the form's messages; 429 when the refusal is a lockout."""
    codes = {getattr(error, "code", None) for error in errors}
    messages = [message for error in errors for message in error.messages]
    code = status.HTTP_429_TOO_MANY_REQUESTS if codes & TOO_MANY_CODES else status.HTTP_400_BAD_REQUEST
    return Response({field: " ".join(messages) if field == "detail" else messages}, status=code)


def verification_sent_message() -> str:
    # The sentence of allauth's "verification sent" page, which the web login shows in this case.
    return _(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup "
        "process. If you do not see the verification email in your main inbox, check your spam folder. "
        "Please contact us if you do not receive the verification email within a few minutes."
    )


class TokenSignInView(APIView):
    """Sign in with e-mail and password (and code, with two-factor sign-in); returns a token for
    `Authorization: Token <key>` that expires after API_TOKEN_MAX_AGE seconds."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer, auth=[])
    def post(self, request):
        http_request = request._request
        # allauth's LoginView counts every attempt per IP ("login"); so does this.
        if not ratelimit.consume(http_request, action="login"):
            return Response(
                {"detail": _("Too many sign-in attempts from your network. Please wait a minute and try again.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = LoginForm(data={"login": data["username"], "password": data["password"]}, request=http_request)
        if not form.is_valid():
            return _refusal(form.errors.as_data().get("__all__", []) + form.errors.as_data().get("login", []))
        user, email = form.user, form.cleaned_data["login"]
        if (
            account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY
            and not has_verified_email(user, email)
        ):
            send_verification_email_at_login(http_request, Login(user=user, email=email))
            return Response({"detail": verification_sent_message()}, status=status.HTTP_403_FORBIDDEN)
        if is_mfa_enabled(user):
            if not data.get("code"):
                return Response(
                    {"code": [_("This account uses two-factor sign-in. "
                                "Send the current code from your authenticator app as \"code\".")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            second = AuthenticateForm(user=user, data={"code": data["code"]})
            if not second.is_valid():
                return _refusal(second.errors.as_data().get("code", []), field="code")
        device = data.get("device") or http_request.headers.get("User-Agent", "")
        token, key = api_token_issue(user=user, device=device)
        return Response({"token": key, "expires_at": token.expires_at, "header": f"Token {key}"})
