"""The welfare part of "download all my data": links, consent records, alerts and notes about
the member, and who looked at their data."""

from accounts.models import User
from welfare.models import Alert, CaseNote, ConsentEvent
from welfare.selectors import access_rows_of


def export_user_data(user: User) -> dict:
    consents = list(user.welfare_consents.select_related("organisation").order_by("pk"))
    return {
        "links": [
            {
                "organisation": c.organisation.name,
                "status": c.status,
                "share_mood_scores_and_activity": c.share_mood,
                "share_entry_text": c.share_text,
                "share_wellbeing_checks": c.share_checks,
                "consent_text_version": c.text_version,
                "granted_at": c.granted_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in consents
        ],
        "consent_records": [
            {
                "organisation": e.consent.organisation.name,
                "action": e.action,
                "at": e.at.isoformat(),
                "share_mood_scores_and_activity": e.share_mood,
                "share_entry_text": e.share_text,
                "share_wellbeing_checks": e.share_checks,
                "consent_text_version": e.text_version,
            }
            for e in ConsentEvent.objects.filter(consent__client=user)
            .select_related("consent__organisation")
            .order_by("at", "pk")
        ],
        "alerts": [
            {
                "organisation": a.consent.organisation.name,
                "kind": a.kind,
                "status": a.status,
                "reason": a.reason,
                "evidence": a.evidence,
                "opened_at": a.opened_at.isoformat(),
                "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None,
                "resolution_note": a.resolution_note,
            }
            for a in Alert.objects.filter(consent__client=user)
            .select_related("consent__organisation")
            .order_by("opened_at", "pk")
        ],
        "case_notes": [
            {
                "organisation": n.consent.organisation.name,
                "author": n.author_name,
                "text": n.text,
                "created_at": n.created_at.isoformat(),
            }
            for n in CaseNote.objects.filter(consent__client=user)
            .select_related("consent__organisation")
            .order_by("created_at", "pk")
        ],
        "access_log": [
            {
                "who": log.viewer_name,
                "organisation": log.organisation_name,
                "what": log.action,
                "at": log.at.isoformat(),
            }
            for log in access_rows_of(member=user).order_by("at", "pk")
        ],
        "caseworker_of": [m.organisation.name for m in user.welfare_memberships.select_related("organisation")],
    }


def export_user_files(user: User):
    return []
