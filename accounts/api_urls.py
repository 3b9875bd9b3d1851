from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from accounts.api import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api_me"),
    # POST e-mail (as "username") and password; returns {"token": ...} for the Authorization header.
    path("auth/token/", obtain_auth_token, name="api_token"),
]
