"""Check-in: recording a participant's scan or typed code, refusals, the coach's
check-in and the approval of held check-ins. The pure rules live beside it: codes in
codes.py, windows and place in windows.py, cards and phone ids in phones.py; the coach's
live roll is read in queries.py and personal sign-in links are in links.py.

Every refusal raises a `CheckInError` with a stable reason code and stores a
`CheckInAttempt`; every write to a record goes through `services.apply_status`, which
keeps the trail.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.attendance import statements
from cakap.attendance.access import can_take_roll, has_to_do_with
from cakap.attendance.codes import check_code, honoured_scan, normalise_code, period_of
from cakap.attendance.models import (
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    Flag,
    Method,
    PersonalLink,
    Status,
)
from cakap.attendance.phones import valid_device_id
from cakap.attendance.services import PhoneTaken, apply_status
from cakap.attendance.windows import (
    Location,
    distance_m,
    lateness,
    place_for,
    policy_for,
    venue_for,
    window_of,
)
from cakap.core.errors import DomainError, ForbiddenError
from cakap.core.formatting import clock
from cakap.core.models import UserSession
from cakap.people.access import person_of
from cakap.people.identity import session_signs_in
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment, Session

SHARED_DEVICE_FLAG = Flag.SHARED_DEVICE.value
OUTSIDE_AREA_FLAG = Flag.OUTSIDE_AREA.value


class CheckInError(DomainError):
    """A refused check-in. `code` is one of the stable reasons below."""

    def __init__(
        self, code: str, message: str | Promise, *, record: AttendanceRecord | None = None
    ) -> None:
        super().__init__(code, message)
        self.record = record


class CheckInForbiddenError(CheckInError, ForbiddenError):
    """The user does not run this session's check-in."""


REASONS: dict[str, Promise] = {
    "not_open": _("Check-in for this session is not open yet."),
    "closed": _("Check-in for this session has closed."),
    "expired_code": _("This code has expired. Scan the code on the screen again."),
    "bad_code": _("This code is not valid for this session. Check it and try again."),
    "not_enrolled": _("You are not a participant of this session's group."),
    "outside_area": _("You seem to be outside the venue, too far away to check in."),
    "location_required": _(
        "This session needs your location, and your phone did not share it. Allow this "
        "site to use your location, then try again."
    ),
    "device_used": _(
        "This phone has already checked in someone else to this session. Use your own "
        "phone, or ask the coach."
    ),
    "session_cancelled": _("This session was cancelled or moved."),
    "too_many_codes": _("Too many wrong codes. Wait a minute, then try again."),
}
# Bad input rather than a refusal: nothing is stored.
BAD_DEVICE = _(
    "This phone id was not issued by this server. Ask for one (POST "
    "/api/v1/attendance/devices) and send it with every check-in."
)

# Why the phone gave no position, said plainly (the page's script reports the reason).
LOCATION_MESSAGES: dict[str, Promise] = {
    "denied": _(
        "Your phone refused to share its position with this site. Allow location for this "
        "site in the browser's settings, then scan again."
    ),
    "unavailable": _(
        "Your phone could not find its position. Turn on location (GPS) and scan again."
    ),
    "timeout": _(
        "Your phone took too long to find its position. Move near a window or outside, "
        "then scan again."
    ),
    "unsupported": _(
        "This browser cannot share a position. Open the link in Chrome or your phone's "
        "own browser, or ask the coach to check you in."
    ),
}


# --- What a check-in reads --------------------------------------------------------------

_SESSION_RELATED = ("group__programme__attendance_policy", "attendance", "coach", "module")


def load_session(pk: int) -> Session | None:
    """A session with everything a check-in reads (group, programme, policy, venue, coach,
    module) in one query."""
    return Session.objects.select_related(*_SESSION_RELATED).filter(pk=pk).first()


