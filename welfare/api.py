"""Welfare API for caseworkers, with the same rules as the web pages.

A client's id here is the id of their link (consent) to the caseworker's centre. Every endpoint
needs a caseworker with two-factor sign-in (see welfare.security): a session in which a TOTP code
was entered, or `Authorization: Welfare <token>` from POST /api/v1/welfare/token/. Plain API
tokens are refused. Clients who are not visible (withdrawn, another centre, not assigned to you)
answer 404, like clients that do not exist.
"""

from allauth.core import ratelimit
from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens import ApiTokenAuthentication
from moodsite.exception_handlers import Conflict
from welfare import dashboard, selectors, services
from welfare.charts import TREND_RANGES, chart_payload, client_trend, trend_range
from welfare.models import AccessLog, Alert
from welfare.security import (
    TOTP_ACTION,
    AuditRefusalsMixin,
    CaseworkerWithMFA,
    WelfareTokenAuthentication,
    totp_authenticator,
    totp_code_valid,
    totp_guess_key,
    welfare_token_issue,
)

AUTHENTICATION = [
    WelfareTokenAuthentication,
    authentication.SessionAuthentication,
    # Accepted only so that a plain token gets a clear 403 explaining what to use, not a bare 401.
    ApiTokenAuthentication,
]


class WelfareTokenScheme(OpenApiAuthenticationExtension):
    """Describes `Authorization: Welfare <token>` in the OpenAPI schema."""

    target_class = "welfare.security.WelfareTokenAuthentication"
    name = "welfareToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Welfare <token>`, from POST /api/v1/welfare/token/ with a current TOTP code.",
        }



class AlertSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "status",
            "reason",
            "evidence",
            "opened_at",
            "acknowledged_at",
            "resolved_at",
            "resolution_note",
            "resolved_automatically",
        ]
        read_only_fields = fields


class ClientSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="consent.pk")
    name = serializers.CharField(source="client.name")
    organisation = serializers.CharField(source="consent.organisation.name")
    shares_text = serializers.BooleanField(source="consent.share_text")
    latest_emotion = serializers.CharField(help_text="The latest entry's mood (the one mood rule); empty: not read.")
    latest_mood_source = serializers.CharField(
        source="latest_source", help_text="self = the member's choice, ai = read automatically.")
    window_from = serializers.SerializerMethodField(help_text="First day of the window of every recent figure.")
    window_to = serializers.SerializerMethodField(help_text="Last day of that window (today, client's time zone).")
    moods_7_days = serializers.IntegerField(source="stats.recent_mood_entries")
    negative_7_days = serializers.IntegerField(source="stats.recent_negative")
    own_choice_7_days = serializers.IntegerField(source="stats.recent_own")
    latest_entry_day = serializers.DateField(source="latest_day", allow_null=True)
    days_since_last_entry = serializers.IntegerField(allow_null=True)
    mean_valence_7_days = serializers.FloatField(source="stats.recent_mean", allow_null=True)
    baseline_mean_valence = serializers.FloatField(source="stats.baseline_mean", allow_null=True)
    baseline_sd = serializers.FloatField(source="stats.baseline_sd", allow_null=True)
    change_from_baseline = serializers.FloatField(source="change", allow_null=True)
    change_in_sd = serializers.FloatField(source="change_sd", allow_null=True)
    risk = serializers.CharField(
        source="risk_label", help_text="From the figures alone, by the alert rules; alert status is separate.")
    sparkline_7_days = serializers.SerializerMethodField()
    sparkline_30_days = serializers.SerializerMethodField()
    unresolved_alerts = AlertSerializer(source="alerts", many=True)

    def get_window_from(self, row) -> str:
        return row.window[0].isoformat()

    def get_window_to(self, row) -> str:
        return row.window[1].isoformat()

    def get_sparkline_7_days(self, row) -> list[float | None]:
        return [None if v is None else round(v, 3) for v in row.series[7]]

    def get_sparkline_30_days(self, row) -> list[float | None]:
        return [None if v is None else round(v, 3) for v in row.series[30]]


