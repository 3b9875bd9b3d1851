"""The wellbeing pages. Thin: build the form, call the service, pick the next page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diary.services import today_for
from diary.wellbeing import instruments, selectors, services
from diary.wellbeing.forms import QuestionnaireForm

PHQ_REST = tuple(item.code for item in instruments.PHQ9_INSTRUMENT.items if item.code not in instruments.PHQ2_ITEMS)


def _next_url(request: HttpRequest, after: str) -> str:
    following = selectors.next_after(request.user, after, today_for(request.user))
    if following is None:
        return reverse("wellbeing:done")
    return reverse("wellbeing:questionnaire", args=[following])


def _page(request: HttpRequest, form: QuestionnaireForm, *, step: str, status: int = 200) -> HttpResponse:
    order = selectors.sequence_for(request.user, today_for(request.user))
    context = {
        "form": form,
        "instrument": form.instrument,
        "step": step,
        "position": order.index(form.instrument.code) + 1,
        "steps": len(order),
    }
    return render(request, "wellbeing/questionnaire.html", context, status=status)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "trend": [(instruments.INSTRUMENTS[code], rows) for code, rows in selectors.trend(owner=request.user).items()],
        "due": selectors.prompt_due(user=request.user),
        "prompt": selectors.prompt_get(user=request.user),
        "offers_gds": instruments.GDS15 in selectors.sequence_for(request.user, today_for(request.user)),
        "instruments": instruments.INSTRUMENTS,
    }
    return render(request, "wellbeing/home.html", context)


@require_GET
def crisis_help(request: HttpRequest) -> HttpResponse:
    """Open to everyone, signed in or not: it holds no one's data, only where to find help now."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    return render(request, "wellbeing/help.html", {"next_url": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def phq_screen(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST or None, instrument=instruments.PHQ9_INSTRUMENT,
                             item_codes=instruments.PHQ2_ITEMS)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, step="screen", status=400)
        check = services.phq_screen_submit(owner=request.user, answers=form.cleaned_data)
        if not check.completed:
            return redirect("wellbeing:phq_rest", check_id=check.pk)
        return redirect(_next_url(request, instruments.PHQ9))
    return _page(request, form, step="screen")


@login_required
@require_http_methods(["GET", "POST"])
def phq_rest(request: HttpRequest, check_id: int) -> HttpResponse:
    check = selectors.check_get_open(user=request.user, check_id=check_id)
    form = QuestionnaireForm(request.POST or None, instrument=instruments.PHQ9_INSTRUMENT, item_codes=PHQ_REST)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, step="rest", status=400)
        check = services.phq_rest_submit(check=check, answers=form.cleaned_data)
        following = _next_url(request, instruments.PHQ9)
        if instruments.phq_item9_positive(check.answers):
            return redirect(f"{reverse('wellbeing:help')}?next={following}")
        return redirect(following)
    return _page(request, form, step="rest")


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    if code not in selectors.sequence_for(request.user, today_for(request.user)) or code == instruments.PHQ9:
        raise Http404("No such questionnaire.")
    instrument = instruments.INSTRUMENTS[code]
    form = QuestionnaireForm(request.POST or None, instrument=instrument,
                             item_codes=tuple(item.code for item in instrument.items))
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, step="all", status=400)
        services.check_submit(owner=request.user, instrument=code, answers=form.cleaned_data)
        return redirect(_next_url(request, code))
    return _page(request, form, step="all")


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    today = today_for(request.user)
    rows = [row for row in selectors.check_rows(owner=request.user, since=today)]
    latest = {row.instrument: row for row in rows}  # the last of each today
    return render(request, "wellbeing/done.html", {"rows": list(latest.values())})


@login_required
@require_POST
def prompt(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "snooze":
        services.prompt_snooze(user=request.user)
        messages.info(request, _("We will ask again in a few days."))
    elif action in ("off", "on"):
        services.prompt_set_enabled(user=request.user, enabled=action == "on")
        messages.success(request, _("We will offer the wellbeing check every two weeks.") if action == "on"
                         else _("We will not offer the wellbeing check again. You can start it here at any time."))
    else:
        messages.error(request, _("Please choose one of the buttons."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("wellbeing:home")
    return redirect(next_url)
