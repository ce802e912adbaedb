"""API for programmes (with modules), groups, enrolments and sessions.

Reads go through cakap.programmes.access, as pages do: an object outside the
caller's scope answers 404. Writes need the programme to be managed by the caller
(organisers in scope, administrators); one the caller sees but may not change
answers 403. The operations on many enrolments at once are in api/bulk.py.
"""

import datetime
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cakap.core.api_support import (
    ERROR_RESPONSES,
    READ_RESPONSES,
    AwareDateTimeIn,
    DateIn,
    Id,
    InputSchema,
    LocalDateTime,
    PageNumbers,
    forbidden,
    referenced,
    reject_nulls,
)
from cakap.core.formatting import JAKARTA
from cakap.core.lookups import get_or_404
from cakap.people.access import is_organiser, people_visible_to, units_visible_to
from cakap.people.api import PersonRef, UnitRef
from cakap.people.identity import actor
from cakap.people.models import Person, Unit, User
from cakap.programmes import services
from cakap.programmes.access import (
    enrolments_visible_to,
    groups_visible_to,
    people_enrollable_by,
    programmes_managed_by,
    programmes_visible_to,
    sessions_visible_to,
)
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session

router = Router(tags=["programmes"])


# ---------------------------------------------------------------- schemas


class ModuleOut(Schema):
    id: int
    order: int
    title: str
    summary: str


class ModuleIn(InputSchema):
    title: str
    summary: str = ""
    order: int | None = Field(None, ge=1, description="Without it the module goes last")


class ModulePatch(InputSchema):
    title: str | None = None
    summary: str | None = None
    order: int | None = Field(None, ge=1)


class ProgrammeRef(Schema):
    id: int
    title: str


class ProgrammeOut(Schema):
    id: int
    title: str
    organiser_unit: UnitRef
    coaching_unit: UnitRef
    learning_form: Programme.LearningForm
    start_date: datetime.date
    end_date: datetime.date
    description: str
    status: Programme.Status
    target_sessions: int
    min_attendance_pct: int
    jp_credit: int = Field(description="JP credited for the programme")
    notify_superior_when_behind: bool = Field(
        description="a participant's direct superior is told when they fall behind"
    )
    pass_criteria: dict[str, Any]
    modules: list[ModuleOut]
    created_at: LocalDateTime

    @staticmethod
    def resolve_modules(obj: Programme) -> list[Module]:
        return list(obj.modules.all())


class ProgrammeIn(InputSchema):
    title: str
    organiser_unit_id: Id
    coaching_unit_id: Id
    learning_form: Programme.LearningForm = Programme.LearningForm.COACHING
    start_date: DateIn
    end_date: DateIn
    description: str = ""
    status: Programme.Status = Programme.Status.DRAFT
    target_sessions: int = Field(0, ge=0)
    min_attendance_pct: int = Field(80, ge=0, le=100)
    jp_credit: int = Field(0, ge=0)
    notify_superior_when_behind: bool = False
    pass_criteria: dict[str, Any] = Field(
        default_factory=dict,
        description="min_attendance_pct, min_post_score (0-100), require_tasks (bool)",
    )


class ProgrammePatch(InputSchema):
    title: str | None = None
    organiser_unit_id: Id | None = None
    coaching_unit_id: Id | None = None
    learning_form: Programme.LearningForm | None = None
    start_date: DateIn | None = None
    end_date: DateIn | None = None
    description: str | None = None
    status: Programme.Status | None = None
    target_sessions: int | None = Field(None, ge=0)
    min_attendance_pct: int | None = Field(None, ge=0, le=100)
    jp_credit: int | None = Field(None, ge=0)
    notify_superior_when_behind: bool | None = None
    pass_criteria: dict[str, Any] | None = None


class ProgrammeFilter(InputSchema):
    status: Programme.Status | None = None


