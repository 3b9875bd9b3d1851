"""The analysis as JSON: one shape for the API and for the page's status polling."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inference.models import AbstainReason, AnalysisResult, Correction
from inference.selectors import Analysis
from moodsite.emotions import EMOTION_CHOICES, EMOTIONS

DISCLAIMER = _(
    "This is an automatic reading to help you keep a mood journal. It can be wrong, and it is "
    "not a diagnosis."
)


class Probabilities(serializers.DictField):
    """The seven emotions, always in the same order (PostgreSQL's jsonb does not keep key order)."""

    child = serializers.FloatField()

    def to_representation(self, value):
        if value is None:
            return None
        return {name: value[name] for name in EMOTIONS if name in value}


class FaceReadingSerializer(serializers.Serializer):
    found = serializers.BooleanField(source="face_found")
    faces = serializers.IntegerField()
    box = serializers.ListField(child=serializers.IntegerField(), source="face_box", allow_null=True,
                                help_text="x, y, width, height of the face, in the upright photo")
    probabilities = Probabilities(source="face_probabilities",
                                          allow_null=True)
    confidence = serializers.FloatField(source="face_confidence", allow_null=True)


class TextReadingSerializer(serializers.Serializer):
    probabilities = Probabilities(source="text_probabilities")
    confidence = serializers.FloatField(source="text_confidence", allow_null=True)


class _ReadingPartsSerializer(serializers.Serializer):
    """The face and the words' parts of a reading, each null when the entry had none."""

    face = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    @extend_schema_field(FaceReadingSerializer(allow_null=True))
    def get_face(self, result: AnalysisResult) -> dict | None:
        return FaceReadingSerializer(result).data if result.has_photo else None

    @extend_schema_field(TextReadingSerializer(allow_null=True))
    def get_text(self, result: AnalysisResult) -> dict | None:
        return TextReadingSerializer(result).data if result.text_probabilities is not None else None


class ReadingSerializer(_ReadingPartsSerializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    emotion_label = serializers.CharField(source="get_emotion_display")
    confidence = serializers.FloatField()
    valence = serializers.FloatField()
    arousal = serializers.FloatField()
    certainty = serializers.SerializerMethodField(help_text='the confidence in words: "probably" or "maybe"')
    source = serializers.ChoiceField(choices=AnalysisResult.Source.choices,
                                     help_text="which reading the emotion comes from")
    source_label = serializers.CharField(source="get_source_display")
    probabilities = Probabilities(source="combined_probabilities",
                                          help_text="the seven emotions, summing to 1")
    model = serializers.CharField(source="model_key")

    def get_certainty(self, result: AnalysisResult) -> str:
        from inference.selectors import PROBABLY_FROM

        return "probably" if (result.confidence or 0.0) >= PROBABLY_FROM else "maybe"


class AbstentionSerializer(_ReadingPartsSerializer):
    """Why there is no confident reading: the parts that could not tell, a face problem, a disagreement."""

    reason = serializers.ChoiceField(choices=AbstainReason.choices, source="abstain_reason")
    reason_label = serializers.CharField(source="get_abstain_reason_display")
    face_abstained = serializers.BooleanField()
    text_abstained = serializers.BooleanField()
    disagreement = serializers.BooleanField()
    face_quality = serializers.CharField(help_text="too_small, blurred, dark, turned_away, covered, or empty")
    probabilities = Probabilities(source="combined_probabilities", allow_null=True,
                                  help_text="the unsure reading, for reference only: nothing acts on it")


class CorrectionSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, source="corrected_emotion")
    kind = serializers.ChoiceField(choices=Correction.Kind.choices,
                                   help_text="confirmed, corrected, or chosen (the reading had abstained)")
    predicted_emotion = serializers.CharField()
    updated_at = serializers.DateTimeField()


class AnalysisSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="entry.pk")
    status = serializers.ChoiceField(choices=["none", "pending", "running", "done", "no_face", "failed"])
    status_label = serializers.CharField()
    final = serializers.SerializerMethodField()
    reason = serializers.CharField(help_text="why there is no reading, in words for the person")
    attempts = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(source="job.requested_at", allow_null=True, default=None)
    finished_at = serializers.DateTimeField(source="job.finished_at", allow_null=True, default=None)
    reading = serializers.SerializerMethodField()
    abstention = serializers.SerializerMethodField()
    correction = CorrectionSerializer(allow_null=True)
    disclaimer = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def get_final(self, analysis: Analysis) -> bool:
        return not analysis.is_waiting

    def get_attempts(self, analysis: Analysis) -> int:
        return analysis.job.attempts if analysis.job is not None else 0

    @extend_schema_field(ReadingSerializer(allow_null=True))
    def get_reading(self, analysis: Analysis) -> dict | None:
        return ReadingSerializer(analysis.result).data if analysis.can_correct else None

    @extend_schema_field(AbstentionSerializer(allow_null=True))
    def get_abstention(self, analysis: Analysis) -> dict | None:
        return AbstentionSerializer(analysis.result).data if analysis.abstained else None

    def get_disclaimer(self, analysis: Analysis) -> str:
        return str(DISCLAIMER)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_links(self, analysis: Analysis) -> dict:
        entry_id = analysis.entry.pk
        return {
            "retry": reverse("api_analysis_retry", args=[entry_id]),
            "correction": reverse("api_analysis_correction", args=[entry_id]),
        }


class CorrectionRequestSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, help_text="how the person really feels")
