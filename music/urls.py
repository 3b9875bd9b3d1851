from django.urls import path

from music import views

app_name = "music"

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.preferences, name="preferences"),
    path("entries/<int:entry_id>/session/<str:target>/", views.session, name="session"),
    path("feedback/", views.feedback, name="feedback"),
    path("play/<int:item_id>/", views.play, name="play"),
    path("tracks/<int:track_id>/audio/", views.track_audio, name="track_audio"),
]
