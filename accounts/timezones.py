"""A short list of time zones, named the way people say them, instead of 599 raw IANA names.

Anyone elsewhere can still type and search any zone (the profile form offers the full list as
suggestions). The browser's own zone is taken at sign-up.
"""

import zoneinfo
from functools import cache

from django.utils.translation import gettext_lazy as _

COMMON_ZONES = [
    ("Asia/Seoul", _("Korea (Seoul)")),
    ("Asia/Tokyo", _("Japan (Tokyo)")),
    ("Asia/Shanghai", _("China (Beijing, Shanghai)")),
    ("Asia/Taipei", _("Taiwan (Taipei)")),
    ("Asia/Hong_Kong", _("Hong Kong")),
    ("Asia/Manila", _("Philippines (Manila)")),
    ("Asia/Ho_Chi_Minh", _("Vietnam (Ho Chi Minh City)")),
    ("Asia/Bangkok", _("Thailand (Bangkok)")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Kolkata", _("India")),
    ("Asia/Dubai", _("United Arab Emirates (Dubai)")),
    ("Europe/London", _("United Kingdom (London)")),
    ("Europe/Paris", _("France (Paris)")),
    ("Europe/Berlin", _("Germany (Berlin)")),
    ("Europe/Moscow", _("Russia (Moscow)")),
    ("America/New_York", _("United States, east (New York)")),
    ("America/Chicago", _("United States, centre (Chicago)")),
    ("America/Denver", _("United States, mountains (Denver)")),
    ("America/Los_Angeles", _("United States, west (Los Angeles)")),
    ("America/Anchorage", _("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii (Honolulu)")),
    ("America/Toronto", _("Canada, east (Toronto)")),
    ("America/Vancouver", _("Canada, west (Vancouver)")),
    ("America/Sao_Paulo", _("Brazil (São Paulo)")),
    ("Australia/Sydney", _("Australia, east (Sydney)")),
    ("Pacific/Auckland", _("New Zealand (Auckland)")),
    ("UTC", _("Coordinated Universal Time (UTC)")),
]


@cache
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def valid_zone(name: str) -> bool:
    return bool(name) and name in all_zones()


def zone_label(name: str) -> str:
    for code, label in COMMON_ZONES:
        if code == name:
            return str(label)
    return name.replace("_", " ")
