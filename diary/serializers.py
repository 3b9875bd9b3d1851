from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from diary.models import ENTRY_TEXT_MAX_LENGTH, Entry, MoodStrength
from diary.photos import clean_photo
from moodsite.emotions import EMOTION_CHOICES


class EntrySerializer(serializers.ModelSerializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=ENTRY_TEXT_MAX_LENGTH)
    day = serializers.DateField(required=False)
    self_mood = serializers.ChoiceField(choices=EMOTION_CHOICES, required=False, allow_blank=True)
    self_mood_strength = serializers.ChoiceField(
        choices=MoodStrength.choices, required=False, allow_null=True,
        help_text="How strongly: 1 a little, 2 quite, 3 very (only with self_mood).",
    )
    photo = serializers.FileField(
        write_only=True, required=False, allow_null=True,
        help_text="JPEG, PNG, WebP or HEIC (of an MPO, the first picture), up to 10 MB. Send null to remove.",
    )
    photo_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["id", "day", "text", "self_mood", "self_mood_strength", "photo", "photo_url", "thumbnail_url",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_day(self, day):
        request = self.context.get("request")
        if day is not None and request is not None and (self.instance is None or day != self.instance.day):
            from diary.services import entry_day_check

            try:
                entry_day_check(owner=request.user, day=day)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict["day"]) from None
        return day

    def validate_photo(self, upload):
        if upload is None:
            return None
        try:
            return clean_photo(upload)
        except Exception as error:  # a django ValidationError: re-raise in DRF's shape
            messages = getattr(error, "messages", [str(error)])
            raise serializers.ValidationError(messages) from None

    def _url(self, entry: Entry, name: str, field) -> str | None:
        if not field:
            return None
        request = self.context.get("request")
        url = reverse(name, args=[entry.pk])
        return request.build_absolute_uri(url) if request else url

    def get_photo_url(self, entry: Entry) -> str | None:
        return self._url(entry, "diary:entry_photo", entry.photo)

    def get_thumbnail_url(self, entry: Entry) -> str | None:
        return self._url(entry, "diary:entry_thumbnail", entry.thumbnail)
