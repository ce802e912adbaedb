"""Writes to attendance records. Every change keeps who, when, from what, to what and why.

`apply_status` is the one writer of records and their trail; the rest build on it:
`set_status` (the manual roll), `save_roll` (a whole roll, all or nothing),
`request_absence` and `decide_absence` (excused absences asked beforehand), and
`close_session_attendance` (unmarked become alpa, the session held), run for every due
session by `manage.py close_attendance` each minute, or by the coach's "close now".
Refusals raise `RollError` with a stable code and a translated message.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.attendance import statements
from cakap.attendance.access import absence_requests_decidable_by, can_take_roll
from cakap.attendance.models import (
    EXCUSED,
    PRESENT,
    STATUSES,
    AbsenceRequest,
    AttendanceChange,
    AttendanceRecord,
    Method,
    SessionVenue,
    Status,
)
from cakap.attendance.windows import Window, policy_for, venue_for, window_of
from cakap.core import audit
from cakap.core.errors import ConflictError, DomainError, ForbiddenError
from cakap.people.access import person_of
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment, Session


class AttendanceError(DomainError):
    pass


class PhoneTaken(Exception):  # noqa: N818 - a condition, not a failure
    """A first record was not written because its phone already checked someone else in
    to the session (the constraint attendance_one_person_per_phone decided)."""


def _insert_first(record: AttendanceRecord, trail: AttendanceChange) -> bool:
    """Insert a first record and its trail, both or neither (a savepoint when inside a
    transaction); False when a unique constraint refused the record. Plain saves: the
    model's signals are sent. On PostgreSQL, while nothing listens to them, one written
    statement does it instead (`statements.insert_first`, decision 78)."""
    written = statements.insert_first(record, trail)
    if written is not None:
        return written
    try:
        with transaction.atomic():
            record.save(force_insert=True)
            trail.record = record
            trail.save(force_insert=True)
    except IntegrityError:
        return False
    return True


class RecordDetails(TypedDict, total=False):
    """Fields of a record that some writes set besides its status; each given one is set."""

    document: File[bytes] | str
    device_id: str
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int
    pending: bool
    flag: str


def apply_status(
    session: Session,
    person: Person,
    status: str,
    method: str,
    *,
    acting_user: User | None,
    reason: str = "",
    checked_in_at: datetime.datetime | None = None,
    minutes_late: int = 0,
    overwrite: bool = True,
    **extra: Unpack[RecordDetails],
) -> tuple[AttendanceRecord, bool]:
    """Create or change the record of `person` in `session`; return (record, changed).

    With `overwrite=False` an existing record is returned untouched (a second check-in
    answers with the first). Safe under concurrency: the unique constraints decide, and
    the loser of a race reads the winner's row; a first record whose phone (`device_id`
    in `extra`) checked someone else in meanwhile raises `PhoneTaken`.
    """
    if status not in STATUSES:
        raise AttendanceError("bad_status", _("Unknown attendance status."))
    if status in EXCUSED and not reason.strip():
        raise AttendanceError("reason_required", _("Izin, sakit and dinas luar need a reason."))
    actor_user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    first = AttendanceRecord(
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
    trail = AttendanceChange(
        actor=actor_user, method=method, from_status="", to_status=status, reason=reason
    )
    if not overwrite:
        # A first record is by far the commonest write (a whole room checking in at
        # once): insert it with its trail straight away and let the unique constraints
        # answer a repeat or a race; the loser reads the record that won.
        if _insert_first(first, trail):
            return first, True
        existing = (
            AttendanceRecord.objects.filter(session=session, person=person).order_by().first()
        )
        if existing is None:
            if first.device_id:
                raise PhoneTaken
            raise IntegrityError("attendance_one_per_session")  # pragma: no cover
        return existing, False
    # No ordering in the locking reads: the model's default one joins session and person,
    # and FOR UPDATE would then lock the session row and queue every check-in behind it.
    locked = AttendanceRecord.objects.select_for_update().order_by()
    with transaction.atomic():
        # An existing record is looked at first, so that a document that comes with the
        # change is stored once, on the record it belongs to.
        record = locked.filter(session=session, person=person).first()
        if record is None:
            if _insert_first(first, trail):
                return first, True
            record = locked.get(session=session, person=person)  # a race's winner
        if record.status == status and record.reason == reason and not extra:
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
        trail.record = record
        trail.from_status = previous
        trail.save()
        return record, True


# --- Errors ------------------------------------------------------------------------------


class RollError(AttendanceError):
    """A refused roll change, absence request or decision. `field` names the input at
    fault, when there is one."""

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field
        self.person: Person | None = None  # the roll row at fault, in save_roll


class RollConflictError(RollError, ConflictError):
    """Already asked, decided or present; the session not upcoming, closed or not started."""


class RollForbiddenError(RollError, ForbiddenError):
    """Not the group's coach or the programme's organiser; not one's own session."""


DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
_GONE = (Session.Status.CANCELLED, Session.Status.MOVED)


def _clean_reason(status: str, reason: str) -> str:
    reason = (reason or "").strip()
    if status not in STATUSES:
        raise RollError("bad_status", _("Unknown attendance status."), field="status")
    if status in EXCUSED and not reason:
        raise RollError(
            "reason_required", _("Izin, sakit and dinas luar need a reason."), field="reason"
        )
    if len(reason) > 255:
        raise RollError(
            "reason_too_long", _("Keep the reason under 255 characters."), field="reason"
        )
    return reason


def check_document(status: str, document: File[bytes] | None) -> None:
    """A document (a duty letter, a doctor's note) goes with an excused status only, as a
    PDF or a photo of at most 5 MB."""
    if document is None:
        return
    if status not in EXCUSED:
        raise RollError(
            "document_not_allowed",
            _("Only izin, sakit and dinas luar may carry a document."),
            field="document",
        )
    name = (document.name or "").lower()
    if not name.endswith(DOCUMENT_EXTENSIONS):
        raise RollError("document_type", _("Attach a PDF, JPG or PNG file."), field="document")
    if (document.size or 0) > DOCUMENT_MAX_BYTES:
        raise RollError("document_too_large", _("The file is larger than 5 MB."), field="document")


def _is_enrolled(session: Session, person: Person) -> bool:
    return session.roster().filter(person=person).exists()


# --- The window --------------------------------------------------------------------------


def attendance_window(session: Session) -> Window:
    """The check-in window of `session` (programme policy or defaults, session overrides)."""
    return window_of(session.starts_at, policy_for(session.group.programme), venue_for(session))


def window_closes_at(session: Session) -> datetime.datetime:
    """When unmarked participants become alpa: the start plus closes_after_min."""
    closes_at: datetime.datetime = attendance_window(session).closes_at
    return closes_at


def is_closed(session: Session) -> bool:
    """Whether the session's attendance has been closed (unmarked made alpa)."""
    venue = venue_for(session)
    return venue is not None and venue.closed_at is not None


def awaits_closing(session: Session, now: datetime.datetime) -> bool:
    """Whether the window has closed and attendance is not closed yet: the scheduled job
    closes it within a minute, or the coach closes it now."""
    if session.status in _GONE or is_closed(session):
        return False
    return window_closes_at(session) <= now


# --- The roll ----------------------------------------------------------------------------


def set_status(
    session: Session,
    person: Person,
    status: str,
    *,
    acting_user: User | None,
    reason: str = "",
    document: File[bytes] | None = None,
    method: str = Method.MANUAL,
) -> AttendanceRecord:
    """Set `person`'s status in `session` from the roll: the coaches of the group and the
    organisers managing the programme may. Izin, sakit and dinas luar need a reason and
    may carry a document. Present and alpa wait until the window opens. The change is kept
    in the record's trail; setting the same status and reason again changes nothing."""
    return _set_status(session, person, status, reason, document, method, acting_user=acting_user)[
        0
    ]


def _set_status(
    session: Session,
    person: Person,
    status: str,
    reason: str,
    document: File[bytes] | None,
    method: str,
    *,
    acting_user: User | None,
) -> tuple[AttendanceRecord, bool]:
    reason = _clean_reason(status, reason)
    check_document(status, document)
    if (
        acting_user is None
        or not acting_user.is_authenticated
        or not can_take_roll(acting_user, session)
    ):
        raise RollForbiddenError(
            "forbidden", _("Only the group's coaches and the organisers may do this.")
        )
    if session.status in _GONE:
        raise RollConflictError("session_closed", _("This session was cancelled or moved."))
    existing = AttendanceRecord.objects.filter(session=session, person=person).first()
    if existing is None and not _is_enrolled(session, person):
        raise RollError(
            "not_enrolled", _("This person is not a participant of this group."), field="person"
        )
    if status not in EXCUSED and timezone.now() < attendance_window(session).opens_at:
        raise RollConflictError(
            "not_started",
            _("Present, late and alpa can be set once check-in has opened."),
            field="status",
        )
    extra: RecordDetails = {"document": document} if document is not None else {}
    if existing is not None and existing.pending:
        extra["pending"] = False  # the coach's word settles a check-in held for approval
    return apply_status(
        session, person, status, method, reason=reason, **extra, acting_user=acting_user
    )


