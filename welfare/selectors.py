"""Every read of welfare data names who is asking.

A caseworker sees a client only while all of these hold: the client's consent is active, covers
mood scores, was given to the current consent text, is assigned to this caseworker, and the
caseworker is a member of the consent's organisation. Nothing here looks at `is_staff`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from diary.models import Entry
from diary.tracker.moods import mood_emotion, mood_source
from welfare import rules
from welfare.figures import client_figures
from welfare.models import AccessLog, Alert, Consent, ConsentText, Membership, Organisation
from welfare.periods import CHECKS, MOOD, TEXT, Gap, consent_gaps, hidden_q
from welfare.stats import MoodStats, daily_means

SPARKLINE_DAYS = (7, 30)


def current_consent_text() -> ConsentText | None:
    return ConsentText.objects.order_by("-version").first()


def _binding_versions() -> QuerySet[ConsentText]:
    """The versions that ask everyone to agree again (not those that only add an optional scope)."""
    return ConsentText.objects.filter(adds_optional_scope_only=False).order_by("-version")


def _binding_version_subquery() -> Subquery:
    return Subquery(_binding_versions().values("version")[:1])


def binding_consent_version() -> int | None:
    """The oldest text version a consent may have been given to and still be in force."""
    return _binding_versions().values_list("version", flat=True).first()


def consents_in_force() -> QuerySet[Consent]:
    """Consents that allow access: active, mood scope given, agreed to the latest text that asked
    everyone to agree again or to a later one. (A scope a later text added, such as share_checks,
    can only have been given by agreeing to that text.)"""
    return Consent.objects.filter(
        status=Consent.Status.ACTIVE, share_mood=True, text_version__gte=_binding_version_subquery()
    )


def consent_list_visible_to(*, user: User) -> QuerySet[Consent]:
    if not (user.is_authenticated and user.is_active and user.is_caseworker):
        return Consent.objects.none()
    member_of_org = Membership.objects.filter(organisation=OuterRef("organisation"), caseworker=user)
    return (
        consents_in_force()
        .filter(caseworker=user)
        .filter(Exists(member_of_org))
        .select_related("client", "organisation")
    )


def consent_get_visible_to(*, user: User, consent_id: int) -> Consent:
    """The client record, or 404: a caseworker cannot tell a refused client from a missing one."""
    try:
        return consent_list_visible_to(user=user).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


def alert_get_visible_to(*, user: User, alert_id: int) -> Alert:
    try:
        return Alert.objects.select_related("consent__client", "consent__organisation").get(
            pk=alert_id, consent__in=consent_list_visible_to(user=user).values("pk")
        )
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert.") from None


def paused_consent_count(*, user: User) -> int:
    """Clients assigned to this caseworker whose sharing waits for them to agree to a new text."""
    if not user.is_authenticated or not user.is_caseworker:
        return 0
    return (
        Consent.objects.filter(caseworker=user, status=Consent.Status.ACTIVE)
        .exclude(text_version__gte=_binding_version_subquery())
        .count()
    )


# --- The dashboard ---------------------------------------------------------------------------


Risk = rules.Risk


@dataclass
class ClientSummary:
    """One dashboard row. Derived figures are computed once, in __post_init__: the page reads
    each of them several times for 300 rows."""

    consent: Consent
    today: datetime.date
    latest_emotion: str
    latest_day: datetime.date | None
    stats: MoodStats
    alerts: list[Alert] = field(default_factory=list)
    # The sparklines' daily means, by length: filled by with_sparklines for the rows shown.
    series: dict[int, list[float | None]] = field(default_factory=dict)
    latest_source: str = ""  # "self" (the member's choice) or "ai" (read automatically)
    # Kinds whose alert episode is still running (even if a caseworker resolved the alert).
    running: frozenset[str] = frozenset()
    since: datetime.date | None = None  # the day sharing began, in the client's time zone
    days_since_last_entry: int | None = field(init=False)
    change: float | None = field(init=False)
    change_sd: float | None = field(init=False)
    open_alerts: list[Alert] = field(init=False)
    holding: dict[str, dict | None] = field(init=False)
    risk: int = field(init=False)
    risk_label: str = field(init=False)

    def __post_init__(self) -> None:
        self.days_since_last_entry = max((self.today - self.latest_day).days, 0) if self.latest_day else None
        z = rules.baseline_z(self.stats)
        # 7-day mean minus the 60-day baseline mean, when both have enough entries.
        self.change = None if z is None else round(self.stats.recent_mean - self.stats.baseline_mean, 3)
        self.change_sd = None if z is None else round(z, 2)
        self.open_alerts = [alert for alert in self.alerts if alert.status == Alert.Status.OPEN]
        # The risk comes from the data alone (the same rules and figures as the alerts), so that
        # resolving an alert never lowers a risk the data still shows; alert status is shown apart.
        org, since = self.consent.organisation, self.since or self.today
        self.holding = rules.evaluate(self.stats, org, since=since, today=self.today, running=self.running)
        self.risk = rules.risk_from(self.holding, self.stats, org, since=since, today=self.today)
        # A running crisis or wellbeing-check episode is high risk whatever the mood figures say
        # (those episodes are evaluated from the checks, not the figures: welfare.evaluation).
        if self.consent.share_checks and self.running & rules.WELLBEING_KINDS:
            self.risk = rules.Risk.HIGH
        self.risk_label = Risk.LABELS[self.risk]

    @property
    def client(self) -> User:
        return self.consent.client

    @property
    def window(self) -> tuple[datetime.date, datetime.date]:
        return rules.recent_window(self.today)

    def sort_key_risk(self) -> tuple:
        return (
            -self.risk,
            -len(self.open_alerts),
            self.change_sd if self.change_sd is not None else 0.0,
            -(self.days_since_last_entry if self.days_since_last_entry is not None else 10_000),
            self.client.name.lower(),
        )


SORTS = {
    "risk": lambda row: row.sort_key_risk(),
    "name": lambda row: row.client.name.lower(),
    "last_entry": lambda row: -(row.days_since_last_entry if row.days_since_last_entry is not None else 10_000),
    "change": lambda row: row.change_sd if row.change_sd is not None else 10.0,
}


# What the dashboard reads of each consent, its client and centre (not whole user rows).
DASHBOARD_FIELDS = (
    "pk",
    "client_id",
    "organisation_id",
    "share_text",
    "share_checks",
    "caseworker_id",
    "client__display_name",
    "client__email",
    "client__time_zone",
    "client__mood_version",  # welfare.figures' cache key
    "granted_at",
)


def client_summary(*, user: User, consent: Consent, now: datetime.datetime | None = None) -> ClientSummary:
    """One client's dashboard row: the client page shows the very figures the dashboard shows."""
    return with_sparklines(dashboard_rows(user=user, consent_ids=[consent.pk], now=now))[0]