class GroupOut(Schema):
    id: int
    programme: ProgrammeRef
    name: str
    coaches: list[PersonRef]
    participant_count: int = Field(description="Active enrolments")

    @staticmethod
    def resolve_coaches(obj: Group) -> list[Person]:
        return list(obj.coaches.all())


class GroupIn(InputSchema):
    name: str
    coach_ids: list[Id] = Field(default_factory=list)


class GroupFilter(InputSchema):
    programme: Id | None = None


class GroupRef(Schema):
    id: int
    name: str


class EnrolmentOut(Schema):
    id: int
    programme: ProgrammeRef
    group: GroupRef
    person: PersonRef
    unit: UnitRef
    status: Enrolment.Status
    enrolled_at: LocalDateTime
    ended_at: LocalDateTime | None
    end_reason: str

    @staticmethod
    def resolve_unit(obj: Enrolment) -> Unit:
        return obj.person.unit


class EnrolmentIn(InputSchema):
    group_id: Id
    person_id: Id


class MoveIn(InputSchema):
    to_group_id: Id
    reason: str


class ReasonIn(InputSchema):
    reason: str


class EnrolmentFilter(InputSchema):
    programme: Id | None = None
    group: Id | None = None
    status: Enrolment.Status | None = None


class ModuleRef(Schema):
    id: int
    order: int
    title: str


class SessionOut(Schema):
    id: int
    programme: ProgrammeRef
    group: GroupRef
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    venue: str
    online_url: str
    module: ModuleRef | None
    topic: str
    title: str = Field(description="The topic, or else the module's title")
    coach: PersonRef | None
    status: Session.Status
    status_reason: str
    moved_to_id: int | None

    @staticmethod
    def resolve_programme(obj: Session) -> Programme:
        return obj.group.programme


class SessionIn(InputSchema):
    group_id: Id
    starts_at: AwareDateTimeIn
    ends_at: AwareDateTimeIn
    venue: str = ""
    online_url: str = ""
    module_id: Id | None = None
    coach_id: Id | None = Field(None, description="A person who coaches the group")
    topic: str = ""


class SessionPatch(InputSchema):
    starts_at: AwareDateTimeIn | None = None
    ends_at: AwareDateTimeIn | None = None
    venue: str | None = None
    online_url: str | None = None
    module_id: Id | None = Field(None, description="null clears the module")
    coach_id: Id | None = Field(None, description="null clears the coach")
    topic: str | None = None
    status: Session.Status | None = Field(None, description="planned or held")


class SessionMoveIn(InputSchema):
    starts_at: AwareDateTimeIn
    ends_at: AwareDateTimeIn
    reason: str


class SessionFilter(InputSchema):
    programme: Id | None = None
    group: Id | None = None
    from_: DateIn | None = Field(None, alias="from", description="First day (WIB), inclusive")
    to: DateIn | None = Field(None, description="Last day (WIB), inclusive")


# ---------------------------------------------------------------- querysets


def _programmes(user: User) -> QuerySet[Programme]:
    return (
        programmes_visible_to(user)
        .select_related("organiser_unit", "coaching_unit")
        .prefetch_related("modules")
    )


def _groups(user: User) -> QuerySet[Group]:
    return (
        groups_visible_to(user)
        .select_related("programme")
        .prefetch_related(Prefetch("coaches", queryset=Person.objects.order_by("name", "pk")))
        .annotate(participant_count=Count("enrolments", filter=Enrolment.active_q("enrolments")))
    )


def _enrolments(user: User) -> QuerySet[Enrolment]:
    return enrolments_visible_to(user).select_related(
        "programme", "group", "person", "person__unit"
    )


def _sessions(user: User) -> QuerySet[Session]:
    return sessions_visible_to(user).select_related("group", "group__programme", "module", "coach")


def _managed(user: User, programme_id: Id) -> None:
    """Refuse a write on a programme the caller can see but not manage."""
    if not programmes_managed_by(user).filter(pk=programme_id).exists():
        raise forbidden()


# ---------------------------------------------------------------- programmes


