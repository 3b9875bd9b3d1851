"""Staff manage centres, their caseworkers, consent texts and assignments.

Staff never see a client's moods, alerts or notes here: access to those is for the assigned
caseworker only, behind two-factor sign-in.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from accounts.models import User
from welfare import services
from welfare.models import (
    AccessLog,
    Consent,
    ConsentEvent,
    ConsentText,
    Membership,
    Organisation,
    RefusedAccess,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["caseworker"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "caseworker_count",
        "client_count",
        "no_entry_days",
        "negative_share",
        "drop_sd",
    ]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "code", "contact")}),
        (
            "Alert thresholds",
            {"fields": ("no_entry_days", "negative_share", "negative_min_entries", "drop_sd")},
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_caseworkers=Count("memberships", distinct=True), _clients=Count("consents", distinct=True))
        )

    @admin.display(description="caseworkers", ordering="_caseworkers")
    def caseworker_count(self, obj: Organisation) -> int:
        return obj._caseworkers

    @admin.display(description="linked members", ordering="_clients")
    def client_count(self, obj: Organisation) -> int:
        return obj._clients


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """A published text is never edited: publish a new version, and every client is asked again."""

    list_display = ["version", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["version", "body_en", "body_ko", "published_at"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    fields = ["at", "action", "share_mood", "share_text", "share_checks", "text_version"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["caseworker"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["caseworker"].queryset = User.objects.filter(
                role=User.Role.CASEWORKER, welfare_memberships__organisation=self.instance.organisation
            )

    def clean_caseworker(self):
        caseworker = self.cleaned_data.get("caseworker")
        if caseworker is not None:
            try:
                services.consent_assign_check(consent=self.instance, caseworker=caseworker)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return caseworker


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Assignment of linked members to caseworkers; consent itself is only ever given by the member."""

    form = AssignmentForm
    list_display = [
        "client",
        "organisation",
        "status",
        "share_text",
        "share_checks",
        "text_version",
        "caseworker",
        "granted_at",
    ]
    list_filter = ["organisation", "status", "share_text", "share_checks"]
    search_fields = ["client__email", "client__display_name", "organisation__name"]
    list_select_related = ["client", "organisation", "caseworker"]
    readonly_fields = [
        "client",
        "organisation",
        "status",
        "share_mood",
        "share_text",
        "share_checks",
        "text_version",
        "granted_at",
        "withdrawn_at",
        "assigned_at",
    ]
    fields = readonly_fields[:-1] + ["caseworker", "assigned_at"]
    inlines = [ConsentEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Consent, form, change: bool) -> None:
        services.consent_assign(consent=obj, caseworker=form.cleaned_data.get("caseworker"))


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Who looked at whose data, for oversight. Read-only."""

    list_display = ["at", "viewer_name", "client", "organisation_name", "action"]
    list_filter = ["action", "organisation_name"]
    search_fields = ["viewer_name", "client__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RefusedAccess)
class RefusedAccessAdmin(admin.ModelAdmin):
    """Refused attempts to reach caseworker data, for oversight. Read-only."""

    list_display = ["at", "viewer_name", "reason", "method", "path"]
    list_filter = ["reason"]
    search_fields = ["viewer_name", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