def dashboard_rows(
    *, user: User, risk: str = "", sort: str = "risk", now: datetime.datetime | None = None,
    consent_ids: list[int] | None = None, gaps: list[Gap] | None = None,
) -> list[ClientSummary]:
    """The caseworker's clients with their figures, in five queries whatever the number of clients
    (the figures from welfare.figures' cache where they have not changed), sorted and filtered;
    the rows shown get their sparklines from with_sparklines."""
    now = now or timezone.now()
    visible = consent_list_visible_to(user=user)
    if consent_ids is not None:
        visible = visible.filter(pk__in=consent_ids)
    # Entries dated after the caseworker's today (a client far east of them) still count as latest.
    horizon = timezone.localtime(now, user.zone).date() + datetime.timedelta(days=1)
    # Withdrawal periods are left out of every figure (welfare.periods).
    if gaps is None:
        gaps = consent_gaps(consents=visible, scope=MOOD)
    consents = list(
        visible
        .select_related(None)
        .select_related("client")
        .only(*DASHBOARD_FIELDS)
    )
    if not consents:
        return []
    # One Organisation object per centre rather than one per row.
    organisations = Organisation.objects.in_bulk({c.organisation_id for c in consents})
    for consent in consents:
        consent.organisation = organisations[consent.organisation_id]
    # Figures are taken on each client's own calendar day; a centre's clients share a time zone
    # almost always, so this is usually one group.
    by_zone: dict[str, list[Consent]] = {}
    for consent in consents:
        by_zone.setdefault(consent.client.time_zone, []).append(consent)
    rows: list[ClientSummary] = []
    alerts_by_consent: dict[int, list[Alert]] = {}
    running: dict[int, set[str]] = {}
    for alert in Alert.objects.filter(
        Q(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]) | Q(cleared_at__isnull=True),
        consent__in=[c.pk for c in consents],
    ).order_by("opened_at"):
        if alert.cleared_at is None:
            running.setdefault(alert.consent_id, set()).add(alert.kind)
        if alert.status != Alert.Status.RESOLVED:
            alerts_by_consent.setdefault(alert.consent_id, []).append(alert)
    for group in by_zone.values():
        zone_today = timezone.localtime(now, group[0].client.zone).date()
        zone = group[0].client.zone
        # With the mood counts: the risk badge applies the negative-mood rule too.
        figures_of = client_figures(clients=[c.client for c in group], today=zone_today, horizon=horizon, hidden=gaps)
        for consent in group:
            figures = figures_of[consent.client_id]
            latest_source, _colon, latest_mood = figures.latest_mood.partition(":")
            rows.append(
                ClientSummary(
                    consent=consent,
                    today=zone_today,
                    latest_emotion=latest_mood,
                    latest_source=latest_source,
                    latest_day=figures.latest_day,
                    stats=figures.stats,
                    alerts=alerts_by_consent.get(consent.pk, []),
                    running=frozenset(running.get(consent.pk, ())),
                    since=timezone.localtime(consent.granted_at, zone).date(),
                )
            )
    if risk in Risk.LABELS.values():
        rows = [row for row in rows if row.risk_label == risk]
    rows.sort(key=SORTS.get(sort, SORTS["risk"]))
    return rows


