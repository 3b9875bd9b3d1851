"""Staff see how the pipeline is doing and the people's corrections as labelled examples, never the
entries' text or photos (those are the owner's alone)."""

from django.contrib import admin, messages
from django.http import HttpResponse

from inference import services
from inference.models import AnalysisJob, AnalysisResult, Correction, ModelVersion
from inference.training_examples import as_csv, as_json, correction_rows


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "kind", "active", "deployed_at", "checksum"]
    list_filter = ["kind", "active"]
    fields = ["kind", "name", "version", "checksum", "metrics", "deployed_at", "active"]
    readonly_fields = fields


@admin.register(AnalysisJob)
class AnalysisJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "entry_id", "status", "reason", "attempts", "priority", "requested_at",
                    "finished_at"]
    list_filter = ["status", "priority"]
    fields = ["entry", "status", "reason", "attempts", "priority", "claimed_by", "claimed_at",
              "requested_at", "finished_at", "result"]
    readonly_fields = fields
    actions = ["retry_failed"]

    @admin.action(description="Try the selected failed analyses again")
    def retry_failed(self, request, queryset) -> None:
        retried = 0
        for job in queryset.filter(status=AnalysisJob.Status.FAILED).select_related("entry"):
            services.analysis_retry(entry=job.entry)
            retried += 1
        self.message_user(request, f"{retried} analyses queued again.", messages.SUCCESS)


@admin.register(AnalysisResult)
class AnalysisResultAdmin(ReadOnlyAdmin):
    list_display = ["id", "entry_id", "emotion", "confidence", "source", "face_found", "model_key",
                    "updated_at"]
    list_filter = ["emotion", "source", "face_found", "abstained", "abstain_reason", "disagreement", "face_quality",
                   "model_key"]
    fields = ["entry", "model_key", "face_model", "text_model", "has_photo", "face_found", "faces",
              "face_box", "face_probabilities", "text_probabilities", "combined_probabilities", "source",
              "emotion", "confidence", "valence", "arousal", "abstained", "abstain_reason", "face_abstained",
              "text_abstained", "disagreement", "face_quality", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Each row is a labelled example: what the models said, and what the person says they felt."""

    list_display = ["entry_id", "kind", "predicted_emotion", "corrected_emotion", "predicted_source",
                    "predicted_face_emotion", "predicted_text_emotion", "model_key", "updated_at"]
    list_filter = ["kind", "corrected_emotion", "predicted_emotion", "predicted_source", "predicted_abstained",
                   "model_key"]
    fields = ["entry", "predicted_emotion", "predicted_source", "predicted_face_emotion",
              "predicted_text_emotion", "predicted_confidence", "predicted_abstained", "predicted_abstain_reason",
              "kind", "corrected_emotion", "model_key", "created_at", "updated_at"]
    readonly_fields = fields
    actions = ["export_csv", "export_json"]

    @admin.action(description="Export the selected corrections for retraining (CSV)")
    def export_csv(self, request, queryset) -> HttpResponse:
        return _download(as_csv(correction_rows(queryset.select_related("entry"))), "text/csv", "csv")

    @admin.action(description="Export the selected corrections for retraining (JSON)")
    def export_json(self, request, queryset) -> HttpResponse:
        rows = correction_rows(queryset.select_related("entry"))
        return _download(as_json(rows), "application/json", "json")


def _download(text: str, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="corrections.{extension}"'
    return response
