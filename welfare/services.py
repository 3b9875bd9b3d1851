"""Writes in welfare: consent, assignment, the alert lifecycle, case notes and the access log.

Views and API views call these; the alert rules run in welfare.evaluation.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from welfare.models import (
    AccessLog,
    Alert,
    CaseNote,
    Consent,
    ConsentEvent,
    ConsentText,
    Membership,
    Organisation,
    RefusedAccess,
    normalise_code,
)


def organisation_find_by_code(*, code: str) -> Organisation | None:
    code = normalise_code(code or "")
    if not code:
        return None
    return Organisation.objects.filter(code=code).first()


def _record(consent: Consent, action: str, at) -> None:
    ConsentEvent.objects.create(
        consent=consent,
        action=action,
        share_mood=consent.share_mood,
        share_text=consent.share_text,
        share_checks=consent.share_checks,
        text_version=consent.text_version,
        at=at,
    )


@transaction.atomic
def consent_grant(
    *, client: User, organisation: Organisation, text: ConsentText, share_mood: bool, share_text: bool,
    share_checks: bool = False,
) -> Consent:
    """Give (or give again, or change) consent to `text`; mood scores are required for any link."""
    if not share_mood:
        raise ValidationError(
            _(
                "Sharing your mood scores and activity is needed to link with a centre. "
                "If you do not want to share them, you can simply not link."
            )
        )
    latest = ConsentText.objects.order_by("-version").values_list("version", flat=True).first()
    if latest != text.version:
        raise ValidationError(
            _("The consent text changed while you were reading it. Please read the new text and agree again.")
        )
    now = timezone.now()
    consent = Consent.objects.select_for_update().filter(client=client, organisation=organisation).first()
    if consent is None:
        consent = Consent.objects.create(
            client=client,
            organisation=organisation,
            share_mood=True,
            share_text=share_text,
            share_checks=share_checks,
            text_version=text.version,
            granted_at=now,
        )
        _record(consent, ConsentEvent.Action.GRANTED, now)
        return consent
    if not consent.is_active:
        action = ConsentEvent.Action.GRANTED
        consent.granted_at = now
    elif consent.text_version != text.version:
        action = ConsentEvent.Action.RENEWED
        consent.granted_at = now
    elif consent.share_text != share_text or consent.share_checks != share_checks:
        action = ConsentEvent.Action.CHANGED
    else:
        return consent  # nothing changed: no event to record
    consent.status = Consent.Status.ACTIVE
    consent.share_mood = True
    consent.share_text = share_text
    consent.share_checks = share_checks
    consent.text_version = text.version
    consent.withdrawn_at = None
    consent.save()
    _record(consent, action, now)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent) -> Consent:
    """Stop sharing now. Assignment ends and open alerts close; the records stay for the member."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if not consent.is_active:
        return consent
    now = timezone.now()
    consent.status = Consent.Status.WITHDRAWN
    consent.withdrawn_at = now
    consent.caseworker = None
    consent.assigned_at = None
    consent.save()
    _record(consent, ConsentEvent.Action.WITHDRAWN, now)
    Alert.objects.filter(consent=consent, cleared_at__isnull=True).update(cleared_at=now)
    Alert.objects.filter(consent=consent).exclude(status=Alert.Status.RESOLVED).update(
        status=Alert.Status.RESOLVED,
        resolved_at=now,
        resolved_automatically=True,
    )
    return consent


def consent_assign_check(*, consent: Consent, caseworker: User) -> None:
    """Raise ValidationError unless `caseworker` may follow this client."""
    if not caseworker.is_caseworker:
        raise ValidationError(_("Only a caseworker can follow a client."))
    if not Membership.objects.filter(organisation_id=consent.organisation_id, caseworker=caseworker).exists():
        raise ValidationError(_("The caseworker must work for the centre the client linked to."))
    if not consent.is_active:
        raise ValidationError(_("This client has withdrawn consent and cannot be assigned."))


