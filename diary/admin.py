from django.contrib import admin

from diary.models import Entry


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
