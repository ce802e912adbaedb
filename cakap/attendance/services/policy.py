"""Writes to how attendance is taken: a programme's attendance policy and a session's
venue with its window overrides (decision 83).

Each function checks that the acting user manages the programme, validates with the
pure rules of cakap.attendance.windows, writes in one transaction with the audit entry
(before and after), and does nothing when nothing changes, so that a repeat is harmless.
A change applies to check-ins from the moment it is saved; records already written are
never rewritten. Two changes are refused while a session's check-in is open: one that
would close its window at once (the closing job would then mark everyone unmarked alpa)
and a new code period or grace (the code on the coach's screen would stop working).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import DEFAULT_RADIUS_M, AttendancePolicy, SessionVenue
from cakap.attendance.services import AttendanceError
from cakap.attendance.windows import (
    MAX_WINDOW_MIN,
    Problem,
    code_problems,
    point_problems,
    policy_for,
    window_of,
    window_problems,
)
from cakap.core import audit
from cakap.core.errors import ConflictError, ForbiddenError
from cakap.core.formatting import clock
from cakap.people.models import User
from cakap.programmes import services as programme_services
from cakap.programmes.access import can_manage
from cakap.programmes.models import Programme, Session


class PolicyError(AttendanceError):
    """A refused change to a policy or a venue; `field` names the input at fault."""


class PolicyConflictError(PolicyError, ConflictError):
    pass


class PolicyForbiddenError(PolicyError, ForbiddenError):
    pass


class PolicyFields(TypedDict):
    """Everything a programme's policy holds; a change names all of it."""

    opens_before_min: int
    closes_after_min: int
    late_after_min: int
    code_period_s: int
    code_grace_s: int
    location_mode: str
    latitude: Decimal | None
    longitude: Decimal | None
    radius_m: int
    shared_device: str


class VenueFields(TypedDict, total=False):
    """A session's venue: its name and meeting link (on the session), its address, point
    and radius, and its window overrides (None: the programme's)."""

    venue: str
    online_url: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    radius_m: int
    opens_before_min: int | None
    closes_after_min: int | None


POLICY_FIELDS = tuple(PolicyFields.__annotations__)
VENUE_FIELDS = (
    "address",
    "latitude",
    "longitude",
    "radius_m",
    "opens_before_min",
    "closes_after_min",
)
SESSION_FIELDS = ("venue", "online_url")
_GONE = (Session.Status.CANCELLED, Session.Status.MOVED)
_MICRO = Decimal("0.000001")
# What a session without a venue row has.
_VENUE_DEFAULTS: dict[str, object] = {
    "address": "",
    "latitude": None,
    "longitude": None,
    "radius_m": DEFAULT_RADIUS_M,
    "opens_before_min": None,
    "closes_after_min": None,
}


def _raise_first(problems: Iterable[Problem]) -> None:
    for problem in problems:
        raise PolicyError(problem.code, problem.message, field=problem.field)


def _coordinate(value: Decimal | float | None, field: str) -> Decimal | None:
    """A coordinate to the six decimals stored (about 0.1 m); NaN and infinities refused."""
    if value is None:
        return None
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite():
        raise PolicyError("invalid", _("Enter a number."), field=field)
    if abs(number) > 180:  # off the globe: the range check names it; rounding could fail
        return number
    return number.quantize(_MICRO)


def _whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError("invalid", _("Enter a whole number."), field=field)
    return value


def _check_manager(programme: Programme, acting_user: User | None) -> None:
    if acting_user is not None and not can_manage(acting_user, programme):
        raise PolicyForbiddenError(
            "forbidden", _("Only the programme's organisers may change how attendance is taken.")
        )


def _open_sessions(sessions: Iterable[Session], policy: AttendancePolicy) -> list[Session]:
    """The sessions among `sessions` whose check-in window is open now under `policy`."""
    now = timezone.now()
    return [
        s
        for s in sessions
        if s.status not in _GONE
        and window_of(s.starts_at, policy, _venue_of(s)).state(now) == "open"
    ]


def _venue_of(session: Session) -> SessionVenue | None:
    try:
        return session.attendance
    except SessionVenue.DoesNotExist:
        return None


def _session_name(session: Session) -> str:
    return str(
        _("group %(group)s at %(time)s")
        % {"group": session.group.name, "time": clock(session.starts_at)}
    )


def _refuse_closing(
    session: Session,
    old: AttendancePolicy,
    new: AttendancePolicy,
    old_venue: SessionVenue | None,
    new_venue: SessionVenue | None,
) -> None:
    """Refuse a change that would shut the open window of `session` at once."""
    now = timezone.now()
    if window_of(session.starts_at, old, old_venue).state(now) != "open":
        return
    if window_of(session.starts_at, new, new_venue).state(now) == "closed":
        raise PolicyConflictError(
            "would_close_open_window",
            _(
                "Check-in for %(session)s is open now, and this change would close it at "
                "once: everyone not yet checked in would be marked alpa. Close its roll on "
                "the roll page instead, or keep the window open past now."
            )
            % {"session": _session_name(session)},
            field="closes_after_min",
        )