@dataclass(frozen=True)
class RollChange:
    person: Person
    status: str
    reason: str = ""
    document: File[bytes] | None = None


def save_roll(session: Session, changes: list[RollChange], *, acting_user: User | None) -> int:
    """Apply several roll changes at once: all or none. Returns how many records changed.

    A failing row raises `RollError` with `person` set to the row's person."""
    changed = 0
    with transaction.atomic():
        for change in changes:
            try:
                _record, did = _set_status(
                    session,
                    change.person,
                    change.status,
                    change.reason,
                    change.document,
                    Method.MANUAL,
                    acting_user=acting_user,
                )
            except RollError as exc:
                exc.person = change.person
                raise
            changed += int(did)
    return changed


# --- Absence requests --------------------------------------------------------------------


def _absence_snapshot(request: AbsenceRequest) -> dict[str, object]:
    """The audit snapshot, with the document as its stored name."""
    names = [f.attname for f in AbsenceRequest._meta.concrete_fields if f.attname != "document"]
    return {**audit.snapshot(request, names), "document": request.document.name or ""}


def request_absence(
    session: Session,
    status: str,
    reason: str,
    document: File[bytes] | None = None,
    *,
    acting_user: User | None,
) -> AbsenceRequest:
    """A participant asks beforehand to be excused from an upcoming session of their own
    group, with a reason and optionally a document. One pending request per session."""
    if status not in EXCUSED:
        raise RollError("bad_status", _("Ask for izin, sakit or dinas luar."), field="status")
    reason = _clean_reason(status, reason)
    check_document(status, document)
    person = person_of(acting_user) if acting_user is not None else None
    if person is None or not _is_enrolled(session, person):
        raise RollForbiddenError("not_own", _("You can only ask for your own sessions."))
    if session.status != Session.Status.PLANNED or session.starts_at <= timezone.now():
        raise RollConflictError(
            "not_upcoming", _("An absence can only be asked for before the session starts.")
        )
    with transaction.atomic():
        if AbsenceRequest.objects.filter(
            session=session, person=person, state=AbsenceRequest.State.PENDING
        ).exists():
            raise RollConflictError(
                "already_pending", _("You already have a request waiting for this session.")
            )
        try:
            with transaction.atomic():
                request = AbsenceRequest.objects.create(
                    session=session,
                    person=person,
                    status=status,
                    reason=reason,
                    document=document or "",
                )
        except IntegrityError as exc:
            raise RollConflictError(
                "already_pending", _("You already have a request waiting for this session.")
            ) from exc
        audit.record(
            "absence.requested",
            request,
            after=_absence_snapshot(request),
            note=reason,
            acting_user=acting_user,
        )
    return request


def decide_absence(
    request: AbsenceRequest, approve: bool, note: str = "", *, acting_user: User | None
) -> AbsenceRequest:
    """The organiser approves or declines a pending absence request. Approval sets the
    participant's record to the requested status (method excuse), with the reason and
    document; the same decision repeated answers with the request unchanged."""
    note = (note or "").strip()
    if len(note) > 255:
        raise RollError("note_too_long", _("Keep the note under 255 characters."), field="note")
    if (
        acting_user is None
        or not acting_user.is_authenticated
        or not absence_requests_decidable_by(acting_user).filter(pk=request.pk).exists()
    ):
        raise RollForbiddenError("forbidden", _("Only the programme's organisers may decide this."))
    wanted = AbsenceRequest.State.APPROVED if approve else AbsenceRequest.State.DECLINED
    with transaction.atomic():
        fresh = (
            AbsenceRequest.objects.select_for_update()
            .select_related("session", "person")
            .get(pk=request.pk)
        )
        if fresh.state == wanted:
            return fresh
        if fresh.state != AbsenceRequest.State.PENDING:
            raise RollConflictError("already_decided", _("This request has already been decided."))
        if (
            approve
            and AttendanceRecord.objects.filter(
                session=fresh.session, person=fresh.person, status__in=PRESENT, pending=False
            ).exists()
        ):
            # They came after all: an approval must not turn a presence into an absence.
            raise RollConflictError(
                "already_present",
                _("This participant was recorded present; decline the request instead."),
            )
        before = _absence_snapshot(fresh)
        fresh.state = wanted
        fresh.decided_by = acting_user
        fresh.decided_at = timezone.now()
        fresh.decision_note = note
        fresh.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if approve:
            extra: RecordDetails = {"document": fresh.document.name or ""} if fresh.document else {}
            apply_status(
                fresh.session,
                fresh.person,
                fresh.status,
                Method.EXCUSE,
                reason=fresh.reason,
                **extra,
                acting_user=acting_user,
            )
        audit.record(
            "absence.approved" if approve else "absence.declined",
            fresh,
            before=before,
            after=_absence_snapshot(fresh),
            note=note,
            acting_user=acting_user,
        )
    return fresh