@dataclass(frozen=True)
class Participant:
    """What a check-in reads about the person checking in."""

    person: Person | None  # None: not actively enrolled in the session's group
    record: AttendanceRecord | None  # their record in the session, if any
    device_shared: bool  # this phone already checked someone else in to the session
    device_known: bool = False  # this phone checked someone in to another session
    bound_device: str = ""  # the phone their live personal link bound, if it did
    # Whether this person or phone may have sent a wrong code this minute (see
    # `wrong_codes_lately`); only then are the counters in the cache asked.
    wrong_codes_lately: bool = True

    def phone_flags(self, device_id: str) -> list[str]:
        """What the coach should know about the phone: not the one the person's link
        bound, or one that never checked anyone in and that no link of theirs bound (a
        cleared cookie or someone else's phone looks like this)."""
        if self.bound_device and self.bound_device != device_id:
            return [Flag.OTHER_PHONE]
        if not self.device_known and self.bound_device != device_id:
            return [Flag.NEW_PHONE]
        return []


def _check_in_read(person: Person, device_id: str) -> QuerySet[Session]:
    """Sessions with what a check-in by `person` from the phone `device_id` reads, all in
    one query: whether they are actively enrolled in the group, their record (a join on a
    filtered relation), whether this phone checked in someone else to the session or
    anyone to another session, and the phone their live personal link bound."""
    phone = AttendanceRecord.objects.filter(device_id=device_id).exclude(device_id="")
    enrolled = Enrolment.objects.active().filter(group=OuterRef("group"), person=person.pk)
    bound = PersonalLink.objects.filter(
        person=person.pk, programme=OuterRef("group__programme"), revoked_at__isnull=True
    )
    own_record = FilteredRelation("records", condition=Q(records__person=person.pk))
    return (
        Session.objects.annotate(own_record=own_record)  # type: ignore[misc]
        .select_related(*_SESSION_RELATED, "own_record")
        .annotate(
            enrolled=Exists(enrolled),
            device_shared=Exists(phone.filter(session=OuterRef("pk")).exclude(person=person.pk)),
            device_known=Exists(phone.exclude(session=OuterRef("pk"))),
            bound_device=Subquery(bound.values("device_id")[:1]),
        )
    )


def load_check_in(pk: int, user: User, device_id: str) -> tuple[Session, Participant] | None:
    """`load_session` and, in the same query, what a check-in by `user` from the phone
    `device_id` reads about them (see `Participant`); None: no such session.

    On PostgreSQL the read is the written statement of `statements.read_check_in`
    (decision 78), which finds the user's person itself; elsewhere it is the ORM query of
    `_check_in_read`, for the person that comes with the user (the login backend and the
    token lookup read it)."""
    if statements.reads_here():
        read = statements.read_check_in(
            pk, device_id, user_id=user.pk, wrong_since=wrong_codes_since(timezone.now())
        )
        return (read.session, _participant_of(read)) if read is not None else None
    person = getattr(user, "person", None)
    if person is None:
        alone = load_session(pk)
        return (alone, Participant(None, None, False)) if alone is not None else None
    session = next(iter(_check_in_read(person, device_id).filter(pk=pk).order_by()[:1]), None)
    if session is None:
        return None
    if not session.enrolled:  # type: ignore[attr-defined]
        return session, Participant(None, None, False)
    record = getattr(session, "own_record", None)
    if record is not None:
        record.session = session  # as read: assigning asks nothing of the database
        record.person = person
    participant = Participant(
        person,
        record,
        bool(session.device_shared),  # type: ignore[attr-defined]
        bool(session.device_known),  # type: ignore[attr-defined]
        session.bound_device or "",  # type: ignore[attr-defined]
    )  # the ORM's read does not look for wrong codes: the counters are always asked
    return session, participant


