"""A caseworker's first sign-in, as one guided path:

sign-in -> what an authenticator app is (this view) -> QR code and the key to type (allauth's
mfa_activate_totp, our template) -> one code -> the recovery codes, with "I have saved them,
continue" (allauth's mfa_view_recovery_codes, our template) -> the dashboard.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from welfare.security import totp_authenticator


@login_required
def two_factor_start(request: HttpRequest) -> HttpResponse:
    if not request.user.is_caseworker:
        return render(request, "welfare/caseworkers_only.html", status=403)
    if totp_authenticator(request.user) is not None:
        return redirect("welfare:dashboard")
    return render(request, "welfare/two_factor_start.html")