# --- Closing -----------------------------------------------------------------------------


def close_session_attendance(session: Session, *, acting_user: User | None) -> int:
    """Close the session's attendance: everyone actively enrolled and still unmarked
    becomes alpa (method auto_close), the session becomes held and check-in closes.
    Repeating it does nothing more. Returns how many became alpa.

    `acting_user` is None when the system closes (the management command)."""
    if acting_user is not None and not can_take_roll(acting_user, session):
        raise RollForbiddenError(
            "forbidden", _("Only the group's coaches and the organisers may do this.")
        )
    made_alpa = 0
    with transaction.atomic():
        # FOR NO KEY UPDATE: closes queue behind each other, while a record being written
        # meanwhile (whose foreign key takes a KEY SHARE lock on the session) does not
        # wait for this one; with FOR UPDATE a mark racing a close could deadlock.
        fresh = Session.objects.select_for_update(no_key=True).get(pk=session.pk)
        if fresh.status in _GONE:
            raise RollConflictError("session_closed", _("This session was cancelled or moved."))
        marked = AttendanceRecord.objects.filter(session=fresh).values("person_id")
        unmarked = (
            Person.objects.filter(Enrolment.active_q("enrolments", group_id=fresh.group_id))
            .exclude(pk__in=marked)
            .order_by("pk")
        )
        reason = str(_("Not marked when attendance closed"))
        for person in unmarked:
            _record, created = apply_status(
                fresh, person, Status.ALPA, Method.AUTO_CLOSE, reason=reason,
                overwrite=False, acting_user=acting_user,
            )  # fmt: skip
            made_alpa += int(created)
        venue, _new = SessionVenue.objects.get_or_create(session=fresh)
        newly_closed = venue.closed_at is None
        if newly_closed:
            venue.closed_at = timezone.now()
            venue.save(update_fields=["closed_at"])
        if fresh.status != Session.Status.HELD:
            before = audit.snapshot(fresh, ["status"])
            fresh.status = Session.Status.HELD
            # Written here, not through programmes.services.update_session: closing must
            # not fail on unrelated checks of the session (a coach since removed, say).
            fresh.save(update_fields=["status"])
            audit.record(
                "session.updated",
                fresh,
                before=before,
                after=audit.snapshot(fresh, ["status"]),
                note="attendance closed",
                acting_user=acting_user,
            )
        if newly_closed or made_alpa:
            audit.record(
                "attendance.closed",
                fresh,
                after={"made_alpa": made_alpa},
                note=reason,
                acting_user=acting_user,
            )
    session.status = fresh.status
    return made_alpa


def sessions_due_for_closing(now: datetime.datetime) -> list[Session]:
    """Sessions whose window has closed and whose attendance is not closed yet."""
    candidates = (
        Session.objects.filter(
            status__in=(Session.Status.PLANNED, Session.Status.HELD),
            starts_at__lte=now,
        )
        .filter(Q(attendance__isnull=True) | Q(attendance__closed_at__isnull=True))
        .select_related("group__programme__attendance_policy", "attendance")
        .order_by("starts_at", "pk")
    )
    return [s for s in candidates if window_closes_at(s) <= now]


def close_due_sessions(now: datetime.datetime | None = None) -> list[tuple[Session, int | str]]:
    """Close every session whose window has closed: the scheduled job's work and
    `close_attendance`'s. Per session, how many became alpa, or the code of the reason
    it was skipped (cancelled or moved meanwhile). Running it again closes nothing twice."""
    now = now or timezone.now()
    done: list[tuple[Session, int | str]] = []
    for session in sessions_due_for_closing(now):
        try:
            done.append((session, close_session_attendance(session, acting_user=None)))
        except RollError as exc:
            done.append((session, exc.code))
    return done
