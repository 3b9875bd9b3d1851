from django.urls import path

from welfare.views import caseworker, member, onboarding

app_name = "welfare"

urlpatterns = [
    # The member's side
    path("", member.care, name="care"),
    path("link/", member.link, name="link"),
    path("consent/new/", member.consent_new, name="consent_new"),
    path("consent/<int:consent_id>/", member.consent_edit, name="consent_edit"),
    path("consent/<int:consent_id>/withdraw/", member.consent_withdraw, name="consent_withdraw"),
    path("access-log/", member.access_log, name="access_log"),
    # The caseworker's side
    path("dashboard/", caseworker.dashboard, name="dashboard"),
    path("two-factor/", onboarding.two_factor_start, name="two_factor_start"),
    path("clients/<int:consent_id>/", caseworker.client_detail, name="client_detail"),
    path("clients/<int:consent_id>/entries/", caseworker.client_entries, name="client_entries"),
    path("clients/<int:consent_id>/notes/", caseworker.note_add, name="note_add"),
    path("alerts/<int:alert_id>/acknowledge/", caseworker.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_id>/resolve/", caseworker.alert_resolve, name="alert_resolve"),
]
