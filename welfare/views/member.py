"""The member's side: link to a centre with its code, consent per scope, withdraw, see who looked."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from welfare import selectors, services
from welfare.forms import ConsentForm, LinkCodeForm
from welfare.models import AccessLog, ConsentText, Organisation
from welfare.security import LINK_CODE_ACTION, link_code_key

PENDING_ORG_SESSION_KEY = "welfare.link_organisation"
# Ten wrong codes an hour per person (ACCOUNT_RATE_LIMITS["welfare_link_code"]): plenty for typos,
# useless for guessing 32**8 codes.
ACCESS_LOG_PER_PAGE = 30


def _care_page(request: HttpRequest, form: LinkCodeForm, status: int = 200) -> HttpResponse:
    binding_version = selectors.binding_consent_version()
    consents = list(selectors.consent_list_of(member=request.user))
    for consent in consents:
        consent.needs_renewal = selectors.consent_needs_renewal(consent=consent, binding_version=binding_version)
    return render(request, "welfare/care.html", {"consents": consents, "form": form}, status=status)


@login_required
def care(request: HttpRequest) -> HttpResponse:
    return _care_page(request, LinkCodeForm())


@login_required
@require_POST
def link(request: HttpRequest) -> HttpResponse:
    form = LinkCodeForm(request.POST)
    if not ratelimit.consume(request, action=LINK_CODE_ACTION, key=link_code_key(request.user)):
        form.add_error(None, _("Too many codes were tried. Please wait an hour, or ask your centre for help."))
        return _care_page(request, form, status=429)
    if not form.is_valid():
        return _care_page(request, form, status=400)
    organisation = services.organisation_find_by_code(code=form.cleaned_data["code"])
    if organisation is None:
        form.add_error("code", _("No centre has this code. Please check it with your centre and try again."))
        return _care_page(request, form, status=400)
    ratelimit.clear(request, action=LINK_CODE_ACTION, key=link_code_key(request.user))
    existing = request.user.welfare_consents.filter(organisation=organisation).first()
    if existing is not None:
        return redirect("welfare:consent_edit", consent_id=existing.pk)
    request.session[PENDING_ORG_SESSION_KEY] = organisation.pk
    return redirect("welfare:consent_new")


def _consent_page(
    request: HttpRequest,
    *,
    organisation: Organisation,
    text: ConsentText,
    form: ConsentForm,
    consent=None,
    status: int = 200,
) -> HttpResponse:
    other = "en" if (request.LANGUAGE_CODE or "").startswith("ko") else "ko"
    shown = request.GET.get("text") if request.GET.get("text") in ("en", "ko") else request.LANGUAGE_CODE
    return render(
        request,
        "welfare/consent.html",
        {
            "organisation": organisation,
            "text": text,
            "body": text.body_for(shown),
            "form": form,
            "consent": consent,
            "other_language": other,
        },
        status=status,
    )


def _grant(request: HttpRequest, *, organisation: Organisation, form: ConsentForm):
    text = ConsentText.objects.filter(version=form.cleaned_data["text_version"]).first()
    if text is None:
        raise ValidationError(_("The consent text changed while you were reading it. Please read it again."))
    return services.consent_grant(
        client=request.user,
        organisation=organisation,
        text=text,
        share_mood=form.cleaned_data["share_mood"],
        share_text=form.cleaned_data["share_text"],
        share_checks=form.cleaned_data["share_checks"],
    )


def _no_text(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Linking is not open yet: no consent text has been published. Please try later."))
    return redirect("welfare:care")


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest) -> HttpResponse:
    organisation = Organisation.objects.filter(pk=request.session.get(PENDING_ORG_SESSION_KEY)).first()
    if organisation is None:
        messages.info(request, _("Please enter your centre's code first."))
        return redirect("welfare:care")
    text = selectors.current_consent_text()
    if text is None:
        return _no_text(request)
    form = ConsentForm(request.POST or None, initial={"text_version": text.version})
    if request.method == "POST" and form.is_valid():
        try:
            _grant(request, organisation=organisation, form=form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(PENDING_ORG_SESSION_KEY, None)
            messages.success(request, _("You are now linked with %(name)s.") % {"name": organisation.name})
            return redirect("welfare:care")
    status = 400 if request.method == "POST" else 200
    return _consent_page(request, organisation=organisation, text=text, form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consent_edit(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Change what is shared, give consent again to a new text, or link again after withdrawing."""
    consent = selectors.consent_get_of(member=request.user, consent_id=consent_id)
    text = selectors.current_consent_text()
    if text is None:
        return _no_text(request)
    agreed_to_this_text = consent.is_active and consent.text_version == text.version
    initial = {
        "text_version": text.version,
        "share_mood": agreed_to_this_text,
        "share_text": agreed_to_this_text and consent.share_text,
        "share_checks": agreed_to_this_text and consent.share_checks,
    }
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _grant(request, organisation=consent.organisation, form=form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your choices for %(name)s were saved.") % {"name": consent.organisation.name})
            return redirect("welfare:care")
    status = 400 if request.method == "POST" else 200
    return _consent_page(
        request, organisation=consent.organisation, text=text, form=form, consent=consent, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get_of(member=request.user, consent_id=consent_id)
    if request.method == "POST":
        services.consent_withdraw(consent=consent)
        messages.success(
            request,
            _("You stopped sharing with %(name)s. From now on no one there can see your diary data.")
            % {"name": consent.organisation.name},
        )
        return redirect("welfare:care")
    return render(request, "welfare/consent_withdraw.html", {"consent": consent})


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.access_log_of(member=request.user), ACCESS_LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    labels = dict(AccessLog.Action.choices)
    for row in page.object_list:
        row["what"] = labels.get(row["action"], row["action"])
    return render(request, "welfare/access_log.html", {"page": page})
