from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from moodsite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("diary/", include("diary.urls")),
    path("tracker/", include("diary.tracker.urls")),
    path("wellbeing/", include("diary.wellbeing.urls")),
    path("analysis/", include("inference.urls")),
    path("music/compositions/", include("music.compositions.urls")),
    path("music/", include("music.urls")),
    path("welfare/", include("welfare.urls")),
    path("api/v1/", include("moodsite.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("admin/", admin.site.urls),
]
