"""Korean date and time formats: Django's, with the time in Korean order ("오후 9:45", not
"9:45 오후") and the day of the week, which older readers look for first."""

from django.conf.locale.ko.formats import *  # noqa: F403

DATE_FORMAT = "Y년 n월 j일 (D)"
DATETIME_FORMAT = "Y년 n월 j일 A g:i"
SHORT_DATETIME_FORMAT = "Y. n. j. A g:i"
SHORT_DATE_FORMAT = "Y. n. j."
TIME_FORMAT = "A g:i"
