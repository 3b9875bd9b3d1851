from django.urls import path

from music.compositions import views

app_name = "compositions"

urlpatterns = [
    path("entries/<int:entry_id>/compose/", views.compose, name="compose"),
    path("<int:composition_id>/status/", views.status, name="status"),
    path("<int:composition_id>/audio/", views.audio, name="audio"),
    path("<int:composition_id>/audio.mp3", views.audio_mp3, name="audio_mp3"),
    path("<int:composition_id>/midi/", views.midi, name="midi"),
    path("<int:composition_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:composition_id>/feedback/", views.feedback, name="feedback"),
    path("<int:composition_id>/delete/", views.delete, name="delete"),
]