def _participant_of(read: statements.Read) -> Participant:
    """What the written read says of the person checking in."""
    if read.person is None or not read.enrolled:
        return Participant(None, None, False)
    if read.record is not None:
        read.record.session = read.session  # as read: assigning asks nothing of the database
        read.record.person = read.person
    return Participant(
        read.person,
        read.record,
        read.device_shared,
        read.device_known,
        read.bound_device,
        read.wrong_codes_lately,
    )


@dataclass(frozen=True)
class SignedInCheckIn:
    """What `load_signed_in_check_in` read: who is signed in, the session and what the
    check-in reads about them, and the signed-in session's data."""

    user: User
    session: Session
    participant: Participant
    session_data: dict[str, Any]


def load_signed_in_check_in(pk: int, session_key: str, device_id: str) -> SignedInCheckIn | None:
    """`load_check_in` for whoever the live session `session_key` signs in, with the
    session's row and its user in the same written statement (PostgreSQL only, decision
    78): on the scan's POST, Django's session and user reads would otherwise be two more
    queries for every participant of a room checking in at once.

    None unless that session signs its user in as Django would accept without touching
    the session (`identity.session_signs_in`): no session key, an expired or ended
    session, another backend, an inactive login, a changed password, an old secret key,
    no such session, SQLite. The caller then asks Django (`request.user`) and
    `load_check_in`, as on every other page."""
    if not session_key or not statements.reads_here():
        return None
    read = statements.read_check_in(
        pk, device_id, session_key=session_key, wrong_since=wrong_codes_since(timezone.now())
    )
    if read is None or read.user is None or not read.session_data:
        return None
    data = UserSession(session_data=read.session_data).get_decoded()
    if not session_signs_in(data, read.user):
        return None
    return SignedInCheckIn(read.user, read.session, _participant_of(read), data)


def enrolled_participant(user: User, session: Session, device_id: str) -> Participant:
    """What a check-in by `user` from the phone `device_id` reads about them."""
    found = load_check_in(session.pk, user, device_id)
    return found[1] if found else Participant(None, None, False)


# --- Recording a check-in -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    record: AttendanceRecord
    created: bool

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def minutes_late(self) -> int:
        return self.record.minutes_late

    @property
    def pending(self) -> bool:
        return self.record.pending

    @property
    def headline(self) -> str:
        """'Hadir, 08.03 WIB' / 'Terlambat 12 menit' / the status for other records."""
        record = self.record
        label = str(Status(record.status).label)  # "Hadir", "Terlambat" in Indonesian
        if record.status == Status.HADIR and record.checked_in_at:
            return f"{label}, {clock(record.checked_in_at)}"
        if record.status == Status.TERLAMBAT:
            return str(
                _("%(status)s %(minutes)s min") % {"status": label, "minutes": record.minutes_late}
            )
        return label


def _refuse(
    code: str,
    *,
    session: Session | None,
    person: Person | None,
    device_id: str,
    detail: dict[str, Any] | None = None,
    message: str | Promise | None = None,
) -> CheckInError:
    """Store the attempt for the organiser to review, and build the error to raise. The
    same refusal again (session, person, phone, reason) within REFUSAL_MERGE counts on
    the row already stored, so that a burst of guesses stays one line of the list. Two
    at the very same moment may still make two rows: harmless."""
    now = timezone.now()
    device_id = device_id[:64]
    repeated = CheckInAttempt.objects.filter(
        session=session,
        person=person,
        reason=code,
        device_id=device_id,
        last_at__gt=now - REFUSAL_MERGE,
    ).update(count=F("count") + 1, last_at=now, detail=detail or {})
    if not repeated:
        CheckInAttempt.objects.create(
            session=session,
            person=person,
            reason=code,
            device_id=device_id,
            detail=detail or {},
            last_at=now,
        )
    return CheckInError(code, message if message is not None else REASONS[code])


# --- Wrong codes per minute ---------------------------------------------------------------

REFUSAL_MERGE = datetime.timedelta(hours=1)