@router.get(
    "/programmes", response={200: list[ProgrammeOut], **READ_RESPONSES}, summary="List programmes"
)
@paginate(PageNumbers)
def list_programmes(request: HttpRequest, filters: Query[ProgrammeFilter]) -> QuerySet[Programme]:
    programmes = _programmes(actor(request)).order_by("-start_date", "title", "pk")
    if filters.status is not None:
        programmes = programmes.filter(status=filters.status)
    return programmes


@router.get(
    "/programmes/{programme_id}",
    response={200: ProgrammeOut, **READ_RESPONSES},
    summary="One programme with its modules",
)
def get_programme(request: HttpRequest, programme_id: Id) -> Programme:
    return get_or_404(_programmes(actor(request)), programme_id)


def _programme_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    units = units_visible_to(user)
    for name in ("organiser_unit", "coaching_unit"):
        if f"{name}_id" in data:
            data[name] = referenced(units, data.pop(f"{name}_id"), f"{name}_id")
    return data


@router.post(
    "/programmes", response={201: ProgrammeOut, **ERROR_RESPONSES}, summary="Create a programme"
)
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    user = actor(request)
    if not is_organiser(user):
        raise forbidden()
    programme = services.create_programme(
        **_programme_fields(user, payload.dict()), acting_user=user
    )
    return Status(201, get_or_404(_programmes(user), programme.pk))


@router.patch(
    "/programmes/{programme_id}",
    response={200: ProgrammeOut, **ERROR_RESPONSES},
    summary="Change some fields of a programme",
)
def update_programme(request: HttpRequest, programme_id: Id, payload: ProgrammePatch) -> Programme:
    user = actor(request)
    programme = get_or_404(_programmes(user), programme_id)
    _managed(user, programme.pk)
    fields = _programme_fields(user, reject_nulls(payload.dict(exclude_unset=True)))
    services.update_programme(programme, **fields, acting_user=user)
    return get_or_404(_programmes(user), programme.pk)


@router.post(
    "/programmes/{programme_id}/modules",
    response={201: ModuleOut, **ERROR_RESPONSES},
    summary="Add a curriculum module to a programme",
)
def create_module(request: HttpRequest, programme_id: Id, payload: ModuleIn) -> Status[Module]:
    user = actor(request)
    programme = get_or_404(programmes_visible_to(user), programme_id)
    _managed(user, programme.pk)
    module = services.add_module(programme, **payload.dict(), acting_user=user)
    return Status(201, module)


@router.patch(
    "/programmes/{programme_id}/modules/{module_id}",
    response={200: ModuleOut, **ERROR_RESPONSES},
    summary="Change a module's title, summary or order",
)
def update_module(
    request: HttpRequest, programme_id: int, module_id: int, payload: ModulePatch
) -> Module:
    user = actor(request)
    programme = get_or_404(programmes_visible_to(user), programme_id)
    module = get_or_404(Module.objects.filter(programme=programme), module_id)
    _managed(user, programme.pk)
    return services.update_module(
        module, **reject_nulls(payload.dict(exclude_unset=True)), acting_user=user
    )


# ---------------------------------------------------------------- groups


@router.get("/groups", response={200: list[GroupOut], **READ_RESPONSES}, summary="List groups")
@paginate(PageNumbers)
def list_groups(request: HttpRequest, filters: Query[GroupFilter]) -> QuerySet[Group]:
    groups = _groups(actor(request)).order_by("programme_id", "name", "pk")
    if filters.programme is not None:
        groups = groups.filter(programme_id=filters.programme)
    return groups


@router.get("/groups/{group_id}", response={200: GroupOut, **READ_RESPONSES}, summary="One group")
def get_group(request: HttpRequest, group_id: Id) -> Group:
    return get_or_404(_groups(actor(request)), group_id)


