from django.urls import path

from music.compositions import api

urlpatterns = [
    path("entries/<int:entry_id>/compositions/", api.EntryCompositionsView.as_view(),
         name="api_entry_compositions"),
    path("compositions/<int:pk>/", api.CompositionDetailView.as_view(), name="api_composition"),
    path("compositions/<int:pk>/feedback/", api.CompositionFeedbackView.as_view(),
         name="api_composition_feedback"),
    path("compositions/<int:pk>/regenerate/", api.CompositionRegenerateView.as_view(),
         name="api_composition_regenerate"),
    path("compositions/<int:pk>/audio/", api.CompositionAudioView.as_view(), name="api_composition_audio"),
    path("compositions/<int:pk>/audio.mp3", api.CompositionAudioMp3View.as_view(), name="api_composition_audio_mp3"),
    path("compositions/<int:pk>/midi/", api.CompositionMidiView.as_view(), name="api_composition_midi"),
]
