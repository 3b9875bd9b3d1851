from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("export/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="account_delete"),
]
