from django.urls import include, path

from diary import views

app_name = "diary"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("new/", views.entry_create, name="entry_create"),
    path("<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("<int:entry_id>/photo/", views.entry_photo, name="entry_photo"),
    path("<int:entry_id>/thumbnail/", views.entry_thumbnail, name="entry_thumbnail"),
    path("reminders/", include("diary.reminders.urls")),
]