def _code_counters(user: User, device_id: str, now: datetime.datetime) -> dict[str, int]:
    """The cache keys of this minute's wrong codes of the account and of the phone, and
    their limits."""
    minute = int(now.timestamp() // 60)
    limit = int(settings.CHECKIN_WRONG_CODES_PER_ACCOUNT)
    counters = {f"cakap:wrong-codes:user:{user.pk}:{minute}": limit}
    if device_id:
        digest = hashlib.sha256(device_id.encode()).hexdigest()[:32]
        limit = int(settings.CHECKIN_WRONG_CODES_PER_PHONE)
        counters[f"cakap:wrong-codes:phone:{digest}:{minute}"] = limit
    return counters


def wrong_codes_since(now: datetime.datetime) -> datetime.datetime:
    """Since when a wrong code may still count this minute. The counters are per
    calendar minute, and every wrong code also stores or touches a "bad_code"
    `CheckInAttempt` (`_refuse`) after counting; so a person and a phone without such an
    attempt since then have nothing counted this minute, and the check-in's read says so
    (`Participant.wrong_codes_lately`), saving a cache round trip on the common path."""
    return now - datetime.timedelta(seconds=60)


def wrong_codes_wait(user: User, device_id: str, now: datetime.datetime) -> int:
    """Seconds until this account and phone may send a code again: 0 unless one of them
    sent its limit of wrong codes this minute (Django's cache, shared by the servers)."""
    counters = _code_counters(user, device_id, now)
    found = cache.get_many(list(counters))
    if any(found.get(key, 0) >= limit for key, limit in counters.items()):
        return 60 - int(now.timestamp()) % 60
    return 0


def count_wrong_code(user: User, device_id: str, now: datetime.datetime) -> None:
    """Count a wrong code against the account and the phone for this minute."""
    for key in _code_counters(user, device_id, now):
        cache.add(key, 0, timeout=120)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)


def _too_many(seconds: int) -> Promise | str:
    return _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": seconds}


