from django.contrib import admin

from diary.models import Entry
from diary.tracker.cache import mood_changed


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Staff see that entries exist, not what is in them: text and photos are the owner's alone."""

    list_display = ["id", "owner", "day", "self_mood", "created_at"]
    list_filter = ["self_mood"]
    fields = ["owner", "day", "self_mood", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deleting here goes round diary.services: the owners' cached tracker figures go stale too.
    def delete_model(self, request, obj: Entry) -> None:
        mood_changed(owner_ids=[obj.owner_id])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        mood_changed(owner_ids={entry.owner_id for entry in queryset.only("owner_id")})
        super().delete_queryset(request, queryset)
