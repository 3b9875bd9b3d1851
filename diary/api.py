from rest_framework import viewsets
from rest_framework.parsers import FormParser, MultiPartParser

from diary import services
from diary.selectors import entry_list_visible_to
from diary.serializers import EntrySerializer
from moodsite.parsers import LimitedJSONParser


class EntryViewSet(viewsets.ModelViewSet):
    """The signed-in person's diary entries, newest first. Others' entries answer 404. A service's
    refusal answers 400 per field, or under non_field_errors (an empty entry): moodsite.exception_handlers."""

    serializer_class = EntrySerializer
    parser_classes = [LimitedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return entry_list_visible_to(user=self.request.user)

    def perform_create(self, serializer: EntrySerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.entry_create(
            owner=self.request.user, day=data.get("day"), text=data.get("text", ""),
            photo=data.get("photo"), self_mood=data.get("self_mood", ""),
            self_mood_strength=data.get("self_mood_strength"),
        )

    def perform_update(self, serializer: EntrySerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.entry_update(
            entry=serializer.instance, day=data.get("day"), text=data.get("text"),
            photo=data["photo"] if "photo" in data else services.KEEP_PHOTO,
            self_mood=data.get("self_mood"),
            self_mood_strength=data["self_mood_strength"] if "self_mood_strength" in data else services.UNCHANGED,
        )

    def perform_destroy(self, instance) -> None:
        services.entry_delete(entry=instance)
