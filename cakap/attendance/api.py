"""API for attendance under /api/v1/attendance/: records per session and per participant,
status changes, closing, absence requests, check-in by code or by the coach, and how
attendance is taken (a programme's check-in rules, a session's venue).

Reads go through cakap.attendance.access and cakap.programmes.access, as pages do: an
object outside the caller's scope answers 404. A write the caller may not make on an
object they can see answers 403 with code "forbidden". Refusals carry the same stable
codes as the pages (`reason_required`, `not_started`, `already_pending`, `expired_code`,
`closed`, `device_used`, ...).
"""

from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from cakap.attendance import checkin, phones, queries, services, windows
from cakap.attendance.access import absence_requests_visible_to, records_visible_to
from cakap.attendance.models import (
    DEFAULT_RADIUS_M,
    AbsenceRequest,
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    Method,
    Status,
)
from cakap.attendance.services import policy as policy_services
from cakap.core.api_support import (
    ERROR_RESPONSES,
    READ_RESPONSES,
    AwareDateTimeIn,
    Id,
    InputSchema,
    LocalDateTime,
    PageNumbers,
    referenced,
)
from cakap.core.lookups import get_or_404
from cakap.people import reads
from cakap.people.access import people_visible_to
from cakap.people.api import PersonRef
from cakap.people.identity import actor
from cakap.people.models import User
from cakap.programmes.access import programmes_visible_to, sessions_visible_to
from cakap.programmes.models import Programme, Session

router = Router(tags=["attendance"])


# ---------------------------------------------------------------- schemas


class ChangeOut(Schema):
    at: LocalDateTime
    actor: str | None = Field(description="Who made the change; null for the system")
    method: Method
    from_status: str = Field(description="Empty for the first status")
    to_status: Status
    reason: str

    @staticmethod
    def resolve_actor(obj: AttendanceChange) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class RecordOut(Schema):
    id: int
    session_id: int
    person: PersonRef
    status: Status
    method: Method
    checked_in_at: LocalDateTime | None
    minutes_late: int
    reason: str
    has_document: bool
    pending: bool = Field(description="A check-in held for the coach's approval")
    flag: str = Field(
        description=(
            "Space-separated flags for the coach: shared_device, outside_area, "
            "other_phone (not the phone the person's personal link bound), new_phone "
            "(a phone that never checked anyone in), coarse_fix (a rough or unstated "
            "position)"
        )
    )
    updated_at: LocalDateTime

    @staticmethod
    def resolve_has_document(obj: AttendanceRecord) -> bool:
        return bool(obj.document)


class RecordDetailOut(RecordOut):
    changes: list[ChangeOut] = Field(description="Every change, oldest first")

    @staticmethod
    def resolve_changes(obj: AttendanceRecord) -> list[AttendanceChange]:
        return list(obj.changes.all())


class StatusIn(InputSchema):
    status: Status
    reason: str = Field("", description="Required for izin, sakit and dinas_luar")


class CloseOut(Schema):
    session_id: int
    made_alpa: int = Field(description="Unmarked participants recorded as alpa by this call")
    session_status: Session.Status


class AbsenceOut(Schema):
    id: int
    session_id: int
    person: PersonRef
    status: Status
    reason: str
    has_document: bool
    state: AbsenceRequest.State
    created_at: LocalDateTime
    decided_at: LocalDateTime | None
    decision_note: str

    @staticmethod
    def resolve_has_document(obj: AbsenceRequest) -> bool:
        return bool(obj.document)


class AbsenceIn(InputSchema):
    session_id: Id
    status: Literal["izin", "sakit", "dinas_luar"]
    reason: str


class DecisionIn(InputSchema):
    approve: bool
    note: str = ""


class AbsenceFilter(InputSchema):
    state: AbsenceRequest.State | None = None
    session: Id | None = None


class PersonRecordsFilter(InputSchema):
    programme: Id | None = None


class CheckInIn(InputSchema):
    session_id: Id
    code: str = Field(description="The code shown on the coach's screen, as scanned or typed")
    device_id: str = Field(
        description=(
            "The phone's id, issued once by POST /attendance/devices and kept by the "
            "client; an id this server did not issue is refused (bad_device)"
        )
    )
    scanned_at: AwareDateTimeIn | None = Field(
        None,
        description=(
            "When the code was read. Believed only within what the code proves: no "
            "earlier than the start of its time slot and no later than the request's "
            "arrival; the code must still be valid when the request arrives"
        ),
    )
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0)
    location_error: str = Field("", description="'denied', 'unavailable' or 'timeout'")


