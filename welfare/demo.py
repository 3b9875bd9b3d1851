"""Demo data for welfare, called by `manage.py load_demo_data`: a centre, the demo caseworker as
its member, and the demo member linked to it with consent and assigned to the caseworker."""

from django.db import transaction

from accounts.models import User
from welfare import services
from welfare.evaluation import alerts_evaluate
from welfare.models import Membership, Organisation
from welfare.selectors import current_consent_text

DEMO_ORGANISATION = "하늘종합사회복지관 (demo)"
DEMO_CODE = "HANEUL24"


def load_demo(*, member: User, caseworker: User, stdout) -> None:
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            code=DEMO_CODE, defaults={"name": DEMO_ORGANISATION, "contact": "02-000-0000"}
        )
        Membership.objects.get_or_create(organisation=organisation, caseworker=caseworker)
        text = current_consent_text()
        consent = services.consent_grant(
            client=member, organisation=organisation, text=text, share_mood=True, share_text=True
        )
        services.consent_assign(consent=consent, caseworker=caseworker)
    result = alerts_evaluate(client_ids=[member.pk], notify=False)
    stdout.write(
        f"Welfare: {organisation.name} (code {organisation.code}); {member.email} shares mood and entry text "
        f"with {caseworker.email}; {result.opened} alert(s) open."
    )
    stdout.write("  The caseworker sets up two-factor sign-in (an authenticator app) on first visit to the dashboard.")
