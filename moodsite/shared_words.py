"""Words that several catalogues translate, kept in the project's own catalogue (locale/), which
Django consults first: otherwise the first installed app that has the word wins, and
django-celery-beat's "Name" ("태스크 이름") and "Day" ("일") showed on our pages.

Listed here only so that `makemessages` keeps them in locale/ko; nothing imports this module.
"""

from django.utils.translation import gettext_noop

SHARED_WORDS = [
    gettext_noop("Name"),
    gettext_noop("Day"),
    gettext_noop("All"),
    gettext_noop("version"),
    gettext_noop("Delete"),
    gettext_noop("Entries"),
    gettext_noop("Mood over time"),
    gettext_noop("Not for me"),
    gettext_noop("Continue"),
    gettext_noop("text"),
]