class DeviceOut(Schema):
    device_id: str = Field(
        description="A phone id signed by this server; keep it and send it with every check-in"
    )


class CoachCheckInIn(InputSchema):
    method: Literal["coach_scan", "coach_search"] = "coach_search"


class CheckInOut(Schema):
    created: bool = Field(description="False when the participant was already recorded")
    record: RecordOut


# ---------------------------------------------------------------- querysets


def _records(user: User) -> QuerySet[AttendanceRecord]:
    return records_visible_to(user).select_related("person")


def _record_detail(user: User, pk: int) -> AttendanceRecord:
    changes = AttendanceChange.objects.select_related("actor").order_by("at", "id")
    return get_or_404(_records(user).prefetch_related(Prefetch("changes", changes)), pk)


def _session(user: User, pk: int) -> Session:
    return get_or_404(
        sessions_visible_to(user).select_related(
            "group__programme__attendance_policy", "attendance", "coach", "module"
        ),
        pk,
    )


def _absences(user: User) -> QuerySet[AbsenceRequest]:
    return absence_requests_visible_to(user).select_related("person")


# ---------------------------------------------------------------- records


@router.get(
    "/sessions/{session_id}/records",
    response={200: list[RecordOut], **READ_RESPONSES},
    summary="Records of a session",
    description="A participant sees only their own record; coaches and organisers all.",
)
@paginate(PageNumbers)
def list_session_records(request: HttpRequest, session_id: Id) -> QuerySet[AttendanceRecord]:
    user = actor(request)
    session = _session(user, session_id)
    return _records(user).filter(session=session).order_by("person__name", "pk")


@router.get(
    "/people/{person_id}/records",
    response={200: list[RecordOut], **READ_RESPONSES},
    summary="Records of a participant",
)
@paginate(PageNumbers)
def list_person_records(
    request: HttpRequest, person_id: int, filters: Query[PersonRecordsFilter]
) -> QuerySet[AttendanceRecord]:
    user = actor(request)
    person = get_or_404(people_visible_to(user), person_id)
    if person.user_id != user.pk:
        reads.record_read(
            user,
            reads.Kind.RECORDS_API,
            scope=reads.Scope.PERSON,
            scope_id=person.pk,
            person_id=person.pk,
        )
    records = _records(user).filter(person=person)
    if filters.programme is not None:
        records = records.filter(session__group__programme_id=filters.programme)
    return records.order_by("session__starts_at", "pk")


@router.get(
    "/records/{record_id}",
    response={200: RecordDetailOut, **READ_RESPONSES},
    summary="One record with its trail",
)
def get_record(request: HttpRequest, record_id: Id) -> AttendanceRecord:
    return _record_detail(actor(request), record_id)


@router.put(
    "/sessions/{session_id}/records/{person_id}",
    response={200: RecordDetailOut, **ERROR_RESPONSES},
    summary="Set a participant's status in a session",
    description=(
        "For the group's coaches and the programme's organisers. Izin, sakit and "
        "dinas_luar need a reason; hadir, terlambat and alpa wait until check-in opens. "
        "Setting the same status and reason again changes nothing."
    ),
)
def set_record_status(
    request: HttpRequest, session_id: int, person_id: int, payload: StatusIn
) -> AttendanceRecord:
    user = actor(request)
    session = _session(user, session_id)
    person = get_or_404(people_visible_to(user), person_id)
    record = services.set_status(
        session, person, payload.status, reason=payload.reason, method=Method.API, acting_user=user
    )
    return _record_detail(user, record.pk)


@router.post(
    "/sessions/{session_id}/close",
    response={200: CloseOut, **ERROR_RESPONSES},
    summary="Close a session's attendance now",
    description="Unmarked participants become alpa and the session becomes held. Idempotent.",
)
def close_session(request: HttpRequest, session_id: Id) -> CloseOut:
    user = actor(request)
    session = _session(user, session_id)
    made = services.close_session_attendance(session, acting_user=user)
    return CloseOut(
        session_id=session.pk, made_alpa=made, session_status=Session.Status(session.status)
    )