def with_sparklines(rows: list[ClientSummary], gaps: list[Gap] | None = None) -> list[ClientSummary]:
    """The rows, each with its 7- and 30-day sparkline series: one query for the rows shown (a
    page of the dashboard, not the whole caseload it was sorted from). `gaps`: the rows' consent
    gaps (welfare.periods) when the caller has them already."""
    longest = max(SPARKLINE_DAYS)
    by_day: dict[datetime.date, list[ClientSummary]] = {}
    for row in rows:
        by_day.setdefault(row.today, []).append(row)
    for today, group in by_day.items():
        consents = [row.consent for row in group]
        means = daily_means(owners=[c.client_id for c in consents], today=today, days=longest,
                            hidden=consent_gaps(consents=consents, scope=MOOD) if gaps is None else gaps)
        for row in group:
            row.series = {n: means[row.consent.client_id][-n:] for n in SPARKLINE_DAYS}
    return rows


# --- The client page -------------------------------------------------------------------------


def alert_history(*, consent: Consent) -> QuerySet[Alert]:
    return consent.alerts.select_related("acknowledged_by", "resolved_by")


def shared_entries(*, consent: Consent) -> QuerySet[Entry]:
    """Entry text, only when the client shared it. Photos are never part of this."""
    if not consent.share_text:
        return Entry.objects.none()
    gaps = consent_gaps(consents=[consent], scope=TEXT)
    return (
        Entry.objects.filter(owner=consent.client)
        .exclude(hidden_q(gaps))
        .only("id", "day", "text", "self_mood", "ai_emotion", "created_at")
        .annotate(mood=mood_emotion(), mood_source=mood_source())
    )


# --- The member's own pages ------------------------------------------------------------------


def consent_list_of(*, member: User) -> QuerySet[Consent]:
    return member.welfare_consents.select_related("organisation", "caseworker").order_by("organisation__name")


def consent_get_of(*, member: User, consent_id: int) -> Consent:
    try:
        return consent_list_of(member=member).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such link.") from None


def consent_needs_renewal(*, consent: Consent, binding_version: int | None) -> bool:
    """Sharing is paused until the member agrees to a text that asked everyone to agree again."""
    return consent.is_active and binding_version is not None and consent.text_version < binding_version


def access_rows_of(*, member: User) -> QuerySet[AccessLog]:
    """Every access row about the member: looks at them alone, and pages that listed them."""
    return AccessLog.objects.filter(Q(client=member) | Q(client_ids__contains=f",{member.pk},"))


def access_log_of(*, member: User) -> QuerySet:
    """Who looked at the member's data: one row per person, centre, kind of look and day."""
    return (
        access_rows_of(member=member)
        .annotate(date=TruncDate("at", tzinfo=member.zone))
        .values("date", "viewer_name", "organisation_name", "action")
        .annotate(times=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-date", "-last")
    )


# How far back the client page lists wellbeing check results: about a dozen two-weekly checks.
SHARED_CHECK_DAYS = 180


def shared_checks(*, consent: Consent, today: datetime.date):
    """The client's questionnaire results, only under the share_checks scope (else None)."""
    if not consent.share_checks:
        return None
    from diary.wellbeing.selectors import check_rows

    return check_rows(owner=consent.client, since=today - datetime.timedelta(days=SHARED_CHECK_DAYS),
                      hidden=hidden_q(consent_gaps(consents=[consent], scope=CHECKS)))
