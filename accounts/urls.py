from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("devices/<int:token_id>/sign-out/", views.api_token_revoke, name="api_token_revoke"),
    path("devices/sign-out/", views.api_token_revoke_all, name="api_token_revoke_all"),
    path("export/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="account_delete"),
]