# ---------------------------------------------------------------- absence requests


@router.get(
    "/absence-requests",
    response={200: list[AbsenceOut], **READ_RESPONSES},
    summary="List absence requests",
)
@paginate(PageNumbers)
def list_absences(request: HttpRequest, filters: Query[AbsenceFilter]) -> QuerySet[AbsenceRequest]:
    absences = _absences(actor(request)).order_by("-created_at", "-pk")
    if filters.state is not None:
        absences = absences.filter(state=filters.state)
    if filters.session is not None:
        absences = absences.filter(session_id=filters.session)
    return absences


@router.post(
    "/absence-requests",
    response={201: AbsenceOut, **ERROR_RESPONSES},
    summary="Ask to be excused from an upcoming session",
    description="By the participant, before the session starts; one pending per session.",
)
def create_absence(request: HttpRequest, payload: AbsenceIn) -> Answer[AbsenceRequest]:
    user = actor(request)
    session = referenced(sessions_visible_to(user), payload.session_id, "session_id")
    absence = services.request_absence(session, payload.status, payload.reason, acting_user=user)
    return Answer(201, get_or_404(_absences(user), absence.pk))


@router.post(
    "/absence-requests/{request_id}/decision",
    response={200: AbsenceOut, **ERROR_RESPONSES},
    summary="Approve or decline an absence request",
    description="By the programme's organisers. Approval sets the record (method excuse).",
)
def decide_absence(request: HttpRequest, request_id: Id, payload: DecisionIn) -> AbsenceRequest:
    user = actor(request)
    absence = get_or_404(_absences(user), request_id)
    services.decide_absence(absence, payload.approve, payload.note, acting_user=user)
    return get_or_404(_absences(user), absence.pk)


# ---------------------------------------------------------------- check-in


@router.post(
    "/devices",
    response={201: DeviceOut, **ERROR_RESPONSES},
    summary="Issue a phone id for check-ins",
    description=(
        "Once per phone (or app installation): the id check-ins send as device_id. It is "
        "signed by this server, so an id made up by a client is refused; one phone checks "
        "in one person per session, and a check-in from a phone never used before, or "
        "not the one the person's personal link bound, is flagged to the coach."
    ),
)
def issue_device(request: HttpRequest) -> Answer[DeviceOut]:
    actor(request)
    return Answer(201, DeviceOut(device_id=phones.new_device_id()))


@router.post(
    "/check-in",
    response={200: CheckInOut, 201: CheckInOut, **ERROR_RESPONSES},
    summary="Check the caller in with a session code",
    description=(
        "201 with the new record; 200 with the existing one when already checked in. "
        "Refusals: not_open, closed, expired_code, bad_code, not_enrolled, outside_area, "
        "location_required, device_used, session_cancelled; bad_device for a device_id "
        "this server did not issue (POST /attendance/devices)."
    ),
)
def check_in(request: HttpRequest, payload: CheckInIn) -> Answer[dict[str, object]]:
    user = actor(request)
    loaded = checkin.load_check_in(payload.session_id, user, payload.device_id)
    if loaded is None:
        raise Http404
    session, participant = loaded
    if participant.person is None:
        # 404 outside the caller's scope. Someone actively enrolled in the session's
        # group sees it, so the scope is read only for the others: the same path as the
        # web scan, and one query for the room checking in.
        _session(user, payload.session_id)
    location = (
        windows.Location(
            payload.latitude, payload.longitude, payload.accuracy_m, payload.location_error
        )
        if payload.latitude is not None or payload.location_error
        else None
    )
    result = checkin.record_check_in(
        session,
        payload.code,
        acting_user=user,
        claimed_at=payload.scanned_at,
        device_id=payload.device_id,
        location=location,
        participant=participant,
    )
    out = {"created": result.created, "record": result.record}
    return Answer(201 if result.created else 200, out)