@router.post(
    "/programmes/{programme_id}/groups",
    response={201: GroupOut, **ERROR_RESPONSES},
    summary="Create a group in a programme",
)
def create_group(request: HttpRequest, programme_id: Id, payload: GroupIn) -> Status[Group]:
    user = actor(request)
    programme = get_or_404(programmes_visible_to(user), programme_id)
    _managed(user, programme.pk)
    visible = people_visible_to(user)
    coaches = [referenced(visible, pk, "coach_ids") for pk in dict.fromkeys(payload.coach_ids)]
    group = services.create_group(programme, name=payload.name, coaches=coaches, acting_user=user)
    return Status(201, get_or_404(_groups(user), group.pk))


# ---------------------------------------------------------------- enrolments


@router.get(
    "/enrolments", response={200: list[EnrolmentOut], **READ_RESPONSES}, summary="List enrolments"
)
@paginate(PageNumbers)
def list_enrolments(request: HttpRequest, filters: Query[EnrolmentFilter]) -> QuerySet[Enrolment]:
    enrolments = _enrolments(actor(request)).order_by(
        "programme_id", "group__name", "person__name", "pk"
    )
    if filters.programme is not None:
        enrolments = enrolments.filter(programme_id=filters.programme)
    if filters.group is not None:
        enrolments = enrolments.filter(group_id=filters.group)
    if filters.status is not None:
        enrolments = enrolments.filter(status=filters.status)
    return enrolments


@router.get(
    "/enrolments/{enrolment_id}",
    response={200: EnrolmentOut, **READ_RESPONSES},
    summary="One enrolment",
)
def get_enrolment(request: HttpRequest, enrolment_id: Id) -> Enrolment:
    return get_or_404(_enrolments(actor(request)), enrolment_id)


@router.post(
    "/enrolments",
    response={200: EnrolmentOut, 201: EnrolmentOut, **ERROR_RESPONSES},
    summary="Enrol a person in a group",
    description="Repeating the request answers 200 with the enrolment that exists.",
)
def create_enrolment(request: HttpRequest, payload: EnrolmentIn) -> Status[Enrolment]:
    user = actor(request)
    group = referenced(
        groups_visible_to(user).select_related("programme"), payload.group_id, "group_id"
    )
    _managed(user, group.programme_id)
    person = referenced(people_enrollable_by(user), payload.person_id, "person_id")
    existed = Enrolment.objects.active().filter(group=group, person=person).exists()
    enrolment = services.enrol_participant(group, person, acting_user=user)
    return Status(200 if existed else 201, get_or_404(_enrolments(user), enrolment.pk))


def _managed_enrolment(user: User, enrolment_id: Id) -> Enrolment:
    enrolment = get_or_404(_enrolments(user), enrolment_id)
    _managed(user, enrolment.programme_id)
    return enrolment


@router.post(
    "/enrolments/{enrolment_id}/move",
    response={200: EnrolmentOut, **ERROR_RESPONSES},
    summary="Move a participant to another group of the programme",
    description="The old enrolment ends with status moved; the new active one is returned.",
)
def move_enrolment(request: HttpRequest, enrolment_id: Id, payload: MoveIn) -> Enrolment:
    user = actor(request)
    enrolment = _managed_enrolment(user, enrolment_id)
    to_group = referenced(groups_visible_to(user), payload.to_group_id, "to_group_id")
    new = services.move_participant(enrolment, to_group, payload.reason, acting_user=user)
    return get_or_404(_enrolments(user), new.pk)


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response={200: EnrolmentOut, **ERROR_RESPONSES},
    summary="Withdraw a participant, with a reason",
)
def withdraw_enrolment(request: HttpRequest, enrolment_id: Id, payload: ReasonIn) -> Enrolment:
    user = actor(request)
    enrolment = _managed_enrolment(user, enrolment_id)
    services.withdraw_participant(enrolment, payload.reason, acting_user=user)
    return get_or_404(_enrolments(user), enrolment.pk)


# ---------------------------------------------------------------- sessions


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=JAKARTA)