def record_check_in(
    session: Session,
    code: str,
    *,
    acting_user: User,
    device_id: str,
    scanned_at: datetime.datetime | None = None,
    claimed_at: datetime.datetime | None = None,
    location: Location | None = None,
    participant: Participant | None = None,
) -> CheckInResult:
    """Check the signed-in participant in to `session` with the code they scanned or typed.

    `scanned_at` is when this server saw the code (kept server-side across a sign-in or
    a dropped connection), `claimed_at` when the client says it read it; the moment the
    scan is honoured at (`honoured_scan`) decides the code's validity, the window and
    lateness. A second check-in answers with the first record and changes nothing.
    Refusals raise `CheckInError` and leave a `CheckInAttempt`. `participant`, when
    given, is what `load_check_in` read for this user, phone and session together with
    the session.
    """
    actor_user = acting_user
    if not valid_device_id(device_id):
        raise CheckInError("bad_device", BAD_DEVICE)
    now = timezone.now()
    programme = session.group.programme
    policy = policy_for(programme)
    venue = venue_for(session)
    scan = honoured_scan(
        session.pk, code, policy, now=now, seen_at=scanned_at, claimed_at=claimed_at
    )
    at = scan.at
    detail: dict[str, Any] = {"code": normalise_code(code)[:12], "at": at.isoformat()}
    if participant is None:
        participant = enrolled_participant(actor_user, session, device_id)
    person = participant.person or person_of(actor_user)

    def refuse(code: str, message: str | Promise | None = None) -> CheckInError:
        return _refuse(
            code,
            session=session,
            person=person,
            device_id=device_id,
            detail=detail,
            message=message,
        )

    if participant.person is None and not has_to_do_with(actor_user, programme):
        # Answered as a link to no session: it names nothing and stores nothing in a
        # programme the person has nothing to do with.
        raise Http404
    if session.status in (Session.Status.CANCELLED, Session.Status.MOVED):
        raise refuse("session_cancelled")
    if participant.person is None:
        raise refuse("not_enrolled")
    assert person is not None
    if participant.record is not None:
        return CheckInResult(participant.record, created=False)

    wait = wrong_codes_wait(actor_user, device_id, now) if participant.wrong_codes_lately else 0
    if wait:
        raise refuse("too_many_codes", _too_many(wait))
    if scan.verdict == "bad":
        count_wrong_code(actor_user, device_id, now)
        raise refuse("bad_code")
    if scan.verdict != "ok":
        raise refuse("expired_code")
    window = window_of(session.starts_at, policy, venue)
    state = window.state(at)
    if state == "not_open":
        message = _("Check-in opens at %(time)s.") % {"time": clock(window.opens_at)}
        raise refuse("not_open", message)
    if state == "closed":
        raise refuse("closed")

    extra: dict[str, Any] = {"device_id": device_id}
    flags = participant.phone_flags(device_id)
    mode = policy.location_mode
    if mode != AttendancePolicy.LocationMode.OFF:
        if location is not None and location.known:
            assert location.latitude is not None and location.longitude is not None
            extra["latitude"] = Decimal(f"{location.latitude:.6f}")
            extra["longitude"] = Decimal(f"{location.longitude:.6f}")
            if location.accuracy_m is not None:
                extra["accuracy_m"] = min(max(0, round(location.accuracy_m)), 2**31 - 1)
            if location.accuracy_m is None or location.accuracy_m > settings.CHECKIN_COARSE_FIX_M:
                flags.append(Flag.COARSE_FIX)
            place = place_for(policy, venue)  # the session's point, else the programme's
            if place is not None:
                far = distance_m(
                    location.latitude, location.longitude, place.latitude, place.longitude
                )
                # A phone's fix is uncertain; give it the benefit of its stated accuracy,
                # within a limit, so a weak GPS does not refuse someone at the door while
                # a phone that claims to be unsure cannot widen the radius at will.
                slack = min(location.accuracy_m or 0.0, settings.CHECKIN_LOCATION_SLACK_M)
                detail["distance_m"] = round(far)
                if far > place.radius_m + slack:
                    if mode == AttendancePolicy.LocationMode.REQUIRED:
                        message = _(
                            "You seem to be %(distance)s m from the venue; check-in needs "
                            "you within %(radius)s m."
                        ) % {"distance": round(far), "radius": place.radius_m}
                        raise refuse("outside_area", message)
                    flags.append(Flag.OUTSIDE_AREA)
        elif mode == AttendancePolicy.LocationMode.REQUIRED:
            detail["location_error"] = (location.error if location else "") or "missing"
            raise refuse("location_required", LOCATION_MESSAGES.get(detail["location_error"]))

    status, minutes = lateness(session.starts_at, window, at)

    def write(shared: bool) -> tuple[AttendanceRecord, bool]:
        if shared and policy.shared_device == AttendancePolicy.SharedDevice.REFUSE:
            raise refuse("device_used")
        marks = [Flag.SHARED_DEVICE, *flags] if shared else flags
        return apply_status(
            session,
            person,
            status,
            Method.CODE,
            acting_user=actor_user,
            checked_in_at=at,
            minutes_late=minutes,
            overwrite=False,
            pending=shared,
            flag=" ".join(dict.fromkeys(marks)),
            **extra,
        )

    try:
        record, created = write(participant.device_shared)
    except PhoneTaken:
        # Someone else checked in on this phone at the same moment and won the race.
        record, created = write(True)
    return CheckInResult(record, created=created)


def sessions_open_for(user: User, now: datetime.datetime) -> list[Session]:
    """The sessions of the user's groups around now, for a typed code without a session."""
    day = datetime.timedelta(hours=24)
    return list(
        Session.objects.select_related(*_SESSION_RELATED)
        .filter(
            Enrolment.active_q("group__enrolments", person__user=user),
            starts_at__gte=now - day,
            starts_at__lte=now + day,
        )
        .order_by("starts_at")
    )


