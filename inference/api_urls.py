from django.urls import path

from inference import api

urlpatterns = [
    path("entries/<int:entry_id>/analysis/", api.AnalysisApi.as_view(), name="api_analysis"),
    path("entries/<int:entry_id>/analysis/retry/", api.AnalysisRetryApi.as_view(), name="api_analysis_retry"),
    path("entries/<int:entry_id>/analysis/correction/", api.AnalysisCorrectionApi.as_view(),
         name="api_analysis_correction"),
]