def _refuse_code_change(open_now: list[Session], old: AttendancePolicy) -> None:
    if open_now:
        window = window_of(open_now[0].starts_at, old, _venue_of(open_now[0]))
        raise PolicyConflictError(
            "code_change_while_open",
            _(
                "Check-in for %(session)s is open now: a new code period or grace would stop "
                "the code on the coach's screen from working. Change them after %(time)s, "
                "when its window closes."
            )
            % {"session": _session_name(open_now[0]), "time": clock(window.closes_at)},
            field="code_period_s",
        )


def _copy_policy(policy: AttendancePolicy) -> AttendancePolicy:
    return AttendancePolicy(
        programme_id=policy.programme_id, **{f: getattr(policy, f) for f in POLICY_FIELDS}
    )


def validate_policy(fields: PolicyFields) -> PolicyFields:
    """`fields` checked and normalised (coordinates to six decimals); the first problem
    raises a `PolicyError` naming its field."""
    for name in (
        "opens_before_min",
        "closes_after_min",
        "late_after_min",
        "code_period_s",
        "code_grace_s",
        "radius_m",
    ):
        _whole(fields[name], name)
    if fields["location_mode"] not in AttendancePolicy.LocationMode.values:
        raise PolicyError(
            "invalid", _("Choose how the location is checked."), field="location_mode"
        )
    if fields["shared_device"] not in AttendancePolicy.SharedDevice.values:
        raise PolicyError(
            "invalid", _("Choose what happens when one phone checks in two people."),
            field="shared_device",
        )  # fmt: skip
    clean = PolicyFields(
        **{
            **fields,
            "latitude": _coordinate(fields["latitude"], "latitude"),
            "longitude": _coordinate(fields["longitude"], "longitude"),
        }
    )
    _raise_first(
        window_problems(
            clean["opens_before_min"], clean["closes_after_min"], clean["late_after_min"]
        )
    )
    _raise_first(code_problems(clean["code_period_s"], clean["code_grace_s"]))
    _raise_first(point_problems(clean["latitude"], clean["longitude"], clean["radius_m"]))
    return clean


def _overrides_in_conflict(programme: Programme, late_after_min: int) -> list[SessionVenue]:
    """Sessions still to be held whose own window would close before lateness starts."""
    return list(
        SessionVenue.objects.select_related("session__group")
        .filter(
            session__group__programme=programme,
            session__status=Session.Status.PLANNED,
            closed_at__isnull=True,
            closes_after_min__lt=late_after_min,
        )
        .order_by("session__starts_at")[:1]
    )


def set_attendance_policy(
    programme: Programme, *, acting_user: User | None, **fields: Unpack[PolicyFields]
) -> AttendancePolicy:
    """Set how `programme` takes attendance: the check-in window, lateness, the code's
    period and grace, the location check with the venue point, and the shared-phone rule.

    Takes effect for check-ins after it; records already written keep their status. The
    same values again change nothing and write no audit entry."""
    _check_manager(programme, acting_user)
    clean = validate_policy(fields)
    try:
        return _set_policy(programme, clean, acting_user)
    except IntegrityError:
        # Another request created the programme's first policy meanwhile: start again
        # from the row it wrote.
        return _set_policy(programme, clean, acting_user)


@transaction.atomic
def _set_policy(
    programme: Programme, clean: PolicyFields, acting_user: User | None
) -> AttendancePolicy:
    locked = AttendancePolicy.objects.select_for_update().filter(programme=programme).first()
    # By id: an instance made with the programme would take its place in the caller's
    # programme (the reverse cache) and show values that were never saved.
    policy = locked if locked is not None else AttendancePolicy(programme_id=programme.pk)
    old = _copy_policy(policy)
    before = audit.snapshot(policy, POLICY_FIELDS)
    changed = [name for name in POLICY_FIELDS if getattr(policy, name) != clean[name]]  # type: ignore[literal-required]
    if not changed:
        return policy
    for name in changed:
        setattr(policy, name, clean[name])  # type: ignore[literal-required]
    conflicting = _overrides_in_conflict(programme, policy.late_after_min)
    if conflicting:
        raise PolicyError(
            "late_after_session_close",
            _(
                "The session of %(session)s closes its own window %(closes)s minutes after "
                "the start, before lateness would start. Change that session's window first."
            )
            % {
                "session": _session_name(conflicting[0].session),
                "closes": conflicting[0].closes_after_min,
            },
            field="late_after_min",
        )
    now = timezone.now()
    nearby = list(
        Session.objects.select_related("group__programme", "attendance").filter(
            group__programme=programme,
            starts_at__gte=now - datetime.timedelta(minutes=MAX_WINDOW_MIN),
            starts_at__lte=now + datetime.timedelta(minutes=MAX_WINDOW_MIN),
        )
    )
    open_now = _open_sessions(nearby, old)
    if {"code_period_s", "code_grace_s"} & set(changed):
        _refuse_code_change(open_now, old)
    for session in open_now:
        venue = _venue_of(session)
        _refuse_closing(session, old, policy, venue, venue)
    with transaction.atomic():  # a savepoint: a racing first insert leaves this usable
        if locked is None:
            policy.save(force_insert=True)
        else:
            policy.save(update_fields=changed)
    audit.record(
        "attendance_policy.updated",
        policy,
        before=before,
        after=audit.snapshot(policy, POLICY_FIELDS),
        acting_user=acting_user,
    )
    return policy


