"""Attendance's part of a person's data (UU 27/2022; cakap/core/personal_data.py): their
records with each change, refused check-ins, absence requests and personal sign-in
links for the export; the activity that keeps a record; anonymising their records; and
retention's age limits on positions, phone ids and refused check-ins."""

import datetime

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import (
    AbsenceRequest,
    AttendanceChange,
    AttendanceRecord,
    CheckInAttempt,
    PersonalLink,
)
from cakap.core.personal_data import AuditRef, Table
from cakap.people.models import Person, User


def _who(user: User | None) -> str:
    """Who did something, as a person may be told: the name, never another's email."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.display_name


def _file_name(name: str | None) -> str:
    return (name or "").rsplit("/", 1)[-1]


def export(person: Person) -> list[Table]:
    """Records with their trail, refused check-ins, absence requests, sign-in links."""
    records = list(
        AttendanceRecord.objects.filter(person=person)
        .select_related("session__group__programme", "recorded_by__person")
        .order_by("session__starts_at", "pk")
    )
    changes = (
        AttendanceChange.objects.filter(record__person=person)
        .select_related("record__session__group", "actor__person")
        .order_by("at", "pk")
    )
    attempts = (
        CheckInAttempt.objects.filter(person=person)
        .select_related("session__group")
        .order_by("at", "pk")
    )
    absences = (
        AbsenceRequest.objects.filter(person=person)
        .select_related("session__group", "decided_by__person")
        .order_by("created_at", "pk")
    )
    links = (
        PersonalLink.objects.filter(person=person)
        .select_related("programme")
        .order_by("created_at", "pk")
    )
    group, starts = _("group"), _("starts at")
    return [
        Table(
            "attendance_records",
            _("Attendance records"),
            [
                ("programme", _("programme")),
                ("group", group),
                ("starts_at", starts),
                ("status", _("status")),
                ("method", _("how")),
                ("checked_in_at", _("checked in at")),
                ("minutes_late", _("minutes late")),
                ("reason", _("reason")),
                ("document", _("document")),
                ("device_id", _("phone id")),
                ("latitude", _("latitude")),
                ("longitude", _("longitude")),
                ("accuracy_m", _("accuracy (m)")),
                ("flags", _("flags")),
                ("recorded_by", _("recorded by")),
            ],
            [
                {
                    "programme": r.session.group.programme.title,
                    "group": r.session.group.name,
                    "starts_at": r.session.starts_at,
                    "status": r.get_status_display(),
                    "method": r.get_method_display(),
                    "checked_in_at": r.checked_in_at,
                    "minutes_late": r.minutes_late,
                    "reason": r.reason,
                    "document": _file_name(r.document.name),
                    "device_id": r.device_id,
                    "latitude": r.latitude,
                    "longitude": r.longitude,
                    "accuracy_m": r.accuracy_m,
                    "flags": ", ".join(r.flag_labels),
                    "recorded_by": _who(r.recorded_by),
                }
                for r in records
            ],
        ),
        Table(
            "attendance_changes",
            _("Changes to attendance records"),
            [
                ("group", group),
                ("starts_at", starts),
                ("at", _("time")),
                ("from_status", _("from")),
                ("to_status", _("to")),
                ("method", _("how")),
                ("reason", _("reason")),
                ("by", _("by")),
            ],
            [
                {
                    "group": c.record.session.group.name,
                    "starts_at": c.record.session.starts_at,
                    "at": c.at,
                    "from_status": c.get_from_status_display() if c.from_status else "",
                    "to_status": c.get_to_status_display(),
                    "method": c.get_method_display(),
                    "reason": c.reason,
                    "by": _who(c.actor),
                }
                for c in changes
            ],
        ),
        Table(
            "refused_check_ins",
            _("Refused check-ins"),
            [
                ("group", group),
                ("starts_at", starts),
                ("at", _("first at")),
                ("last_at", _("last seen")),
                ("count", _("times")),
                ("reason", _("reason")),
                ("device_id", _("phone id")),
                ("detail", _("detail")),
            ],
            [
                {
                    "group": a.session.group.name if a.session else "",
                    "starts_at": a.session.starts_at if a.session else None,
                    "at": a.at,
                    "last_at": a.last_at,
                    "count": a.count,
                    "reason": a.reason,
                    "device_id": a.device_id,
                    "detail": ", ".join(f"{k}: {v}" for k, v in sorted(a.detail.items()))
                    if isinstance(a.detail, dict)
                    else str(a.detail),
                }
                for a in attempts
            ],
        ),
        Table(
            "absence_requests",
            _("Absence requests"),
            [
                ("group", group),
                ("starts_at", starts),
                ("status", _("asked status")),
                ("reason", _("reason")),
                ("document", _("document")),
                ("state", _("state")),
                ("created_at", _("asked at")),
                ("decided_at", _("decided at")),
                ("decided_by", _("decided by")),
                ("decision_note", _("note")),
            ],
            [
                {
                    "group": a.session.group.name,
                    "starts_at": a.session.starts_at,
                    "status": a.get_status_display(),
                    "reason": a.reason,
                    "document": _file_name(a.document.name),
                    "state": a.get_state_display(),
                    "created_at": a.created_at,
                    "decided_at": a.decided_at,
                    "decided_by": _who(a.decided_by),
                    "decision_note": a.decision_note,
                }
                for a in absences
            ],
        ),
        Table(
            "personal_links",
            _("Personal sign-in links (never the links themselves)"),
            [
                ("programme", _("programme")),
                ("created_at", _("created at")),
                ("used_at", _("used at")),
                ("device_id", _("phone id")),
                ("revoked_at", _("revoked at")),
            ],
            [
                {
                    "programme": link.programme.title,
                    "created_at": link.created_at,
                    "used_at": link.used_at,
                    "device_id": link.device_id,
                    "revoked_at": link.revoked_at,
                }
                for link in links
            ],
        ),
    ]


def audit_refs(person: Person) -> list[AuditRef]:
    return [
        (
            "attendance.absencerequest",
            AbsenceRequest.objects.filter(person=person).values_list("pk", flat=True),
        ),
        (
            "attendance.personallink",
            PersonalLink.objects.filter(person=person).values_list("pk", flat=True),
        ),
    ]


def active_since(since: datetime.datetime) -> QuerySet[Person]:
    """People with a record written or changed, an absence request asked or decided, a
    sign-in link issued or used, or a refused check-in since `since`."""
    return Person.objects.filter(
        Q(attendance__updated_at__gte=since)
        | Q(absence_requests__created_at__gte=since)
        | Q(absence_requests__decided_at__gte=since)
        | Q(personal_links__created_at__gte=since)
        | Q(personal_links__used_at__gte=since)
        | Q(pk__in=CheckInAttempt.objects.filter(last_at__gte=since).values("person_id"))
    )


def _delete_files_after_commit(files: list[tuple[Storage, str]]) -> None:
    """Remove stored documents once the rows no longer name them."""

    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(remove)


def anonymise(person: Person, *, acting_user: User | None) -> None:
    """Keep each record's status, method and times (the counts), and remove what says
    more: reasons, documents, positions and phone ids; drop refused check-ins; revoke
    sign-in links and forget their phone."""
    records = AttendanceRecord.objects.filter(person=person)
    files = [(r.document.storage, r.document.name or "") for r in records.exclude(document="")]
    records.update(
        reason="", document="", device_id="", latitude=None, longitude=None, accuracy_m=None
    )
    AttendanceChange.objects.filter(record__person=person).exclude(reason="").update(reason="")
    absences = AbsenceRequest.objects.filter(person=person)
    files += [(a.document.storage, a.document.name or "") for a in absences.exclude(document="")]
    absences.update(reason="", document="", decision_note="")
    CheckInAttempt.objects.filter(person=person).delete()
    PersonalLink.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    PersonalLink.objects.filter(person=person).update(device_id="", nonce="")
    _delete_files_after_commit(files)


# --- Age limits (retention) --------------------------------------------------------------


def positions_before(before: datetime.datetime) -> QuerySet[AttendanceRecord]:
    """Records with a check-in position written before `before`."""
    return AttendanceRecord.objects.filter(created_at__lt=before).filter(
        Q(latitude__isnull=False) | Q(longitude__isnull=False) | Q(accuracy_m__isnull=False)
    )


def clear_positions_before(before: datetime.datetime) -> int:
    """Forget check-in positions older than `before`; the flags they raised stay."""
    return positions_before(before).update(latitude=None, longitude=None, accuracy_m=None)


def device_ids_before(
    before: datetime.datetime,
) -> tuple[QuerySet[AttendanceRecord], QuerySet[PersonalLink], QuerySet[CheckInAttempt]]:
    """Phone ids older than `before`: on records, on links no longer in use (revoked or
    of a programme that ended) and on refused check-ins."""
    return (
        AttendanceRecord.objects.filter(created_at__lt=before).exclude(device_id=""),
        PersonalLink.objects.filter(
            Q(revoked_at__lt=before) | Q(programme__end_date__lt=before.date())
        ).exclude(device_id=""),
        CheckInAttempt.objects.filter(last_at__lt=before).exclude(device_id=""),
    )


def clear_device_ids_before(before: datetime.datetime) -> int:
    """Forget phone ids older than `before` (a phone seen again later counts as new)."""
    return sum(qs.update(device_id="") for qs in device_ids_before(before))


def refused_check_ins_before(before: datetime.datetime) -> QuerySet[CheckInAttempt]:
    return CheckInAttempt.objects.filter(last_at__lt=before)


def drop_refused_check_ins_before(before: datetime.datetime) -> int:
    """Delete refused check-ins last seen before `before`; no report counts them."""
    deleted, _per_model = refused_check_ins_before(before).delete()
    return deleted