@router.post(
    "/sessions/{session_id}/check-in/{person_id}",
    response={200: CheckInOut, 201: CheckInOut, **ERROR_RESPONSES},
    summary="The coach checks a participant in",
    description="After scanning their card or finding them by name or NIP.",
)
def coach_check_in(
    request: HttpRequest, session_id: int, person_id: int, payload: CoachCheckInIn
) -> Answer[dict[str, object]]:
    user = actor(request)
    session = _session(user, session_id)
    person = get_or_404(people_visible_to(user), person_id)
    result = checkin.check_in_by_coach(session, person, method=payload.method, acting_user=user)
    out = {"created": result.created, "record": result.record}
    return Answer(201 if result.created else 200, out)


# ---------------------------------------------------------------- how attendance is taken


class PlaceOut(Schema):
    latitude: float
    longitude: float
    radius_m: int
    source: Literal["session", "programme"] = Field(
        description="session: the session's own venue point; programme: the programme's"
    )


class PolicyOut(Schema):
    programme_id: int
    opens_before_min: int = Field(description="The check-in window opens this long before")
    closes_after_min: int = Field(description="... and closes this long after the start")
    late_after_min: int = Field(description="A check-in after this is terlambat")
    code_period_s: int = Field(description="The check-in code changes every so many seconds")
    code_grace_s: int = Field(description="A code still counts this long after it changed")
    location_mode: AttendancePolicy.LocationMode
    latitude: float | None = Field(description="The programme's venue point, if it has one")
    longitude: float | None
    radius_m: int
    shared_device: AttendancePolicy.SharedDevice
    saved: bool = Field(description="False: the programme has the default policy, never set")


class PolicyIn(InputSchema):
    opens_before_min: int = Field(ge=0, le=windows.MAX_WINDOW_MIN)
    closes_after_min: int = Field(
        ge=0,
        le=windows.MAX_WINDOW_MIN,
        description=(
            f"At least {windows.MIN_WINDOW_MIN} minutes of window with opens_before_min, "
            "and no earlier than late_after_min"
        ),
    )
    late_after_min: int = Field(ge=0, le=windows.MAX_WINDOW_MIN)
    code_period_s: int = Field(ge=windows.MIN_CODE_PERIOD_S, le=windows.MAX_CODE_PERIOD_S)
    code_grace_s: int = Field(ge=0, le=windows.MAX_CODE_GRACE_S)
    location_mode: AttendancePolicy.LocationMode
    latitude: float | None = Field(
        ge=-90, le=90, description="Decimal degrees, six decimals kept; null with longitude"
    )
    longitude: float | None = Field(ge=-180, le=180)
    radius_m: int = Field(ge=windows.MIN_RADIUS_M, le=windows.MAX_RADIUS_M)
    shared_device: AttendancePolicy.SharedDevice


class VenueOut(Schema):
    session_id: int
    venue: str = Field(description="The venue's name")
    address: str
    online_url: str = Field(description="The online meeting link; empty when none")
    latitude: float | None = Field(description="The session's own venue point, if any")
    longitude: float | None
    radius_m: int
    opens_before_min: int | None = Field(description="null: the programme's")
    closes_after_min: int | None = Field(description="null: the programme's")
    check_in_opens_at: LocalDateTime = Field(description="The effective window")
    check_in_closes_at: LocalDateTime
    late_after: LocalDateTime
    place: PlaceOut | None = Field(
        description="The point check-ins are measured from: the session's, else the programme's"
    )


class VenueIn(InputSchema):
    venue: str = Field(max_length=200)
    address: str = Field(max_length=255)
    online_url: str = Field(max_length=200, description="Empty for none")
    latitude: float | None = Field(ge=-90, le=90, description="null: the programme's point")
    longitude: float | None = Field(ge=-180, le=180)
    radius_m: int = Field(ge=windows.MIN_RADIUS_M, le=windows.MAX_RADIUS_M)
    opens_before_min: int | None = Field(
        ge=0, le=windows.MAX_WINDOW_MIN, description="null: the programme's"
    )
    closes_after_min: int | None = Field(
        ge=0, le=windows.MAX_WINDOW_MIN, description="null: the programme's"
    )


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _policy_out(programme: Programme) -> PolicyOut:
    policy = windows.policy_for(programme)
    return PolicyOut(
        programme_id=programme.pk,
        opens_before_min=policy.opens_before_min,
        closes_after_min=policy.closes_after_min,
        late_after_min=policy.late_after_min,
        code_period_s=policy.code_period_s,
        code_grace_s=policy.code_grace_s,
        location_mode=AttendancePolicy.LocationMode(policy.location_mode),
        latitude=_float(policy.latitude),
        longitude=_float(policy.longitude),
        radius_m=policy.radius_m,
        shared_device=AttendancePolicy.SharedDevice(policy.shared_device),
        saved=policy.pk is not None,
    )


