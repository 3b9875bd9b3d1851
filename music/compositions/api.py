"""REST API for generated music: ask for a piece for an entry, follow it, fetch its files.

POST /api/v1/entries/{id}/compositions/      {"target": "calm", "duration_s": 60}  -> 202
GET  /api/v1/entries/{id}/compositions/      the entry's pieces, newest first
GET  /api/v1/compositions/{id}/              status, progress, parameters, file URLs
DELETE /api/v1/compositions/{id}/
POST /api/v1/compositions/{id}/feedback/     {"feedback": "like" | "dislike" | ""}
POST /api/v1/compositions/{id}/regenerate/   -> 202, a new piece
GET  /api/v1/compositions/{id}/audio/ , /midi/
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from diary.selectors import entry_get_visible_to
from moodsite.exception_handlers import RefusedUnderDetail
from music.compositions import services
from music.compositions.mapping import MAX_DURATION_S, MIN_DURATION_S
from music.compositions.models import Composition
from music.compositions.selectors import composition_get_visible_to, composition_list_for_entry
from music.compositions.views import download_name, private_file_response


class CompositionSerializer(serializers.ModelSerializer):
    start = serializers.SerializerMethodField()
    target_point = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()
    audio_mp3_url = serializers.SerializerMethodField()
    midi_url = serializers.SerializerMethodField()

    class Meta:
        model = Composition
        fields = ["id", "entry", "target", "origin", "start", "target_point", "duration_s", "seed",
                  "status", "progress", "error", "audio_url", "audio_mp3_url", "midi_url", "params", "feedback",
                  "created_at", "finished_at"]
        read_only_fields = fields

    def get_start(self, obj: Composition) -> dict:
        return {"source": obj.start_source, "emotion": obj.start_emotion,
                "valence": obj.start_valence, "arousal": obj.start_arousal}

    def get_target_point(self, obj: Composition) -> dict:
        return {"valence": obj.target_valence, "arousal": obj.target_arousal}

    def _url(self, obj: Composition, name: str, field) -> str | None:
        if not field:
            return None
        request = self.context.get("request")
        url = reverse(name, args=[obj.pk])
        return request.build_absolute_uri(url) if request else url

    def get_audio_url(self, obj: Composition) -> str | None:
        return self._url(obj, "api_composition_audio", obj.audio)

    def get_audio_mp3_url(self, obj: Composition) -> str | None:
        return self._url(obj, "api_composition_audio_mp3", obj.audio_mp3)

    def get_midi_url(self, obj: Composition) -> str | None:
        return self._url(obj, "api_composition_midi", obj.midi)


class CompositionRequestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Composition.Target.choices, default=Composition.Target.CALM)
    duration_s = serializers.IntegerField(min_value=MIN_DURATION_S, max_value=MAX_DURATION_S, default=60)


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.ChoiceField(choices=[("", "none"), *Composition.Feedback.choices], allow_blank=True)


def _accepted(request, composition: Composition) -> Response:
    composition.refresh_from_db()
    body = CompositionSerializer(composition, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED)


class EntryCompositionsView(generics.ListAPIView):
    """The pieces composed for one of my entries; POST asks for a new one."""

    serializer_class = CompositionSerializer
    refusal_class = RefusedUnderDetail  # refusals naming no field: {"detail": [sentences]}

    def get_queryset(self):
        entry = entry_get_visible_to(user=self.request.user, entry_id=self.kwargs["entry_id"])
        return composition_list_for_entry(user=self.request.user, entry=entry)

    @extend_schema(request=CompositionRequestSerializer, responses={202: CompositionSerializer})
    def post(self, request, entry_id: int):
        entry = entry_get_visible_to(user=request.user, entry_id=entry_id)
        data = CompositionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        composition = services.composition_request(
            owner=request.user, entry=entry, target=data.validated_data["target"],
            duration_s=data.validated_data["duration_s"],
        )
        return _accepted(request, composition)


class CompositionDetailView(generics.RetrieveDestroyAPIView):
    """One of my pieces: poll it until `status` is "done" (or "failed")."""

    serializer_class = CompositionSerializer

    def get_object(self) -> Composition:
        return composition_get_visible_to(user=self.request.user, composition_id=self.kwargs["pk"])

    def perform_destroy(self, instance: Composition) -> None:
        services.composition_delete(composition=instance)


class CompositionFeedbackView(APIView):
    serializer_class = FeedbackSerializer
    refusal_class = RefusedUnderDetail

    @extend_schema(request=FeedbackSerializer, responses={200: CompositionSerializer})
    def post(self, request, pk: int):
        composition = composition_get_visible_to(user=request.user, composition_id=pk)
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.composition_feedback(composition=composition, value=data.validated_data["feedback"])
        return Response(CompositionSerializer(composition, context={"request": request}).data)


class CompositionRegenerateView(APIView):
    serializer_class = CompositionSerializer
    refusal_class = RefusedUnderDetail

    @extend_schema(request=None, responses={202: CompositionSerializer})
    def post(self, request, pk: int):
        old = composition_get_visible_to(user=request.user, composition_id=pk)
        composition = services.composition_regenerate(composition=old)
        return _accepted(request, composition)


class _FileView(APIView):
    field = ""
    extension = ""
    content_type = ""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")})
    def get(self, request, pk: int):
        composition = composition_get_visible_to(user=request.user, composition_id=pk)
        return private_file_response(
            request, getattr(composition, self.field), content_type=self.content_type,
            filename=download_name(composition, self.extension), attachment=True,
        )


class CompositionAudioView(_FileView):
    """The piece as Ogg Vorbis."""

    field, extension, content_type = "audio", "ogg", "audio/ogg"


class CompositionAudioMp3View(_FileView):
    """The piece as MP3 (for players without Ogg Vorbis)."""

    field, extension, content_type = "audio_mp3", "mp3", "audio/mpeg"


class CompositionMidiView(_FileView):
    """The piece as a Standard MIDI File."""

    field, extension, content_type = "midi", "mid", "audio/midi"
