"""Welfare centres, the consent their clients give, alerts, case notes and the access log.

Who may see what is decided in welfare/selectors.py, never here and never by `is_staff`.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be mistaken for each other when read out over the phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def organisation_code() -> str:
    # 32**8 ≈ 10**12 codes; guessing is also throttled in welfare.security.
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class Organisation(models.Model):
    """A welfare centre. Its alert thresholds apply to every client linked to it."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("link code"),
        max_length=16,
        unique=True,
        default=organisation_code,
        help_text=_("Members type this code to link to the centre. Letters and digits only."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("A phone number or address shown to members who link to the centre."),
    )
    caseworkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="welfare_organisations", blank=True
    )
    no_entry_days = models.PositiveSmallIntegerField(
        _("days without an entry"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Alert when a client has not written for this many days."),
    )
    negative_share = models.FloatField(
        _("share of negative entries"),
        default=0.6,
        validators=[MinValueValidator(0.1), MaxValueValidator(1.0)],
        help_text=_("Alert when at least this share (0.6 = 60%) of the last 7 days' entries read as negative."),
    )
    negative_min_entries = models.PositiveSmallIntegerField(
        _("entries needed for the negative-mood alert"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    drop_sd = models.FloatField(
        _("drop in standard deviations"),
        default=1.5,
        validators=[MinValueValidator(0.5), MaxValueValidator(5.0)],
        help_text=_("Alert when the 7-day mean mood is this many standard deviations below the 60-day baseline."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A caseworker works for an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="welfare_memberships",
        limit_choices_to={"role": "caseworker"},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "caseworker"], name="welfare_membership_unique")]

    def __str__(self) -> str:
        return f"{self.caseworker} @ {self.organisation}"

    def clean(self) -> None:
        if self.caseworker_id and not self.caseworker.is_caseworker:
            raise ValidationError({"caseworker": _("Only people with the caseworker role can join a centre.")})


class ConsentText(models.Model):
    """One published version of the consent text. A new version asks every client to agree again."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    body_en = models.TextField(_("text in English"))
    body_ko = models.TextField(_("text in Korean"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    # A version that only adds an optional scope leaves what earlier versions covered unchanged, so
    # consents given to them stay in force for that (pausing every link on deploy would stop care);
    # the new scope itself needs agreement to this version.
    adds_optional_scope_only = models.BooleanField(
        _("adds an optional scope only"), default=False,
        help_text=_("Consents given to earlier versions stay in force for what those covered."),
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Consent text v{self.version}"

    def body_for(self, language: str | None) -> str:
        return self.body_ko if (language or "").startswith("ko") else self.body_en


class Consent(models.Model):
    """A member's link to one organisation and what they agreed to share with it.

    Mood scores and activity are required for the link; entry text is optional; photos are never
    shared. Access needs an active consent given to the current text version (see selectors).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Sharing")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="welfare_consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consents")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    share_mood = models.BooleanField(_("mood scores and activity"), default=True)
    share_text = models.BooleanField(_("text of entries"), default=False)
    # The wellbeing questionnaires' scores and crisis signals (diary.wellbeing); optional, and only
    # offered from consent text version 2, which describes it.
    share_checks = models.BooleanField(_("wellbeing check results and crisis signals"), default=False)
    text_version = models.PositiveIntegerField(_("consent text version"))
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="welfare_clients",
        limit_choices_to={"role": "caseworker"},
        help_text=_("The caseworker who follows this client; a member of the same centre."),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "organisation"], name="welfare_consent_unique"),
        ]
        indexes = [models.Index(fields=["caseworker", "status"], name="welfare_consent_cw_status")]

    def __str__(self) -> str:
        return f"{self.client} → {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ConsentEvent(models.Model):
    """The permanent record of every grant, change and withdrawal, with the text version agreed to."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Consent given")
        CHANGED = "changed", _("Sharing changed")
        RENEWED = "renewed", _("Consent given again to a new text")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    share_mood = models.BooleanField()
    share_text = models.BooleanField()
    share_checks = models.BooleanField(default=False)
    text_version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} v{self.text_version} at {self.at:%Y-%m-%d %H:%M}"


class Alert(models.Model):
    """One alert per episode: a run of evaluations in which the rule keeps holding.

    `cleared_at` is set when the rule stops holding; until then no second alert of the same kind
    can exist for the client (a partial unique constraint), whatever the caseworker did with it.
    """

    class Kind(models.TextChoices):
        NO_ENTRY = "no_entry", _("No entries")
        NEGATIVE_MOOD = "negative_mood", _("Sustained negative mood")
        VALENCE_DROP = "valence_drop", _("Sharp drop in mood")
        SELF_CHECK = "self_check", _("Wellbeing check worth talking about")
        CRISIS = "crisis", _("URGENT: crisis help was shown")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.JSONField(help_text="The numbers that made the rule fire.")
    opened_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    resolved_automatically = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent", "kind"],
                condition=Q(cleared_at__isnull=True),
                name="welfare_alert_one_per_episode",
            ),
        ]
        indexes = [models.Index(fields=["consent", "status"], name="welfare_alert_consent_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.consent.client}"

    @property
    def is_urgent(self) -> bool:
        """Urgent alerts are e-mailed the moment they open (welfare.services.crisis_alert_raise)."""
        return self.kind == self.Kind.CRISIS

    @property
    def is_unresolved(self) -> bool:
        return self.status != self.Status.RESOLVED

    @property
    def reason(self) -> str:
        from welfare.rules import alert_reason

        return alert_reason(self.kind, self.evidence)


class CaseNote(models.Model):
    """A caseworker's note about a client (the client can read it in their data download)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=200)
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


