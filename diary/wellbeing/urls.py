from django.urls import path

from diary.wellbeing import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.crisis_help, name="help"),
    path("prompt/", views.prompt, name="prompt"),
    path("check/phq/", views.phq_screen, name="phq"),
    path("check/phq/<int:check_id>/", views.phq_rest, name="phq_rest"),
    path("check/done/", views.done, name="done"),
    path("check/<slug:code>/", views.questionnaire, name="questionnaire"),
]
