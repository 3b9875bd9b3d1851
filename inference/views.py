"""The analysis part of an entry page: its fragment and status (for polling), retry, correction.

Every view reads the entry through the diary's visibility selector: a stranger gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inference import services
from inference.forms import CorrectionForm
from inference.selectors import Analysis, analysis_get_visible_to
from inference.templatetags.inference_analysis import section_context
from moodsite.emotions import EMOTION_LABELS


def _announcement(analysis: Analysis) -> str:
    if analysis.status == "running":
        return _("Your entry is being read.")
    if analysis.status == "pending":
        return _("Your entry is queued to be read.")
    if analysis.can_correct:
        return _("The reading is ready: %(emotion)s.") % {"emotion": EMOTION_LABELS[analysis.result.emotion]}
    if analysis.abstained:
        if analysis.result.disagreement:
            return _("The reading is ready: your face and your words seem to say different things.")
        return _("The reading is ready: I can't tell how you feel from this entry.")
    if analysis.status == "no_face":
        return _("The reading is ready: no face was found.")
    if analysis.status == "failed":
        return _("Your entry could not be read.")
    return ""


@login_required
@require_GET
def entry_status(request: HttpRequest, entry_id: int) -> JsonResponse:
    """Small and cheap, for the page to poll while the entry is queued or being read."""
    analysis = services.analysis_get_polled(user=request.user, entry_id=entry_id)
    response = JsonResponse({
        "status": analysis.status,
        "status_label": analysis.status_label,
        "final": not analysis.is_waiting,
        "announcement": _announcement(analysis),
    })
    return response


@login_required
@require_GET
def entry_section(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The section alone, swapped into the page when the status changes."""
    analysis = analysis_get_visible_to(user=request.user, entry_id=entry_id)
    response = render(request, "inference/_analysis_section.html",
                      section_context(analysis=analysis, request=request))
    return response


@login_required
@require_POST
def entry_retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    analysis = analysis_get_visible_to(user=request.user, entry_id=entry_id)
    try:
        services.analysis_retry(entry=analysis.entry)
    except services.RetryRefused:
        messages.info(request, _("This entry is not waiting for a retry."))
    else:
        messages.success(request, _("Your entry will be read again."))
    return redirect("diary:entry_detail", entry_id=analysis.entry.pk)


@login_required
@require_POST
def entry_correction(request: HttpRequest, entry_id: int) -> HttpResponse:
    analysis = analysis_get_visible_to(user=request.user, entry_id=entry_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("emotion", [_("Please choose how you feel.")])))
    else:
        try:
            services.correction_set(entry=analysis.entry, emotion=form.cleaned_data["emotion"])
        except services.CorrectionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you. We noted how you feel."))
    return redirect(reverse("diary:entry_detail", args=[analysis.entry.pk]) + "#analysis")
