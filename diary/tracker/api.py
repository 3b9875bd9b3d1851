"""GET /api/v1/mood/summary/ — the series every tracker chart draws, for the signed-in person."""

import datetime

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diary.services import today_for
from diary.tracker.cache import summary_cached
from diary.tracker.moods import PREFERENCES
from diary.tracker.ranges import DateRange, RangeError, parse_date, validate_granularity
from diary.tracker.selectors import tracker_preference_get
from diary.tracker.summary import summary_as_json

DEFAULT_DAYS = 30


def _bad_request(message: str, field: str) -> Response:
    return Response({"detail": message, "field": field}, status=400)


class MoodSummaryAPIView(APIView):
    """Daily series (valence, 7-day rolling mean, the mood that colours the day and its source:
    "self" = the person's choice, "ai" = read automatically), series by day/week/month,
    weekday means, streaks, AI agreement and plain-language insights.

    Without from/to: the 30 days up to today in the person's time zone. Only ever the signed-in
    person's own entries.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD), inclusive."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD), inclusive."),
            OpenApiParameter("granularity", OpenApiTypes.STR, enum=["day", "week", "month"],
                             description="Size of the periods in `periods`; default depends on the range."),
            OpenApiParameter("prefer", OpenApiTypes.STR, enum=list(PREFERENCES),
                             description="Whose reading comes first; default: the person's setting "
                                         "(their own choice first unless they chose otherwise)."),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        today = today_for(request.user)
        params = request.query_params
        try:
            end = parse_date(params.get("to"), "to") or today
            start = parse_date(params.get("from"), "from") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
            date_range = DateRange(start, end)
            granularity = validate_granularity(params.get("granularity"), date_range)
        except RangeError as error:
            return _bad_request(str(error), error.field)
        prefer = params.get("prefer") or tracker_preference_get(user=request.user)
        if prefer not in PREFERENCES:
            return _bad_request(_("prefer must be “ai” or “self” (not “%(value)s”).") % {"value": prefer[:20]},
                                "prefer")
        summary = summary_cached(user=request.user, date_range=date_range, granularity=granularity,
                                 prefer=prefer, today=today)
        return Response(summary_as_json(summary))
