"""`manage.py check --deploy` warns when the login lockout would count the proxy's address."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def client_ip_behind_proxy(app_configs, **kwargs) -> list[Warning]:
    trusts_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    configured = settings.ALLAUTH_TRUSTED_PROXY_COUNT > 0 or settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    if trusts_proxy and not configured:
        return [Warning(
            "The site trusts a proxy's X-Forwarded-Proto but not its client address: the login lockout "
            "counts every visitor as the proxy, so one person guessing passwords locks everybody out.",
            hint="Set ALLAUTH_TRUSTED_PROXY_COUNT (1 for one nginx) or ALLAUTH_TRUSTED_CLIENT_IP_HEADER. See README.",
            id="accounts.W001",
        )]
    return []