def _venue_out(session: Session) -> VenueOut:
    rules = queries.session_rules(session)
    venue = rules.venue
    place = rules.place
    return VenueOut(
        session_id=session.pk,
        venue=session.venue,
        address=venue.address if venue else "",
        online_url=session.online_url,
        latitude=_float(venue.latitude) if venue else None,
        longitude=_float(venue.longitude) if venue else None,
        radius_m=venue.radius_m if venue else DEFAULT_RADIUS_M,
        opens_before_min=venue.opens_before_min if venue else None,
        closes_after_min=venue.closes_after_min if venue else None,
        check_in_opens_at=rules.window.opens_at,
        check_in_closes_at=rules.window.closes_at,
        late_after=rules.window.late_after,
        place=PlaceOut(
            latitude=place.latitude,
            longitude=place.longitude,
            radius_m=place.radius_m,
            source="session" if place.source == "session" else "programme",
        )
        if place
        else None,
    )


def _programme(user: User, pk: int) -> Programme:
    return get_or_404(programmes_visible_to(user).select_related("attendance_policy"), pk)


@router.get(
    "/programmes/{programme_id}/policy",
    response={200: PolicyOut, **READ_RESPONSES},
    summary="A programme's check-in rules",
    description="For everyone who sees the programme. Defaults when never set (saved false).",
)
def get_policy(request: HttpRequest, programme_id: Id) -> PolicyOut:
    return _policy_out(_programme(actor(request), programme_id))


@router.put(
    "/programmes/{programme_id}/policy",
    response={200: PolicyOut, **ERROR_RESPONSES},
    summary="Set a programme's check-in rules",
    description=(
        "For the programme's organisers; every field is given. Applies to check-ins from "
        "now on; records already written keep their status. Refused with 409 while a "
        "session's check-in is open: would_close_open_window (the change would close it "
        "at once) and code_change_while_open (a new code period or grace). Setting the "
        "same values again changes nothing."
    ),
)
def set_policy(request: HttpRequest, programme_id: Id, payload: PolicyIn) -> PolicyOut:
    user = actor(request)
    programme = _programme(user, programme_id)
    data = payload.dict()
    policy_services.set_attendance_policy(
        programme,
        opens_before_min=data["opens_before_min"],
        closes_after_min=data["closes_after_min"],
        late_after_min=data["late_after_min"],
        code_period_s=data["code_period_s"],
        code_grace_s=data["code_grace_s"],
        location_mode=data["location_mode"],
        latitude=_decimal(data["latitude"]),
        longitude=_decimal(data["longitude"]),
        radius_m=data["radius_m"],
        shared_device=data["shared_device"],
        acting_user=user,
    )
    return _policy_out(_programme(user, programme_id))


@router.get(
    "/sessions/{session_id}/venue",
    response={200: VenueOut, **READ_RESPONSES},
    summary="A session's venue and effective check-in window",
)
def get_venue(request: HttpRequest, session_id: Id) -> VenueOut:
    return _venue_out(_session(actor(request), session_id))


@router.put(
    "/sessions/{session_id}/venue",
    response={200: VenueOut, **ERROR_RESPONSES},
    summary="Set a session's venue and window overrides",
    description=(
        "For the programme's organisers; every field is given (null overrides and point: "
        "the programme's). Applies to check-ins from now on; a cancelled or moved session "
        "cannot be changed (409)."
    ),
)
def set_venue(request: HttpRequest, session_id: Id, payload: VenueIn) -> VenueOut:
    user = actor(request)
    session = _session(user, session_id)
    data = payload.dict()
    policy_services.set_session_venue(
        session,
        venue=data["venue"],
        address=data["address"],
        online_url=data["online_url"],
        latitude=_decimal(data["latitude"]),
        longitude=_decimal(data["longitude"]),
        radius_m=data["radius_m"],
        opens_before_min=data["opens_before_min"],
        closes_after_min=data["closes_after_min"],
        acting_user=user,
    )
    return _venue_out(_session(user, session_id))
