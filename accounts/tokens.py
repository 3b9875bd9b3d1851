"""API tokens: issued at sign-in (accounts.api), checked on every request (ApiTokenAuthentication),
listed and revoked on the profile page."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User

# Touch last_used_at at most this often: a phone polling the API must not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one device; returns the row and the key (shown once, never stored)."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        key_digest=_digest(key),
        prefix=key[:8],
        device=device[:200],
        expires_at=timezone.now() + datetime.timedelta(seconds=settings.API_TOKEN_MAX_AGE),
    )
    return token, key


def api_token_list_of(*, user: User) -> QuerySet[ApiToken]:
    """The person's signed-in devices that can still use the API."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Sign one device out. Someone else's token answers 404, like one that does not exist."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404("No such device.")


def api_token_revoke_all(*, user: User) -> int:
    return ApiToken.objects.filter(user=user).delete()[0]


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with a token from POST /api/v1/auth/token/, until it expires."""

    model = ApiToken

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(key_digest=_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token. Sign in again at POST /api/v1/auth/token/."))
        now = timezone.now()
        if token.expires_at <= now:
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("This token has expired. Sign in again at POST /api/v1/auth/token/.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is not active."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