class AccessLog(models.Model):
    """Every look at a client's data by a caseworker: who, whom, what, when."""

    class Action(models.TextChoices):
        DASHBOARD = "dashboard", _("saw your mood summary on the dashboard")
        CLIENT_PAGE = "client_page", _("looked at your mood charts and alerts")
        ENTRY_TEXT = "entry_text", _("read the text of your entries")
        API_LIST = "api_list", _("fetched your mood summary through the API")
        API_TREND = "api_trend", _("fetched your mood trend through the API")
        ALERT = "alert", _("updated an alert about you")
        NOTE = "note", _("wrote a case note about you")
        CHECKS = "checks", _("saw your wellbeing check results")

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Names are copied so that the record still says who looked after that account is gone.
    viewer_name = models.CharField(max_length=200)
    # A look at one client names them here; a dashboard page names all the clients it showed in
    # client_ids instead (",12,40,51,"), so that a page view is one row, not one per client.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="welfare_access_log"
    )
    client_ids = models.TextField(blank=True, default="")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation_name = models.CharField(max_length=120)
    action = models.CharField(max_length=16, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="welfare_access_client_at")]

    def __str__(self) -> str:
        return f"{self.viewer_name} {self.action} {self.client_id} at {self.at:%Y-%m-%d %H:%M}"


class RefusedAccess(models.Model):
    """A signed-in person's refused attempt to reach caseworker data, for oversight in the admin:
    a caseworker probing clients they may not see, someone without the caseworker role on the
    caseworker pages, a caseworker without two-factor sign-in. Nothing about any client is stored:
    only who tried, what address, and why it was refused."""

    class Reason(models.TextChoices):
        NOT_CASEWORKER = "not_caseworker", _("not a caseworker")
        NO_SECOND_FACTOR = "no_second_factor", _("without two-factor sign-in")
        NOT_VISIBLE = "not_visible", _("a client or alert not visible to them")

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    viewer_name = models.CharField(max_length=200)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "refused accesses"

    def __str__(self) -> str:
        return f"{self.viewer_name} refused ({self.reason}) {self.method} {self.path}"