def validate_venue(session: Session, policy: AttendancePolicy, fields: VenueFields) -> VenueFields:
    """`fields` checked against the rules and the programme's lateness; normalised."""
    clean = VenueFields(**fields)
    for name in ("latitude", "longitude"):
        if name in clean:
            clean[name] = _coordinate(clean[name], name)
    for name in ("radius_m", "opens_before_min", "closes_after_min"):
        value = clean.get(name)
        if value is not None:
            _whole(value, name)
    venue = _venue_of(session)
    current = {
        name: getattr(venue, name) if venue is not None else _VENUE_DEFAULTS[name]
        for name in VENUE_FIELDS
    }
    merged: dict[str, Any] = {**current, **{k: v for k, v in clean.items() if k in VENUE_FIELDS}}
    _raise_first(point_problems(merged["latitude"], merged["longitude"], merged["radius_m"]))
    opens = merged["opens_before_min"]
    closes = merged["closes_after_min"]
    problems = window_problems(
        policy.opens_before_min if opens is None else opens,
        policy.closes_after_min if closes is None else closes,
        policy.late_after_min,
    )
    for problem in problems:
        if problem.field == "late_after_min":
            raise PolicyError(
                "close_before_late",
                _(
                    "The programme counts lateness from %(late)s minutes after the start: "
                    "this session's window cannot close before that."
                )
                % {"late": policy.late_after_min},
                field="closes_after_min",
            )
        field = (
            problem.field
            if problem.field in ("opens_before_min", "closes_after_min")
            else "closes_after_min"
        )
        raise PolicyError(problem.code, problem.message, field=field)
    return clean


def set_session_venue(
    session: Session, *, acting_user: User | None, **fields: Unpack[VenueFields]
) -> SessionVenue:
    """Set where `session` meets and any overrides of its window: the venue's name and
    meeting link (written through `programmes.services.update_session`, which keeps its
    own audit entry), its address, point and radius, and its window's minutes before and
    after the start (None: the programme's). Only the given fields change.

    Takes effect for check-ins after it; records already written keep their status. A
    cancelled or moved session cannot be changed."""
    programme = session.group.programme
    _check_manager(programme, acting_user)
    with transaction.atomic():
        # The lock closing takes too (services.close_session_attendance): a close and a
        # change of the venue queue behind each other, and neither loses the other's write.
        fresh = (
            Session.objects.select_for_update(no_key=True)
            .select_related("group__programme")
            .get(pk=session.pk)
        )
        if fresh.status in _GONE:
            raise PolicyConflictError(
                "session_closed", _("A cancelled or moved session cannot be changed.")
            )
        policy = policy_for(fresh.group.programme)
        locked = SessionVenue.objects.select_for_update().filter(session=fresh).first()
        if locked is not None:
            fresh.attendance = locked
        clean = validate_venue(fresh, policy, fields)
        session_changes = {k: v for k, v in clean.items() if k in SESSION_FIELDS}
        if session_changes:
            programme_services.update_session(fresh, acting_user=acting_user, **session_changes)  # type: ignore[arg-type]
        venue = locked if locked is not None else SessionVenue(session=fresh)
        old = SessionVenue(session_id=fresh.pk, **{f: getattr(venue, f) for f in VENUE_FIELDS})
        old.closed_at = venue.closed_at
        before = audit.snapshot(venue, VENUE_FIELDS)
        changed = [
            name
            for name in VENUE_FIELDS
            if name in clean and getattr(venue, name) != clean[name]  # type: ignore[literal-required]
        ]
        if not changed:
            return venue
        for name in changed:
            setattr(venue, name, clean[name])  # type: ignore[literal-required]
        if {"opens_before_min", "closes_after_min"} & set(changed):
            _refuse_closing(fresh, policy, policy, old, venue)
        if locked is None:
            venue.save(force_insert=True)
        else:
            venue.save(update_fields=changed)
        audit.record(
            "session_venue.updated",
            venue,
            before=before,
            after=audit.snapshot(venue, VENUE_FIELDS),
            acting_user=acting_user,
        )
    session.venue, session.online_url = fresh.venue, fresh.online_url
    return venue
