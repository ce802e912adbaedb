"""Reads that the coach's screens share: the live roll of a session."""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import (
    AttendanceRecord,
    CheckInAttempt,
    Flag,
    Status,
)
from cakap.people.models import Person
from cakap.programmes.models import Session

# --- The coach's live roll ----------------------------------------------------------------


RECENT_REFUSALS = 10

# Short words for the coach's screen, which has little room.
SHORT_REASONS: dict[str, Promise] = {
    "not_open": _("too early"),
    "closed": _("too late"),
    "expired_code": _("old code"),
    "bad_code": _("wrong code"),
    "not_enrolled": _("not in this group"),
    "outside_area": _("outside the area"),
    "location_required": _("no position"),
    "device_used": _("phone already used"),
    "session_cancelled": _("session cancelled"),
    "too_many_codes": _("too many wrong codes"),
}


@dataclass(frozen=True)
class Refusal:
    attempt: CheckInAttempt

    @property
    def label(self) -> str:
        return str(SHORT_REASONS.get(self.attempt.reason, self.attempt.reason))


@dataclass
class RollEntry:
    person: Person
    record: AttendanceRecord | None

    @property
    def flags(self) -> list[str]:
        """The record's flags in words, except the shared phone that holds it."""
        if self.record is None:
            return []
        return [
            str(Flag(f).label) if f in Flag.values else f
            for f in self.record.flags
            if not (self.record.pending and f == Flag.SHARED_DEVICE)
        ]


@dataclass
class LiveRoll:
    present: list[RollEntry]
    late: list[RollEntry]
    pending: list[RollEntry]
    excused: list[RollEntry]
    missing: list[RollEntry]
    refusals: list[Refusal]

    @property
    def total(self) -> int:
        return sum(
            len(x) for x in (self.present, self.late, self.pending, self.excused, self.missing)
        )

    @property
    def checked_in(self) -> int:
        return len(self.present) + len(self.late)


def live_roll(session: Session) -> LiveRoll:
    """Who is in, late, held for approval, excused or missing: three queries whatever the
    roster size."""
    enrolments = session.roster().select_related("person").order_by("person__name", "person_id")
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(session=session)}
    roll = LiveRoll([], [], [], [], [], [])
    for enrolment in enrolments:
        record = records.get(enrolment.person_id)
        entry = RollEntry(enrolment.person, record)
        if record is None:
            roll.missing.append(entry)
        elif record.pending:
            roll.pending.append(entry)
        elif record.status == Status.HADIR:
            roll.present.append(entry)
        elif record.status == Status.TERLAMBAT:
            roll.late.append(entry)
        elif record.status == Status.ALPA:
            roll.missing.append(entry)
        else:
            roll.excused.append(entry)
    # Latest check-ins first, so that the coach sees who just arrived.
    for group in (roll.present, roll.late):
        group.sort(key=_checked_in_key, reverse=True)
    roll.refusals = [
        Refusal(a)
        for a in CheckInAttempt.objects.filter(session=session)
        .select_related("person")
        .order_by("-last_at", "-id")[:RECENT_REFUSALS]
    ]
    return roll


def _checked_in_key(entry: RollEntry) -> datetime.datetime:
    at = entry.record.checked_in_at if entry.record else None
    return at or datetime.datetime.min.replace(tzinfo=datetime.UTC)
