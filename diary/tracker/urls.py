from django.urls import path

from diary.tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pixels/", views.pixels, name="pixels"),
    path("report/", views.report, name="report"),
    path("day/<str:day>/", views.day, name="day"),
    path("preference/", views.preference, name="preference"),
    path("export/mood-history.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export/mood-history.json", views.export, {"fmt": "json"}, name="export_json"),
]
