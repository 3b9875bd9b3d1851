from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """New people sign up as members and keep the language they signed up in."""

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or ""
        user.language = "ko" if language.startswith("ko") else "en"
        if commit:
            user.save()
        return user