@router.get(
    "/sessions", response={200: list[SessionOut], **READ_RESPONSES}, summary="List sessions"
)
@paginate(PageNumbers)
def list_sessions(request: HttpRequest, filters: Query[SessionFilter]) -> QuerySet[Session]:
    sessions = _sessions(actor(request)).order_by("starts_at", "pk")
    if filters.programme is not None:
        sessions = sessions.filter(group__programme_id=filters.programme)
    if filters.group is not None:
        sessions = sessions.filter(group_id=filters.group)
    if filters.from_ is not None:
        sessions = sessions.filter(starts_at__gte=_day_start(filters.from_))
    if filters.to is not None:
        sessions = sessions.filter(
            starts_at__lt=_day_start(filters.to + datetime.timedelta(days=1))
        )
    return sessions


@router.get(
    "/sessions/{session_id}", response={200: SessionOut, **READ_RESPONSES}, summary="One session"
)
def get_session(request: HttpRequest, session_id: Id) -> Session:
    return get_or_404(_sessions(actor(request)), session_id)


def _session_refs(group: Group, data: dict[str, Any]) -> dict[str, Any]:
    """Module and coach ids as objects; a null id clears the field."""
    if "module_id" in data:
        module_id = data.pop("module_id")
        data["module"] = (
            None
            if module_id is None
            else referenced(
                Module.objects.filter(programme_id=group.programme_id), module_id, "module_id"
            )
        )
    if "coach_id" in data:
        coach_id = data.pop("coach_id")
        data["coach"] = (
            None if coach_id is None else referenced(group.coaches.all(), coach_id, "coach_id")
        )
    return data


@router.post("/sessions", response={201: SessionOut, **ERROR_RESPONSES}, summary="Plan a session")
def create_session(request: HttpRequest, payload: SessionIn) -> Status[Session]:
    user = actor(request)
    group = referenced(groups_visible_to(user), payload.group_id, "group_id")
    _managed(user, group.programme_id)
    data = _session_refs(group, payload.dict(exclude={"group_id"}))
    session = services.create_session(group, **data, acting_user=user)
    return Status(201, get_or_404(_sessions(user), session.pk))


@router.patch(
    "/sessions/{session_id}",
    response={200: SessionOut, **ERROR_RESPONSES},
    summary="Change a planned or held session",
)
def update_session(request: HttpRequest, session_id: Id, payload: SessionPatch) -> Session:
    user = actor(request)
    session = get_or_404(_sessions(user), session_id)
    _managed(user, session.group.programme_id)
    data = payload.dict(exclude_unset=True)
    refs: dict[str, Any] = {k: data.pop(k) for k in ("module_id", "coach_id") if k in data}
    fields = {**reject_nulls(data), **_session_refs(session.group, refs)}
    services.update_session(session, **fields, acting_user=user)
    return get_or_404(_sessions(user), session.pk)


@router.post(
    "/sessions/{session_id}/cancel",
    response={200: SessionOut, **ERROR_RESPONSES},
    summary="Cancel a planned session, with a reason",
    description="Cancelling a cancelled session answers with it unchanged.",
)
def cancel_session(request: HttpRequest, session_id: Id, payload: ReasonIn) -> Session:
    user = actor(request)
    session = get_or_404(_sessions(user), session_id)
    _managed(user, session.group.programme_id)
    services.cancel_session(session, payload.reason, acting_user=user)
    return get_or_404(_sessions(user), session.pk)


@router.post(
    "/sessions/{session_id}/move",
    response={200: SessionOut, **ERROR_RESPONSES},
    summary="Move a planned session to new times, with a reason",
    description=(
        "The session keeps its place in history with status moved and points at the "
        "new planned session, which is returned. Repeating the same move returns it again."
    ),
)
def move_session(request: HttpRequest, session_id: Id, payload: SessionMoveIn) -> Session:
    user = actor(request)
    session = get_or_404(_sessions(user), session_id)
    _managed(user, session.group.programme_id)
    new = services.move_session(
        session,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
        acting_user=user,
    )
    return get_or_404(_sessions(user), new.pk)
