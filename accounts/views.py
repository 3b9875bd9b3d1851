from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services, tokens
from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.models import User


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # In the language just chosen: the page that shows it will be in that language.
        with translation.override(user.language or translation.get_language()):
            messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        if request.user.language:
            response.set_cookie("django_language", request.user.language, samesite="Lax")
        return response
    return render(
        request, "accounts/profile.html",
        {"form": form, "api_tokens": tokens.api_token_list_of(user=request.user)},
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    tokens.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("That device was signed out."))
    return redirect("accounts:profile")


@login_required
@require_POST
def api_token_revoke_all(request: HttpRequest) -> HttpResponse:
    tokens.api_token_revoke_all(user=request.user)
    messages.success(request, _("All your devices were signed out of the app."))
    return redirect("accounts:profile")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    archive = services.user_data_export(user=request.user)
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="moodsite-my-data-{stamp}.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.user_delete(user=user)
        messages.success(request, _("Your account and everything in it were deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language choice. For a signed-in person it is their profile's language too
    (which otherwise wins over the cookie on every page, so the choice seemed to do nothing)."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values and request.user.language != language:
        User.objects.filter(pk=request.user.pk).update(language=language)
        request.user.language = language
    return django_set_language(request)