def record_typed_check_in(
    code: str,
    *,
    acting_user: User,
    typed_at: datetime.datetime,
    device_id: str,
    location: Location | None = None,
) -> CheckInResult:
    """Check in with a code typed without its session: the code names the session among
    the participant's sessions of the day."""
    actor_user = acting_user
    now = timezone.now()
    wait = wrong_codes_wait(actor_user, device_id, now)
    if wait:
        raise _refuse(
            "too_many_codes",
            session=None,
            person=person_of(actor_user),
            device_id=device_id,
            message=_too_many(wait),
        )
    for session in sessions_open_for(actor_user, typed_at):
        policy = policy_for(session.group.programme)
        if check_code(session.pk, code, typed_at, period_of(policy), policy.code_grace_s) != "bad":
            return record_check_in(
                session,
                code,
                acting_user=actor_user,
                scanned_at=typed_at,
                device_id=device_id,
                location=location,
            )
    count_wrong_code(actor_user, device_id, now)
    raise _refuse(
        "bad_code",
        session=None,
        person=person_of(actor_user),
        device_id=device_id,
        detail={"code": normalise_code(code)[:12], "typed": True},
    )


# --- The coach checks a participant in ----------------------------------------------------


def check_in_by_coach(
    session: Session,
    person: Person,
    *,
    method: str,
    acting_user: User,
    at: datetime.datetime | None = None,
) -> CheckInResult:
    """The coach (or an organiser) checks `person` in after scanning their card or finding
    them by name or NIP. Lateness follows the policy; the window does not bind the coach.
    A participant already recorded keeps their record. The caller has found the session
    through `access.get_session_for_roll`; this re-checks with `can_take_roll`."""
    if method not in (Method.COACH_SCAN, Method.COACH_SEARCH):
        raise CheckInError("bad_method", _("Unknown check-in method."))
    if not can_take_roll(acting_user, session):
        raise CheckInForbiddenError("forbidden", _("You do not run this session's check-in."))
    if session.status in (Session.Status.CANCELLED, Session.Status.MOVED):
        raise CheckInError("session_cancelled", REASONS["session_cancelled"])
    enrolled = Enrolment.objects.active().filter(person=person, group_id=session.group_id).exists()
    if not enrolled:
        raise CheckInError("not_enrolled", _("This person is not a participant of this group."))
    existing = AttendanceRecord.objects.filter(session=session, person=person).first()
    if existing is not None:
        return CheckInResult(existing, created=False)
    at = at or timezone.now()
    policy = policy_for(session.group.programme)
    window = window_of(session.starts_at, policy, venue_for(session))
    status, minutes = lateness(session.starts_at, window, at)
    record, created = apply_status(
        session, person, status, method, acting_user=acting_user, checked_in_at=at,
        minutes_late=minutes, overwrite=False,
    )  # fmt: skip
    return CheckInResult(record, created=created)


def decide_pending(
    record: AttendanceRecord, *, approve: bool, acting_user: User
) -> AttendanceRecord:
    """The coach approves or refuses a check-in held because the phone was shared.

    Refusing sets alpa with a reason; the coach can still set another status on the roll.
    """
    if not can_take_roll(acting_user, record.session):
        raise CheckInForbiddenError("forbidden", _("You do not run this session's check-in."))
    if not record.pending:
        return record
    if approve:
        updated, _changed = apply_status(
            record.session,
            record.person,
            record.status,
            record.method,
            acting_user=acting_user,
            reason=str(_("Shared phone: approved by the coach")),
            pending=False,
        )
    else:
        updated, _changed = apply_status(
            record.session,
            record.person,
            Status.ALPA,
            Method.MANUAL,
            acting_user=acting_user,
            reason=str(_("Shared phone: check-in refused by the coach")),
            pending=False,
        )
    return updated
