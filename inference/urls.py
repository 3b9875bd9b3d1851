from django.urls import path

from inference import views

app_name = "inference"

urlpatterns = [
    path("entries/<int:entry_id>/", views.entry_section, name="entry_section"),
    path("entries/<int:entry_id>/status/", views.entry_status, name="entry_status"),
    path("entries/<int:entry_id>/retry/", views.entry_retry, name="entry_retry"),
    path("entries/<int:entry_id>/correction/", views.entry_correction, name="entry_correction"),
]