class ClientListView(AuditRefusalsMixin, APIView):
    """Your clients with their figures, riskiest first (`?risk=high|medium|low`, `?sort=...`)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [CaseworkerWithMFA]

    @extend_schema(
        parameters=[
            OpenApiParameter("risk", str, enum=["high", "medium", "low"]),
            OpenApiParameter("sort", str, enum=["risk", "name", "last_entry", "change"]),
        ],
        responses=ClientSummarySerializer(many=True),
    )
    def get(self, request):
        # The cached order (welfare.dashboard), as the page uses: only this page's rows are built.
        load = dashboard.caseload(
            user=request.user,
            risk=request.query_params.get("risk", ""),
            sort=request.query_params.get("sort", "risk"),
        )
        paginator = PageNumberPagination()
        rows = load.rows(list(paginator.paginate_queryset(load.order, request, view=self)))
        services.access_record(
            viewer=request.user, consents=[row.consent for row in rows], action=AccessLog.Action.API_LIST
        )
        return paginator.get_paginated_response(ClientSummarySerializer(rows, many=True).data)


class TrendDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    entries = serializers.IntegerField()
    mean_valence = serializers.FloatField(allow_null=True)
    emotions = serializers.DictField(child=serializers.IntegerField())
    own = serializers.IntegerField(help_text="Entries whose mood was the member's own choice.")


class ClientTrendView(AuditRefusalsMixin, APIView):
    """Daily aggregates for one client (`?days=30|90|365`): never entry text or photos."""

    authentication_classes = AUTHENTICATION
    permission_classes = [CaseworkerWithMFA]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, enum=list(TREND_RANGES))],
        responses=TrendDaySerializer(many=True),
    )
    def get(self, request, client_id: int):
        consent = selectors.consent_get_visible_to(user=request.user, consent_id=client_id)
        days = client_trend(consent=consent, days=trend_range(request.query_params.get("days")))
        services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.API_TREND)
        payload = chart_payload(days)
        return Response(
            {
                "id": consent.pk,
                "days": TrendDaySerializer(days, many=True).data,
                "rolling_mean_7_days": payload["rolling"],
                "weeks": payload["weeks"],
            }
        )


class AlertAcknowledgeView(AuditRefusalsMixin, APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [CaseworkerWithMFA]
    refusal_class = Conflict  # an alert already resolved: 409 {"detail": "..."}

    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request, alert_id: int):
        alert = selectors.alert_get_visible_to(user=request.user, alert_id=alert_id)
        alert = services.alert_acknowledge(alert=alert, by=request.user)
        return Response(AlertSerializer(alert).data)


class WelfareTokenRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The current code from your authenticator app.")


class WelfareTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_in = serializers.IntegerField()
    header = serializers.CharField()


class WelfareTokenView(AuditRefusalsMixin, APIView):
    """Exchange your sign-in (session or API token) and a TOTP code for a welfare token."""

    authentication_classes = [authentication.SessionAuthentication, ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=WelfareTokenRequestSerializer, responses=WelfareTokenSerializer)
    def post(self, request):
        if not request.user.is_caseworker:
            self.permission_denied_logged()
            return Response(
                {"detail": _("Only caseworkers can have a welfare token.")}, status=status.HTTP_403_FORBIDDEN
            )
        serializer = WelfareTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = totp_guess_key(request.user)
        # allauth's lockout for wrong codes (5 per 5 minutes per account), shared with the web form.
        if not ratelimit.consume(request._request, action=TOTP_ACTION, key=key):
            return Response(
                {"detail": _("Too many wrong codes. Please wait 5 minutes and try again.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        authenticator = totp_code_valid(user=request.user, code=serializer.validated_data["code"])
        if authenticator is None:
            detail = (
                _("That code is not right or was already used. Enter the current code from your app.")
                if totp_authenticator(request.user)
                else _("Set up two-factor sign-in on the website first (Profile → Two-factor sign-in).")
            )
            return Response({"code": [detail]}, status=status.HTTP_400_BAD_REQUEST)
        ratelimit.clear(request._request, action=TOTP_ACTION, key=key)
        token = welfare_token_issue(user=request.user, authenticator=authenticator)
        return Response(
            {
                "token": token,
                "expires_in": settings.WELFARE_API_TOKEN_MAX_AGE,
                "header": f"Welfare {token}",
            }
        )
