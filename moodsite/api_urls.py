"""Everything under /api/v1/. Each app lists its own endpoints in its api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("diary.api_urls")),
    path("", include("diary.tracker.api_urls")),
    path("", include("inference.api_urls")),
    path("", include("music.api_urls")),
    path("", include("music.compositions.api_urls")),
    path("", include("welfare.api_urls")),
]
