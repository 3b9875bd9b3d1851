"""The site's public address, for e-mails (which have no request to build links from)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL.rstrip("/") + "/"


@register.filter
def in_fours(value: str) -> str:
    """ "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": a key that a person has to type, in groups."""
    text = str(value)
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@register.filter(name="zone_label")
def zone_label_filter(name: str) -> str:
    """ "Asia/Seoul" -> "Korea (Seoul)" / "한국 (서울)": the name people know."""
    from accounts.timezones import zone_label

    return zone_label(str(name))
