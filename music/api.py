from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from diary.selectors import entry_get_visible_to, entry_list_visible_to
from inference.selectors import entry_mood
from music import matching, services
from music.links import youtube_embed_url
from music.models import Feedback, MoodTag, Track


class MoodTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = MoodTag
        fields = ["slug", "name_en", "name_ko", "valence", "arousal"]


class TrackSerializer(serializers.ModelSerializer):
    mood_tags = MoodTagSerializer(many=True, read_only=True)
    embed_url = serializers.SerializerMethodField()
    has_audio = serializers.SerializerMethodField()

    class Meta:
        model = Track
        fields = ["id", "title", "artist", "album", "year", "duration_seconds", "youtube_url", "lastfm_url",
                  "link_url", "embed_url", "has_audio", "licence", "attribution", "language", "genre",
                  "mood_tags", "valence", "arousal", "tempo_bpm", "key", "mode"]
        read_only_fields = fields

    def get_embed_url(self, track: Track) -> str | None:
        return youtube_embed_url(track.youtube_url)

    def get_has_audio(self, track: Track) -> bool:
        return bool(track.audio)


class TrackViewSet(viewsets.ReadOnlyModelViewSet):
    """The active catalogue. Filters: ?mood=<tag slug>, ?language=ko, ?genre=, ?q=<title or artist>."""

    serializer_class = TrackSerializer

    def get_queryset(self):
        tracks = Track.objects.filter(is_active=True).prefetch_related("mood_tags").order_by("artist", "title", "pk")
        params = self.request.query_params
        if params.get("mood"):
            tracks = tracks.filter(mood_tags__slug=params["mood"])
        if params.get("language"):
            tracks = tracks.filter(language=params["language"])
        if params.get("genre"):
            tracks = tracks.filter(genre__iexact=params["genre"])
        if params.get("q"):
            tracks = tracks.filter(Q(title__icontains=params["q"]) | Q(artist__icontains=params["q"]))
        return tracks.distinct()


class RecommendationItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    score = serializers.FloatField()
    reason = serializers.CharField()
    reasons = serializers.DictField(child=serializers.CharField())
    track = TrackSerializer()


class RecommendationMoodSerializer(serializers.Serializer):
    source = serializers.CharField()
    emotion = serializers.CharField()
    valence = serializers.FloatField()
    arousal = serializers.FloatField()


class RecommendationsSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    strategy = serializers.CharField()
    target = serializers.CharField(allow_blank=True)
    mood = RecommendationMoodSerializer(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    items = RecommendationItemSerializer(many=True)


class RecommendationQuerySerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1)
    strategy = serializers.ChoiceField(choices=matching.STRATEGIES, default=matching.DEFAULT_STRATEGY)
    target = serializers.ChoiceField(choices=list(matching.TARGETS), required=False)
    n = serializers.IntegerField(min_value=1, max_value=matching.MAX_COUNT, required=False)
    fresh = serializers.BooleanField(default=False)


class RecommendationsView(APIView):
    """Music for one of my entries. The default strategy's list is computed when the entry's
    analysis finishes and read from storage; other strategies and targets are computed here."""

    @extend_schema(
        parameters=[
            OpenApiParameter("entry", int, required=True, description="An entry of mine."),
            OpenApiParameter("strategy", str, enum=list(matching.STRATEGIES), description="match, lift or calm"),
            OpenApiParameter("target", str, enum=list(matching.TARGETS), description="Where a lift session leads."),
            OpenApiParameter("n", int, description="How many tracks (1–50)."),
            OpenApiParameter("fresh", bool, description="Compute anew instead of reading the stored list."),
        ],
        responses=RecommendationsSerializer,
    )
    def get(self, request):
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        entry = entry_get_visible_to(user=request.user, entry_id=params["entry"])  # 404 for others' entries
        recommendation_set = services.recommendations_get(
            entry=entry, strategy=params["strategy"], target=params.get("target"), n=params.get("n"),
            fresh=params["fresh"],
        )
        mood = entry_mood(entry=entry)
        items = [
            {
                "position": item.position,
                "score": item.score,
                "reason": item.reason,
                "reasons": item.reasons,
                "track": item.track,
            }
            for item in services.recommendation_items(recommendation_set)
        ]
        strategy = params["strategy"]
        data = {
            "entry": entry.pk,
            "strategy": strategy,
            "target": (params.get("target") or matching.DEFAULT_TARGET) if strategy == "lift" else "",
            "mood": None if mood is None else {
                "source": mood.source, "emotion": mood.emotion, "valence": mood.valence, "arousal": mood.arousal},
            "created_at": recommendation_set.created_at if recommendation_set else None,
            "items": items,
        }
        return Response(RecommendationsSerializer(data, context={"request": request}).data)


class TrackFeedbackSerializer(serializers.ModelSerializer):
    track = serializers.PrimaryKeyRelatedField(queryset=Track.objects.filter(is_active=True))
    entry = serializers.IntegerField(required=False, allow_null=True, source="entry_id")

    class Meta:
        model = Feedback
        fields = ["id", "track", "action", "entry", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_entry(self, value):
        if value is None:
            return None
        if not entry_list_visible_to(user=self.context["request"].user).filter(pk=value).exists():
            raise serializers.ValidationError("No such entry.")
        return value


class FeedbackView(generics.ListCreateAPIView):
    """My feedback on tracks: POST {track, action: play|like|skip|dislike, entry?}."""

    serializer_class = TrackFeedbackSerializer

    def get_queryset(self):
        return Feedback.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        entry = None
        if data.get("entry_id"):
            entry = entry_get_visible_to(user=self.request.user, entry_id=data["entry_id"])
        serializer.instance = services.feedback_record(
            user=self.request.user, track=data["track"], action=data["action"], entry=entry
        )
