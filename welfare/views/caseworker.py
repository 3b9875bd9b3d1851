"""The caseworker's side. Every view is behind caseworker_required (two-factor sign-in), reads
through welfare.selectors, and writes what it showed to the access log."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inference.emotions import EMOTION_LABELS
from welfare import rules, selectors, services
from welfare.charts import TREND_RANGES, chart_payload, client_trend, trend_range
from welfare.forms import CaseNoteForm, ResolveAlertForm
from welfare.models import AccessLog
from welfare.security import caseworker_required
from welfare.sparklines import sparkline
from welfare.stats import mood_stats

ENTRIES_PER_PAGE = 10
PLACEHOLDER_ID = 987654321


@dataclass(frozen=True)
class DashboardLine:
    """One table row, as text ready to print: the dashboard has 300 of them, and computing the
    words here keeps the template to a handful of lookups per row."""

    risk: str
    risk_text: str
    name: str
    url: str
    latest: str
    spark7: SafeString
    spark30: SafeString
    change: SafeString
    days: str
    alerts: SafeString


def dashboard_lines(rows: list[selectors.ClientSummary]) -> list[DashboardLine]:
    risk_text = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}
    no_entries, not_enough, acknowledged = _("no entries"), _("not enough entries"), _("acknowledged")
    # One reverse() for the page instead of one per row (a measurable share of a 300-row page).
    url = reverse("welfare:client_detail", args=[PLACEHOLDER_ID]).replace(str(PLACEHOLDER_ID), "{}")
    emotions = {name: str(label) for name, label in EMOTION_LABELS.items()}
    lines = []
    for row in rows:
        alerts = [
            (
                alert.status,
                alert.get_kind_display() + (f" ({acknowledged})" if alert.status != "open" else ""),
            )
            for alert in row.alerts
        ]
        lines.append(
            DashboardLine(
                risk=row.risk_label,
                risk_text=risk_text[row.risk_label],
                name=row.client.name,
                url=url.format(row.consent.pk),
                latest=emotions.get(row.latest_emotion, "—"),
                spark7=sparkline(row.series[7]),
                spark30=sparkline(row.series[30]),
                change=format_html('<span class="help">{}</span>', not_enough)
                if row.change is None
                else format_html("{} <small>({} SD)</small>", f"{row.change:+.2f}", f"{row.change_sd:+.1f}"),
                days=no_entries if row.days_since_last_entry is None else str(row.days_since_last_entry),
                alerts=format_html_join("", '<p class="alert-line alert-{}">{}</p>', alerts)
                if alerts
                else mark_safe("—"),
            )
        )
    return lines


@caseworker_required
def dashboard(request: HttpRequest) -> HttpResponse:
    risk = request.GET.get("risk", "")
    sort = request.GET.get("sort", "risk")
    rows = selectors.dashboard_rows(user=request.user, risk=risk, sort=sort)
    services.access_record(
        viewer=request.user, consents=[row.consent for row in rows], action=AccessLog.Action.DASHBOARD
    )
    return render(
        request,
        "welfare/dashboard.html",
        {
            "lines": dashboard_lines(rows),
            "risk": risk,
            "sort": sort,
            "paused": selectors.paused_consent_count(user=request.user),
            "sorts": [
                ("risk", _("Risk")),
                ("name", _("Name")),
                ("last_entry", _("Days since last entry")),
                ("change", _("Change from baseline")),
            ],
            "risks": [("", _("All")), ("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))],
        },
    )


@caseworker_required
def client_detail(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get_visible_to(user=request.user, consent_id=consent_id)
    days = trend_range(request.GET.get("days"))
    series = client_trend(consent=consent, days=days)
    today = series[-1].day
    stats = mood_stats(owners=[consent.client_id], today=today)[consent.client_id]
    services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.CLIENT_PAGE)
    checks = selectors.shared_checks(consent=consent, today=today)
    if checks is not None:
        services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.CHECKS)
    return render(
        request,
        "welfare/client_detail.html",
        {
            "consent": consent,
            "client": consent.client,
            "days": days,
            "ranges": TREND_RANGES,
            "series": series,
            "chart": chart_payload(series),
            "stats": stats,
            "z": rules.baseline_z(stats),
            "days_since": (today - stats.last_day).days if stats.last_day else None,
            "alerts": selectors.alert_history(consent=consent),
            "notes": consent.notes.all(),
            "note_form": CaseNoteForm(),
            "checks": checks,
        },
    )


@caseworker_required
def client_entries(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get_visible_to(user=request.user, consent_id=consent_id)
    if not consent.share_text:
        return render(request, "welfare/text_not_shared.html", {"consent": consent}, status=403)
    page = Paginator(selectors.shared_entries(consent=consent), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.ENTRY_TEXT)
    return render(request, "welfare/client_entries.html", {"consent": consent, "client": consent.client, "page": page})


@caseworker_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_visible_to(user=request.user, alert_id=alert_id)
    try:
        services.alert_acknowledge(alert=alert, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Alert acknowledged. Resolve it with a note once you have followed up."))
    return redirect("welfare:client_detail", consent_id=alert.consent_id)


@caseworker_required
@require_http_methods(["GET", "POST"])
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_visible_to(user=request.user, alert_id=alert_id)
    form = ResolveAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_resolve(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Alert resolved."))
            return redirect("welfare:client_detail", consent_id=alert.consent_id)
    if request.method == "GET":
        services.access_record(viewer=request.user, consents=[alert.consent], action=AccessLog.Action.CLIENT_PAGE)
    status = 400 if request.method == "POST" else 200
    return render(request, "welfare/alert_resolve.html", {"alert": alert, "form": form}, status=status)


@caseworker_required
@require_POST
def note_add(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get_visible_to(user=request.user, consent_id=consent_id)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        services.case_note_create(consent=consent, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Note saved."))
        return redirect("welfare:client_detail", consent_id=consent.pk)
    return render(request, "welfare/note_form.html", {"consent": consent, "form": form}, status=400)