def consent_assign(*, consent: Consent, caseworker: User | None) -> Consent:
    """Assign a consenting client to a caseworker of the same centre (None: unassign)."""
    if caseworker is not None:
        consent_assign_check(consent=consent, caseworker=caseworker)
    consent.caseworker = caseworker
    consent.assigned_at = timezone.now() if caseworker else None
    consent.save(update_fields=["caseworker", "assigned_at"])
    return consent


# --- Alert lifecycle: open -> acknowledged -> resolved ----------------------------------------


def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    """Idempotent: acknowledging an acknowledged alert changes nothing."""
    if alert.status == Alert.Status.RESOLVED:
        raise ValidationError(_("This alert is already resolved."))
    now = timezone.now()
    moved = Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by
    )
    alert.refresh_from_db()
    if moved:
        access_record(viewer=by, consents=[alert.consent], action=AccessLog.Action.ALERT)
    return alert


def alert_resolve(*, alert: Alert, by: User, note: str) -> Alert:
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Please write a short note saying what was done."))
    if alert.status == Alert.Status.RESOLVED:
        raise ValidationError(_("This alert is already resolved."))
    now = timezone.now()
    moved = (
        Alert.objects.filter(pk=alert.pk)
        .exclude(status=Alert.Status.RESOLVED)
        .update(
            status=Alert.Status.RESOLVED,
            resolved_at=now,
            resolved_by=by,
            resolution_note=note,
            acknowledged_at=alert.acknowledged_at or now,
            acknowledged_by=alert.acknowledged_by or by,
        )
    )
    alert.refresh_from_db()
    if moved:
        access_record(viewer=by, consents=[alert.consent], action=AccessLog.Action.ALERT)
    return alert


def case_note_create(*, consent: Consent, author: User, text: str) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The note is empty. Please write something first."))
    note = CaseNote(consent=consent, author=author, author_name=str(author), text=text)
    note.full_clean()
    note.save()
    access_record(viewer=author, consents=[consent], action=AccessLog.Action.NOTE)
    return note


# --- The access log ----------------------------------------------------------------------------


def access_record(*, viewer: User, consents: Iterable[Consent], action: str) -> None:
    """One row per client looked at, written by one INSERT ... SELECT from the consents.

    Written in the database rather than as model instances: the API list logs a page of clients.
    """
    ids = [consent.pk for consent in consents]
    if not ids:
        return
    log, consent, organisation = AccessLog._meta.db_table, Consent._meta.db_table, Organisation._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {log} (viewer_id, viewer_name, client_id, client_ids, organisation_id, organisation_name, "  # noqa: S608
            f"action, at) SELECT %s, %s, c.client_id, '', c.organisation_id, o.name, %s, %s FROM {consent} c "
            f"JOIN {organisation} o ON o.id = c.organisation_id WHERE c.id IN ({placeholders})",
            [viewer.pk, str(viewer), action, now, *ids],
        )


def access_record_page(*, viewer: User, consents: list[Consent], action: str) -> None:
    """One row for a page that showed several clients, naming each of them in client_ids.

    A dashboard view used to write a row per client shown (a 20-second load run added ~166,000);
    the member's "who looked at my data" finds this row by their id in client_ids. A page whose
    clients belong to several centres names them all (caseworkers of one centre are the rule).
    """
    if not consents:
        return
    organisations = Organisation.objects.in_bulk({c.organisation_id for c in consents})
    names = sorted({organisations[c.organisation_id].name for c in consents})
    AccessLog.objects.create(
        viewer=viewer,
        viewer_name=str(viewer),
        client=None,
        client_ids="," + ",".join(str(c.client_id) for c in consents) + ",",
        organisation=organisations[consents[0].organisation_id] if len(organisations) == 1 else None,
        organisation_name=", ".join(names)[:120],
        action=action,
    )


def refusal_record(*, user: User, reason: str, method: str, path: str) -> None:
    """Write a refused caseworker attempt to the oversight log (welfare.models.RefusedAccess)."""
    if not user.is_authenticated:
        return  # anonymous requests are refused before they reach anything; not an attempt by anyone
    RefusedAccess.objects.create(
        viewer=user, viewer_name=f"{user.name} <{user.email}>"[:200], reason=reason,
        method=method[:8], path=path[:300],
    )
