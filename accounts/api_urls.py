from django.urls import path

from accounts.api import MeView, TokenSignInView

urlpatterns = [
    path("me/", MeView.as_view(), name="api_me"),
    # POST e-mail (as "username") and password; returns {"token": ...} for the Authorization header.
    path("auth/token/", TokenSignInView.as_view(), name="api_token"),
]
