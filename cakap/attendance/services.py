"""Writes to attendance records. Every change keeps who, when, from what, to what and why."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import EXCUSED, AttendanceChange, AttendanceRecord, Status
from cakap.core.errors import DomainError
from cakap.people.models import Person
from cakap.programmes.models import Session


class AttendanceError(DomainError):
    pass


def apply_status(
    actor: Any,
    session: Session,
    person: Person,
    status: str,
    method: str,
    *,
    reason: str = "",
    checked_in_at: datetime.datetime | None = None,
    minutes_late: int = 0,
    overwrite: bool = True,
    **extra: Any,
) -> tuple[AttendanceRecord, bool]:
    """Create or change the record of `person` in `session`; return (record, changed).

    With `overwrite=False` an existing record is returned untouched (a second check-in
    answers with the first). Safe under concurrency: the unique constraint decides, and
    the loser of a race reads the winner's row.
    """
    if status not in Status.values:
        raise AttendanceError("bad_status", _("Unknown attendance status."))
    if status in EXCUSED and not reason.strip():
        raise AttendanceError("reason_required", _("Izin, sakit and dinas luar need a reason."))
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        record = (
            AttendanceRecord.objects.select_for_update()
            .filter(session=session, person=person)
            .first()
        )
        if record is None:
            try:
                with transaction.atomic():
                    record = AttendanceRecord.objects.create(
                        session=session,
                        person=person,
                        status=status,
                        method=method,
                        reason=reason,
                        checked_in_at=checked_in_at,
                        minutes_late=minutes_late,
                        recorded_by=actor_user,
                        **extra,
                    )
            except IntegrityError:
                record = AttendanceRecord.objects.select_for_update().get(
                    session=session, person=person
                )
            else:
                AttendanceChange.objects.create(
                    record=record,
                    actor=actor_user,
                    method=method,
                    from_status="",
                    to_status=status,
                    reason=reason,
                )
                return record, True
        if not overwrite or (record.status == status and record.reason == reason and not extra):
            return record, False
        previous = record.status
        record.status = status
        record.method = method
        record.reason = reason
        record.recorded_by = actor_user
        fields = ["status", "method", "reason", "recorded_by", "updated_at"]
        if checked_in_at is not None:
            record.checked_in_at = checked_in_at
            record.minutes_late = minutes_late
            fields += ["checked_in_at", "minutes_late"]
        for name, value in extra.items():
            setattr(record, name, value)
            fields.append(name)
        record.updated_at = timezone.now()
        record.save(update_fields=fields)
        AttendanceChange.objects.create(
            record=record,
            actor=actor_user,
            method=method,
            from_status=previous,
            to_status=status,
            reason=reason,
        )
        return record, True
