from django.contrib import admin

from music.compositions.models import Composition


@admin.register(Composition)
class CompositionAdmin(admin.ModelAdmin):
    """Staff see that pieces exist and how the work went (for support), not the music or the mood."""

    list_display = ["id", "owner", "status", "progress", "duration_s", "origin", "created_at"]
    list_filter = ["status", "origin"]
    fields = ["owner", "status", "progress", "error", "duration_s", "origin", "created_at", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
