from django.urls import path

from diary.tracker.api import MoodSummaryAPIView

urlpatterns = [
    path("mood/summary/", MoodSummaryAPIView.as_view(), name="mood-summary"),
]
