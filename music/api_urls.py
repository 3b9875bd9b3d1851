from django.urls import path
from rest_framework.routers import SimpleRouter

from music.api import FeedbackView, RecommendationsView, TrackViewSet

router = SimpleRouter()
router.register("tracks", TrackViewSet, basename="track")

urlpatterns = [
    path("recommendations/", RecommendationsView.as_view(), name="music-recommendations"),
    path("feedback/", FeedbackView.as_view(), name="music-feedback"),
    *router.urls,
]
