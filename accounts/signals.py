"""Signal receivers (imported by AccountsConfig.ready)."""

from urllib.parse import urlsplit

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, sender=apps.get_app_config("accounts"), dispatch_uid="accounts.sync_site")
def sync_site(sender=None, using: str = "default", **kwargs) -> None:
    """Keep the Sites framework's row equal to SITE_NAME and SITE_URL's host.

    allauth takes the sender name and the links' domain from it; without it e-mails came from
    "127.0.0.1:8000". Runs after every migrate (after django.contrib.sites made its example.com).
    """
    from django.conf import settings
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()
