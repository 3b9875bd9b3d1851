"""The caseworker's side. Every view is behind caseworker_required (two-factor sign-in), reads
through welfare.selectors, and writes what it showed to the access log."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from diary.tracker.moods import SOURCE_LABELS_CASEWORKER
from moodsite.emotions import EMOTION_LABELS
from welfare import rules, selectors, services
from welfare.charts import TREND_RANGES, chart_payload, client_trend, trend_range
from welfare.dashboard import dashboard_page
from welfare.forms import CaseNoteForm, ResolveAlertForm
from welfare.models import AccessLog, Alert
from welfare.security import caseworker_required
from welfare.sparklines import sparkline

ENTRIES_PER_PAGE = 10
DASHBOARD_PER_PAGE = 50
PLACEHOLDER_ID = 987654321


@dataclass(frozen=True)
class DashboardLine:
    """One table row, as text ready to print: the dashboard has 300 of them, and computing the
    words here keeps the template to a handful of lookups per row."""

    risk: str
    risk_text: str
    name: str
    url: str
    recent: SafeString
    spark7: SafeString
    spark30: SafeString
    change: SafeString
    days: str
    alerts: SafeString


def recent_mood_text(stats, words: dict | None = None) -> SafeString:
    """The last 7 days' moods in the counts the negative-mood alert uses, with their sources."""
    words = words or recent_mood_words()
    n = stats.recent_mood_entries
    if not n:
        return words["none"]
    return format_html(
        "{}<br><small>{}</small>",
        words["negative"] % {"negative": stats.recent_negative, "n": n},
        words["sources"] % {"own": stats.recent_own, "auto": n - stats.recent_own},
    )


def recent_mood_words() -> dict:
    """Translated once per page, not once per row."""
    return {
        "none": format_html('<span class="help">{}</span>', _("no moods")),
        "negative": _("%(negative)s of %(n)s negative"),
        "sources": _("%(own)s the member's choice, %(auto)s read automatically"),
    }


def dashboard_lines(rows: list[selectors.ClientSummary]) -> list[DashboardLine]:
    risk_text = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}
    no_entries, not_enough, acknowledged = _("no entries"), _("not enough entries"), _("acknowledged")
    # One reverse() for the page instead of one per row (a measurable share of a 300-row page).
    url = reverse("welfare:client_detail", args=[PLACEHOLDER_ID]).replace(str(PLACEHOLDER_ID), "{}")
    words = recent_mood_words()
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
                recent=recent_mood_text(row.stats, words),
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


def dashboard_rows_html(rows: list[selectors.ClientSummary]) -> SafeString:
    """The page's table rows, drawn (welfare.dashboard caches what this returns); empty for no rows."""
    if not rows:
        return mark_safe("")  # noqa: S308 - an empty string
    return render_to_string("welfare/_dashboard_rows.html", {"lines": dashboard_lines(rows)})


@caseworker_required
def dashboard(request: HttpRequest) -> HttpResponse:
    risk = request.GET.get("risk", "")
    sort = request.GET.get("sort", "risk")
    if sort not in selectors.SORTS:
        sort = "risk"
    if risk not in selectors.Risk.LABELS.values():
        risk = ""
    # Sorted and filtered over all the clients, then cut into pages: only the page's rows are
    # built and drawn, and logged (one access row per page view, naming the clients it showed).
    view = dashboard_page(user=request.user, risk=risk, sort=sort, number=request.GET.get("page"),
                          per_page=DASHBOARD_PER_PAGE, draw=dashboard_rows_html)
    services.access_record_page(viewer=request.user, consents=view.shown, action=AccessLog.Action.DASHBOARD)
    return render(
        request,
        "welfare/dashboard.html",
        {
            "lines": view.lines,
            "page": view.page,
            "page_query": urlencode({k: v for k, v in (("risk", risk), ("sort", sort)) if v}),
            "total": view.page.paginator.count,
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


def _alert_cards(alerts, row: selectors.ClientSummary) -> list:
    """Each alert with its reason when it opened and, while its episode runs, the same rule on
    today's figures (the ones the summary beside it shows)."""
    cards = list(alerts)
    for alert in cards:
        alert.now_reason = ""
        if alert.cleared_at is None and alert.kind in rules.EVENT_KINDS:
            # A crisis alert is not a rule on today's figures: it stays until the caseworker resolves it.
            alert.now_reason = _("Urgent: it stays open until you resolve it with a note of what was done.")
        elif alert.cleared_at is None and alert.kind == Alert.Kind.SELF_CHECK:
            alert.now_reason = ""  # the client's own latest answers are listed under "Wellbeing check"
        elif alert.cleared_at is None:
            evidence = row.holding.get(alert.kind)
            alert.now_reason = rules.alert_reason(alert.kind, evidence) if evidence else _(
                "On today's figures the rule no longer holds; the alert closes at the next check.")
    return cards


@caseworker_required
def client_detail(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get_visible_to(user=request.user, consent_id=consent_id)
    days = trend_range(request.GET.get("days"))
    series = client_trend(consent=consent, days=days)
    row = selectors.client_summary(user=request.user, consent=consent)
    stats, today = row.stats, row.today
    services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.CLIENT_PAGE)
    checks = selectors.shared_checks(consent=consent, today=today)
    if checks is not None:
        services.access_record(viewer=request.user, consents=[consent], action=AccessLog.Action.CHECKS)
    window_from, window_to = row.window
    holding = [str(Alert.Kind(kind).label) for kind, evidence in row.holding.items() if evidence]
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
            "row": row,
            "window_from": window_from,
            "window_to": window_to,
            "risk_text": {"high": _("High"), "medium": _("Medium"), "low": _("Low")}[row.risk_label],
            "holding": holding,
            "recent": recent_mood_text(stats),
            "negative_emotions": ", ".join(
                f"{EMOTION_LABELS[name]} {count}" for name, count in sorted(stats.negative_by_emotion.items())),
            "latest_source": SOURCE_LABELS_CASEWORKER.get(row.latest_source, ""),
            "z": rules.baseline_z(stats),
            "days_since": (today - stats.last_day).days if stats.last_day else None,
            "alerts": _alert_cards(selectors.alert_history(consent=consent), row),
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
