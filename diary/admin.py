from django.contrib import admin

from diary.models import Entry
from diary.tracker.daily import day_moods_changed


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

    # Deleting here goes round diary.services: the owners' day figures and cached tracker pages
    # must follow too (the days are taken before the delete).
    def delete_model(self, request, obj: Entry) -> None:
        day = (obj.owner_id, obj.day)
        super().delete_model(request, obj)
        day_moods_changed(days=[day])

    def delete_queryset(self, request, queryset) -> None:
        days = set(queryset.order_by().values_list("owner_id", "day"))
        super().delete_queryset(request, queryset)
        day_moods_changed(days=days)
