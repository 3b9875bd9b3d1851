"""The curators' tool: the catalogue in the Django admin.

Only curators and staff (see music.services.is_catalogue_curator) see these pages; the bulk
actions, import and export check the same rule. Personal data (feedback, preferences,
recommendations) is deliberately not registered here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from moodsite.tasking import send_after_commit
from music import exporting, importing, services
from music.forms import CatalogueImportForm, SetMoodForm
from music.models import MoodTag, Track


class CuratorOnlyMixin:
    """Hide the model from staff who are not curators or staff members."""

    def has_module_permission(self, request):
        return services.is_catalogue_curator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return services.is_catalogue_curator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return services.is_catalogue_curator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return services.is_catalogue_curator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return services.is_catalogue_curator(request.user) and super().has_delete_permission(request, obj)

    def has_curate_permission(self, request) -> bool:
        """Bulk actions, import and export."""
        return services.is_catalogue_curator(request.user) and super().has_change_permission(request)


class MissingCoordinatesFilter(admin.SimpleListFilter):
    title = gettext_lazy("coordinates")
    parameter_name = "coordinates"

    def lookups(self, request, model_admin):
        return [("missing", _("missing")), ("present", _("present"))]

    def queryset(self, request, queryset):
        missing = Q(valence__isnull=True) | Q(arousal__isnull=True)
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "present":
            return queryset.exclude(missing)
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    title = gettext_lazy("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        codes = Track.objects.order_by("language").values_list("language", flat=True).distinct()
        return [(code or "-", code or _("unknown")) for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(language="" if self.value() == "-" else self.value())
        return queryset


@admin.register(MoodTag)
class MoodTagAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_ko", "valence", "arousal", "track_count"]
    list_editable = ["valence", "arousal"]
    search_fields = ["name_en", "name_ko", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_tracks=Count("tracks"))

    @admin.display(description=gettext_lazy("tracks"), ordering="n_tracks")
    def track_count(self, obj):
        return obj.n_tracks

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"valence", "arousal"} & set(form.changed_data):
            # Tracks placed by their tags move with the tag.
            transaction.on_commit(lambda: services.track_coordinates_refresh(Track.objects.filter(mood_tags=obj)))


@admin.register(Track)
class TrackAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    change_list_template = "admin/music/track/change_list.html"
    list_display = ["title", "artist", "tag_list", "valence", "arousal", "coordinates_source", "language",
                    "genre", "is_active", "sensitive_theme", "listen"]
    list_display_links = ["title"]
    list_filter = [MissingCoordinatesFilter, "mood_tags", LanguageFilter, "is_active", "sensitive_theme", "genre",
                   "coordinates_source", "analysis_status"]
    search_fields = ["title", "artist", "album", "genre", "mood_tags__name_en", "mood_tags__name_ko"]
    list_per_page = 50
    filter_horizontal = ["mood_tags"]
    readonly_fields = ["coordinates_source", "analysis_status", "analysis_summary", "suggested_valence",
                       "suggested_arousal", "created_at", "updated_at"]
    actions = ["activate", "deactivate", "flag_sensitive", "unflag_sensitive", "set_mood", "accept_suggestion",
               "export_csv", "export_json"]
    fieldsets = [
        (None, {"fields": ["title", "artist", "album", "year", "duration_seconds", "language", "genre",
                           "is_active", "sensitive_theme"]}),
        (gettext_lazy("Links and licence"), {"fields": ["youtube_url", "lastfm_url", "link_url", "licence",
                                                        "attribution"]}),
        (gettext_lazy("Mood"), {"fields": ["mood_tags", "valence", "arousal", "coordinates_source",
                                           "emotion_affinity", "tempo_bpm", "key", "mode", "energy"]}),
        (gettext_lazy("Audio"), {"fields": ["audio", "analysis_status", "analysis_summary", "suggested_valence",
                                            "suggested_arousal"]}),
        (gettext_lazy("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("mood_tags")

    @admin.display(description=gettext_lazy("mood tags"))
    def tag_list(self, obj):
        return ", ".join(tag.name_en for tag in obj.mood_tags.all())

    @admin.display(description=gettext_lazy("link"))
    def listen(self, obj):
        url = obj.listen_url
        if not url:
            return ""
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, _("open"))

    @admin.display(description=gettext_lazy("analysis"))
    def analysis_summary(self, obj):
        data = obj.analysis or {}
        if data.get("error"):
            return _("Failed: %(error)s") % {"error": data["error"]}
        if not data.get("tempo"):
            return "—"
        return _("%(tempo)s BPM, %(key)s, energy %(energy)s → suggests valence %(v)s, arousal %(a)s") % {
            "tempo": data["tempo"], "key": data.get("key") or "?", "energy": data.get("energy"),
            "v": obj.suggested_valence, "a": obj.suggested_arousal}

    # --- Saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        if {"valence", "arousal"} & changed:
            has_both = obj.valence is not None and obj.arousal is not None
            obj.coordinates_source = Track.CoordinatesSource.CURATOR if has_both else Track.CoordinatesSource.NONE
            if not has_both:
                obj.valence = obj.arousal = None
        if "audio" in changed:
            obj.analysis_status = Track.AnalysisStatus.PENDING if obj.audio else Track.AnalysisStatus.NONE
            obj.analysis = None
            obj.suggested_valence = obj.suggested_arousal = None
        super().save_model(request, obj, form, change)
        if "audio" in changed and obj.audio:
            from music.tasks import track_audio_analyse_task

            pk = obj.pk
            send_after_commit(track_audio_analyse_task, pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.track_coordinates_refresh([form.instance])

    # --- Bulk actions (curators and staff only) ---------------------------------------------

    @admin.action(description=gettext_lazy("Activate the selected tracks"), permissions=["curate"])
    def activate(self, request, queryset):
        count = services.tracks_set_active(tracks=queryset, active=True)
        self.message_user(request, ngettext("%d track activated.", "%d tracks activated.", count) % count)

    @admin.action(description=gettext_lazy("Deactivate the selected tracks"), permissions=["curate"])
    def deactivate(self, request, queryset):
        count = services.tracks_set_active(tracks=queryset, active=False)
        self.message_user(request, ngettext("%d track deactivated.", "%d tracks deactivated.", count) % count)

    @admin.action(description=gettext_lazy("Flag the selected tracks as a sensitive theme"), permissions=["curate"])
    def flag_sensitive(self, request, queryset):
        count = services.tracks_set_sensitive(tracks=queryset, sensitive=True)
        self.message_user(request, ngettext("%d track flagged as a sensitive theme.",
                                            "%d tracks flagged as a sensitive theme.", count) % count)

    @admin.action(description=gettext_lazy("Remove the sensitive-theme flag"), permissions=["curate"])
    def unflag_sensitive(self, request, queryset):
        count = services.tracks_set_sensitive(tracks=queryset, sensitive=False)
        self.message_user(request, ngettext("%d track is no longer flagged.",
                                            "%d tracks are no longer flagged.", count) % count)

    @admin.action(description=gettext_lazy("Set the mood of the selected tracks…"), permissions=["curate"])
    def set_mood(self, request, queryset):
        form = SetMoodForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = services.tracks_set_mood(
                tracks=queryset, tags=form.cleaned_data["tags"], replace=form.cleaned_data["replace"]
            )
            self.message_user(request, ngettext("Mood set on %d track.", "Mood set on %d tracks.", count) % count)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the mood"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/music/track/set_mood.html", context)

    @admin.action(description=gettext_lazy("Accept the suggested coordinates from the audio analysis"),
                  permissions=["curate"])
    def accept_suggestion(self, request, queryset):
        count = services.tracks_accept_suggestion(tracks=queryset)
        self.message_user(request, ngettext("%d track updated.", "%d tracks updated.", count) % count)

    @admin.action(description=gettext_lazy("Export the selected tracks as CSV"), permissions=["curate"])
    def export_csv(self, request, queryset):
        return self._download(exporting.export_csv(queryset.order_by("artist", "title")), "csv", "text/csv")

    @admin.action(description=gettext_lazy("Export the selected tracks as JSON"), permissions=["curate"])
    def export_json(self, request, queryset):
        return self._download(exporting.export_json(queryset.order_by("artist", "title")), "json", "application/json")

    @staticmethod
    def _download(content: bytes, suffix: str, content_type: str) -> HttpResponse:
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="moodsite-catalogue-{stamp}.{suffix}"'
        return response

    # --- Import and whole-catalogue export ---------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="music_track_import"),
            path("export/<str:fmt>/", wrap(self.export_view), name="music_track_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_curate": self.has_curate_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_curate_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        form = CatalogueImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            files, file_errors = [], []
            for upload in form.cleaned_data["files"]:
                if upload.size > importing.IMPORT_MAX_BYTES:  # refused before reading it
                    file_errors.append(
                        _("%(name)s is larger than %(mb)s MB; split it into smaller files.")
                        % {"name": upload.name, "mb": importing.IMPORT_MAX_BYTES // (1024 * 1024)}
                    )
                    continue
                files.append((upload.name, upload.read()))
            report = importing.catalogue_import(
                files, valid_rows_only=form.cleaned_data["valid_rows_only"], file_errors=file_errors
            )
            if report.imported:
                messages.success(request, _("Import finished: %(added)s added, %(updated)s updated.")
                                 % {"added": report.added, "updated": report.updated})
            else:
                messages.error(request, _("Nothing was imported: the files have errors (see the report)."))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import tracks"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "changelist_url": reverse("admin:music_track_changelist"),
        }
        return TemplateResponse(request, "admin/music/track/import.html", context)

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_curate_permission(request):
            raise PermissionDenied
        tracks = Track.objects.order_by("artist", "title")
        if fmt == "csv":
            return self._download(exporting.export_csv(tracks), "csv", "text/csv")
        if fmt == "json":
            return self._download(exporting.export_json(tracks), "json", "application/json")
        raise PermissionDenied
