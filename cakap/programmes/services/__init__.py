"""Every write to programmes, modules, groups, enrolments and sessions.

Each function runs in one transaction, takes the acting user (None for the system)
for the audit trail, validates before it writes, and raises a `ProgrammesError`
subclass with a stable code when the input is wrong. Pages and the API call these;
they apply the role scope (cakap.programmes.access) before they do.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import bounds
from cakap.core.audit import record, snapshot
from cakap.core.errors import ConflictError, DomainError, ForbiddenError
from cakap.people.access import is_admin, scope_paths
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session


class ProgrammesError(DomainError):
    """A refused write. `field` names the input at fault, when there is one."""

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class ProgrammeError(ProgrammesError):
    pass


class ModuleError(ProgrammesError):
    pass


class GroupError(ProgrammesError):
    pass


class EnrolmentError(ProgrammesError):
    pass


class SessionError(ProgrammesError):
    pass


class ProgrammeConflictError(ProgrammeError, ConflictError):
    pass


class ProgrammeForbiddenError(ProgrammeError, ForbiddenError):
    pass


class ModuleConflictError(ModuleError, ConflictError):
    pass


class GroupConflictError(GroupError, ConflictError):
    pass


class EnrolmentConflictError(EnrolmentError, ConflictError):
    pass


class SessionConflictError(SessionError, ConflictError):
    pass


class ProgrammeFields(TypedDict, total=False):
    """What a programme's create and update take: each given field is set."""

    title: str
    organiser_unit: Unit
    coaching_unit: Unit
    learning_form: str
    start_date: datetime.date
    end_date: datetime.date
    description: str
    status: str
    target_sessions: int
    min_attendance_pct: int
    jp_credit: int
    pass_criteria: dict[str, object] | None
    notify_superior_when_behind: bool


class ModuleChanges(TypedDict, total=False):
    title: str
    summary: str
    order: int


class SessionDetails(TypedDict, total=False):
    """What a session form gives: each given field is set."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    online_url: str
    module: Module | None
    coach: Person | None
    topic: str


class SessionChanges(SessionDetails, total=False):
    status: str


# The keys of the TypedDicts above, for the check of callers that pass a plain dict.
PROGRAMME_FIELDS = frozenset(
    {
        "title",
        "organiser_unit",
        "coaching_unit",
        "learning_form",
        "start_date",
        "end_date",
        "description",
        "status",
        "target_sessions",
        "min_attendance_pct",
        "jp_credit",
        "pass_criteria",
        "notify_superior_when_behind",
    }
)
MODULE_FIELDS = frozenset({"title", "summary", "order"})
SESSION_FIELDS = frozenset(
    {"starts_at", "ends_at", "venue", "online_url", "module", "coach", "topic", "status"}
)
PASS_CRITERIA_KEYS = frozenset({"min_attendance_pct", "min_post_score", "require_tasks"})

_PS = Programme.Status
# Allowed status changes besides staying put; any status but cancelled may become cancelled.
_PROGRAMME_TRANSITIONS = {
    _PS.DRAFT: {_PS.RUNNING, _PS.CANCELLED},
    _PS.RUNNING: {_PS.FINISHED, _PS.CANCELLED},
    _PS.FINISHED: {_PS.CANCELLED},
    _PS.CANCELLED: set(),
}


# Helpers ---------------------------------------------------------------------------------


def _locked[M: models.Model](obj: M) -> M:
    """The row re-read under a write lock, so that checks see what concurrent writers did."""
    manager: models.Manager[M] = type(obj)._default_manager
    return manager.select_for_update().get(pk=obj.pk)


def _sync[M: models.Model](target: M, source: M) -> M:
    """Copy the saved values back onto the caller's instance, which then is current."""
    if target is not source:
        for f in source._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
        target._state.fields_cache = dict(source._state.fields_cache)
    return target


def _apply(
    obj: models.Model,
    fields: Mapping[str, object],
    allowed: frozenset[str],
    error: type[ProgrammesError],
) -> list[str]:
    """Set the given fields on `obj`; the names of those whose value changed."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise error(
            "unknown_field",
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    changed = []
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            # Compare keys: an unsaved object has no related instance to read yet.
            key = value.pk if isinstance(value, models.Model) else value
            if getattr(obj, field.attname) != key:
                setattr(obj, name if isinstance(value, models.Model) else field.attname, value)
                changed.append(name)
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _full_clean(
    obj: models.Model, error: type[ProgrammesError], exclude: Iterable[str] = ()
) -> None:
    """Field-level validation (required, lengths, choices, URLs) as a domain error."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        label = (
            getattr(obj._meta.get_field(name), "verbose_name", name) if name != "__all__" else ""
        )
        raise error(
            "invalid",
            _("%(field)s: %(error)s") % {"field": label, "error": " ".join(messages)},
            field=None if name == "__all__" else name,
        ) from exc


def _reason(reason: str, error: type[ProgrammesError]) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise error("reason_required", _("Give a reason."), field="reason")
    return reason[:255]


def _check_organiser_scope(unit: Unit, *, acting_user: User | None) -> None:
    """An organiser may only organise in their own scope; None is the system."""
    if acting_user is None:
        return
    if getattr(acting_user, "is_authenticated", False) and (
        is_admin(acting_user)
        or any(
            unit.path.startswith(p) for p in scope_paths(acting_user, RoleAssignment.Role.ORGANISER)
        )
    ):
        return
    raise ProgrammeForbiddenError(
        "out_of_scope",
        _("You may only organise programmes for units in your own scope."),
        field="organiser_unit",
    )


# Programmes ------------------------------------------------------------------------------


def _validate_programme(programme: Programme, *, old_status: str | None) -> None:
    if (
        isinstance(programme.start_date, datetime.date)
        and isinstance(programme.end_date, datetime.date)
        and programme.end_date < programme.start_date
    ):
        raise ProgrammeError(
            "dates_order", _("The end date must not be before the start date."), field="end_date"
        )
    pct = programme.min_attendance_pct
    if not isinstance(pct, int) or isinstance(pct, bool) or not 0 <= pct <= 100:
        raise ProgrammeError(
            "attendance_pct_range",
            _("Minimum attendance must be a whole number from 0 to 100."),
            field="min_attendance_pct",
        )
    if old_status is not None and programme.status != old_status:
        allowed = _PROGRAMME_TRANSITIONS.get(_PS(old_status), set())
        if programme.status not in allowed:
            raise ProgrammeConflictError(
                "status_transition",
                _("A programme cannot go from %(old)s to %(new)s.")
                % {
                    "old": _PS(old_status).label,
                    "new": _PS(programme.status).label
                    if programme.status in _PS.values
                    else programme.status,
                },
                field="status",
            )
    programme.pass_criteria = _clean_pass_criteria(programme.pass_criteria)
    _full_clean(programme, ProgrammeError)


def _clean_pass_criteria(criteria: object) -> dict[str, object]:
    if criteria is None:
        return {}
    if not isinstance(criteria, dict):
        raise ProgrammeError(
            "pass_criteria",
            _("Pass criteria must be a set of named values."),
            field="pass_criteria",
        )
    unknown = sorted(set(criteria) - PASS_CRITERIA_KEYS)
    if unknown:
        raise ProgrammeError(
            "pass_criteria",
            _("Unknown pass criteria: %(names)s.") % {"names": ", ".join(unknown)},
            field="pass_criteria",
        )
    cleaned: dict[str, object] = {}
    for key in ("min_attendance_pct", "min_post_score"):
        value = criteria.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ProgrammeError(
                "pass_criteria",
                _("Pass criteria scores and percentages run from 0 to 100."),
                field="pass_criteria",
            )
        cleaned[key] = value
    if "require_tasks" in criteria:
        if not isinstance(criteria["require_tasks"], bool):
            raise ProgrammeError(
                "pass_criteria", _("'Require tasks' must be yes or no."), field="pass_criteria"
            )
        cleaned["require_tasks"] = criteria["require_tasks"]
    return cleaned


@transaction.atomic
def create_programme(*, acting_user: User | None, **fields: Unpack[ProgrammeFields]) -> Programme:
    """Create a programme (status draft unless given) after checking dates, targets and scope."""
    programme = Programme()
    _apply(programme, fields, PROGRAMME_FIELDS, ProgrammeError)
    if programme.status not in (_PS.DRAFT, _PS.RUNNING):
        raise ProgrammeConflictError(
            "status_transition", _("A new programme starts as draft or running."), field="status"
        )
    _validate_programme(programme, old_status=None)
    _check_organiser_scope(programme.organiser_unit, acting_user=acting_user)
    programme.save()
    record("programme.created", programme, after=snapshot(programme), acting_user=acting_user)
    return programme


@transaction.atomic
def update_programme(
    programme: Programme, *, acting_user: User | None, **fields: Unpack[ProgrammeFields]
) -> Programme:
    """Change a programme's fields; status moves draft → running → finished, or to cancelled."""
    fresh = _locked(programme)
    before = snapshot(fresh)
    old_status = fresh.status
    old_unit = fresh.organiser_unit_id
    changed = _apply(fresh, fields, PROGRAMME_FIELDS, ProgrammeError)
    if not changed:
        return _sync(programme, fresh)
    _validate_programme(fresh, old_status=old_status)
    if fresh.organiser_unit_id != old_unit:
        _check_organiser_scope(fresh.organiser_unit, acting_user=acting_user)
    if "pass_criteria" not in changed and fresh.pass_criteria != before["pass_criteria"]:
        changed.append("pass_criteria")
    fresh.save(update_fields=changed)
    record(
        "programme.updated", fresh, before=before, after=snapshot(fresh), acting_user=acting_user
    )
    return _sync(programme, fresh)


# Modules ---------------------------------------------------------------------------------


@transaction.atomic
def add_module(
    programme: Programme,
    *,
    acting_user: User | None,
    title: str,
    summary: str = "",
    order: int | None = None,
) -> Module:
    """Append a curriculum module; without an order it goes after the last one."""
    if order is None:
        last = programme.modules.aggregate(m=models.Max("order"))["m"]
        order = (last or 0) + 1
    module = Module(programme=programme, title=(title or "").strip(), summary=summary, order=order)
    _full_clean(module, ModuleError, exclude=["programme"])
    module.save()
    record("module.added", module, after=snapshot(module), acting_user=acting_user)
    return module


@transaction.atomic
def update_module(
    module: Module, *, acting_user: User | None, **fields: Unpack[ModuleChanges]
) -> Module:
    """Change a module's title, summary or order."""
    fresh = _locked(module)
    before = snapshot(fresh)
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    changed = _apply(fresh, fields, MODULE_FIELDS, ModuleError)
    if not changed:
        return _sync(module, fresh)
    _full_clean(fresh, ModuleError, exclude=["programme"])
    fresh.save(update_fields=changed)
    record("module.updated", fresh, before=before, after=snapshot(fresh), acting_user=acting_user)
    return _sync(module, fresh)


@transaction.atomic
def remove_module(module: Module, *, acting_user: User | None) -> None:
    """Delete a module that no session uses; a used module stays, so history keeps its topic."""
    fresh = Module.objects.select_for_update().filter(pk=module.pk).first()
    if fresh is None:  # already removed: a retry does no harm
        return
    if Session.objects.filter(module=fresh).exists():
        raise ModuleConflictError(
            "module_in_use", _("Sessions use this module, so it cannot be removed.")
        )
    record("module.removed", fresh, before=snapshot(fresh), after={}, acting_user=acting_user)
    fresh.delete()


# Groups ----------------------------------------------------------------------------------


def _coach_list(coaches: Iterable[Person]) -> list[Person]:
    result = list(dict.fromkeys(coaches))
    if not all(isinstance(c, Person) and c.pk for c in result):
        raise GroupError("invalid_coach", _("Coaches must be saved people."), field="coaches")
    return result


@transaction.atomic
def create_group(
    programme: Programme, *, acting_user: User | None, name: str, coaches: Iterable[Person] = ()
) -> Group:
    """Create a group of a programme with its coaches; names are unique in a programme."""
    name = (name or "").strip()
    group = Group(programme=programme, name=name)
    _full_clean(group, GroupError, exclude=["programme", "coaches"])
    coach_list = _coach_list(coaches)
    if Group.objects.filter(programme=programme, name__iexact=name).exists():
        raise GroupConflictError(
            "group_name_taken",
            _("This programme already has a group named %(name)s.") % {"name": name},
            field="name",
        )
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:  # a concurrent request created it first
        raise GroupConflictError(
            "group_name_taken",
            _("This programme already has a group named %(name)s.") % {"name": name},
            field="name",
        ) from exc
    group.coaches.set(coach_list)
    record(
        "group.created",
        group,
        after={**snapshot(group), "coaches": sorted(c.pk for c in coach_list)},
        acting_user=acting_user,
    )
    return group


@transaction.atomic
def set_group_coaches(
    group: Group, coaches: Iterable[Person], *, acting_user: User | None
) -> Group:
    """Replace the coaches of a group."""
    fresh = _locked(group)
    coach_list = _coach_list(coaches)
    before = sorted(fresh.coaches.values_list("pk", flat=True))
    after = sorted(c.pk for c in coach_list)
    if before != after:
        fresh.coaches.set(coach_list)
        record(
            "group.coaches_set",
            fresh,
            before={"coaches": before},
            after={"coaches": after},
            acting_user=acting_user,
        )
    return _sync(group, fresh)


# Enrolments ------------------------------------------------------------------------------


def _active_enrolment(programme_id: int, person_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.active()
        .select_related("group")
        .filter(programme_id=programme_id, person_id=person_id)
        .first()
    )


def _already_enrolled(existing: Enrolment) -> EnrolmentError:
    return EnrolmentConflictError(
        "already_enrolled",
        _("This person is already enrolled in group %(group)s of this programme.")
        % {"group": existing.group.name},
        field="person",
    )


def _check_open(programme: Programme) -> None:
    if programme.status in (_PS.FINISHED, _PS.CANCELLED):
        raise EnrolmentConflictError(
            "programme_closed",
            _("This programme is %(status)s; nobody can join it now.")
            % {"status": _PS(programme.status).label.lower()},
        )


@transaction.atomic
def enrol_participant(group: Group, person: Person, *, acting_user: User | None) -> Enrolment:
    """Enrol a person in a group. Repeating it returns the existing active enrolment;
    an active enrolment in another group of the programme is refused."""
    existing = _active_enrolment(group.programme_id, person.pk)
    if existing is not None:
        if existing.group_id == group.pk:
            return existing
        raise _already_enrolled(existing)
    _check_open(group.programme)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                programme_id=group.programme_id, group=group, person=person
            )
    except IntegrityError:
        # A concurrent request enrolled the person first; the partial unique constraint
        # (one active enrolment per programme) refused this one.
        existing = _active_enrolment(group.programme_id, person.pk)
        if existing is None:
            raise
        if existing.group_id == group.pk:
            return existing
        raise _already_enrolled(existing) from None
    record("enrolment.created", enrolment, after=snapshot(enrolment), acting_user=acting_user)
    return enrolment


def _end(
    enrolment: Enrolment, status: str, reason: str, action: str, *, acting_user: User | None
) -> None:
    before = snapshot(enrolment)
    enrolment.status = status
    enrolment.ended_at = timezone.now()
    enrolment.end_reason = reason
    enrolment.save(update_fields=["status", "ended_at", "end_reason"])
    record(
        action,
        enrolment,
        before=before,
        after=snapshot(enrolment),
        note=reason,
        acting_user=acting_user,
    )


@transaction.atomic
def move_participant(
    enrolment: Enrolment, to_group: Group, reason: str, *, acting_user: User | None
) -> Enrolment:
    """Move a participant to another group of the same programme. The old enrolment ends
    (status moved, with the reason) and stays as history; the new active one is returned."""
    reason = _reason(reason, EnrolmentError)
    fresh = _locked(enrolment)
    if to_group.programme_id != fresh.programme_id:
        raise EnrolmentError(
            "other_programme",
            _("A participant can only move to a group of the same programme."),
            field="to_group",
        )
    if fresh.status != Enrolment.Status.ACTIVE:
        current = _active_enrolment(fresh.programme_id, fresh.person_id)
        if fresh.status == Enrolment.Status.MOVED and current and current.group_id == to_group.pk:
            return current  # the same move, repeated
        raise EnrolmentConflictError("not_active", _("This enrolment has already ended."))
    if fresh.group_id == to_group.pk:
        raise EnrolmentError(
            "same_group", _("The participant is already in this group."), field="to_group"
        )
    _end(fresh, Enrolment.Status.MOVED, reason, "enrolment.moved", acting_user=acting_user)
    _sync(enrolment, fresh)
    new = Enrolment.objects.create(
        programme_id=fresh.programme_id, group=to_group, person_id=fresh.person_id
    )
    record("enrolment.created", new, after=snapshot(new), note=reason, acting_user=acting_user)
    return new


@transaction.atomic
def withdraw_participant(
    enrolment: Enrolment, reason: str, *, acting_user: User | None
) -> Enrolment:
    """End an active enrolment with a reason; withdrawing twice returns the first result."""
    reason = _reason(reason, EnrolmentError)
    fresh = _locked(enrolment)
    if fresh.status == Enrolment.Status.WITHDRAWN:
        return _sync(enrolment, fresh)
    if fresh.status != Enrolment.Status.ACTIVE:
        raise EnrolmentConflictError("not_active", _("This enrolment has already ended."))
    _end(fresh, Enrolment.Status.WITHDRAWN, reason, "enrolment.withdrawn", acting_user=acting_user)
    return _sync(enrolment, fresh)


# Sessions --------------------------------------------------------------------------------


def _validate_session(session: Session, group: Group) -> None:
    for name in ("starts_at", "ends_at"):
        value = getattr(session, name)
        if not isinstance(value, datetime.datetime):
            raise SessionError("invalid", _("Give a date and time."), field=name)
        if timezone.is_naive(value):
            raise SessionError(
                "naive_datetime", _("Times must carry their time zone (WIB)."), field=name
            )
        if not bounds.date_in_range(value):
            raise SessionError("date_range", bounds.date_range_message(), field=name)
    if session.ends_at <= session.starts_at:
        raise SessionError(
            "ends_before_start", _("A session must end after it starts."), field="ends_at"
        )
    if session.ends_at - session.starts_at > bounds.MAX_SESSION:
        raise SessionError(
            "too_long", _("A session cannot last longer than 12 hours."), field="ends_at"
        )
    if session.module is not None and session.module.programme_id != group.programme_id:
        raise SessionError(
            "module_other_programme",
            _("The module belongs to another programme."),
            field="module",
        )
    if session.coach is not None and not group.coaches.filter(pk=session.coach.pk).exists():
        raise SessionError(
            "coach_not_in_group",
            _("%(coach)s does not coach group %(group)s.")
            % {"coach": session.coach, "group": group.name},
            field="coach",
        )
    _full_clean(session, SessionError, exclude=["group", "module", "coach", "moved_to"])


@transaction.atomic
def create_session(
    group: Group,
    *,
    acting_user: User | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str = "",
    online_url: str = "",
    module: Module | None = None,
    coach: Person | None = None,
    topic: str = "",
) -> Session:
    """Plan one meeting of a group (aware times; module of the programme; coach of the group)."""
    session = Session(
        group=group,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        module=module,
        coach=coach,
        topic=topic,
    )
    _validate_session(session, group)
    session.save()
    record("session.created", session, after=snapshot(session), acting_user=acting_user)
    return session


_SESSION_CLOSED = (Session.Status.CANCELLED, Session.Status.MOVED)


@transaction.atomic
def update_session(
    session: Session, *, acting_user: User | None, **fields: Unpack[SessionChanges]
) -> Session:
    """Change a planned or held session. Status may only switch between planned and held;
    cancel_session and move_session do the rest, with a reason."""
    fresh = _locked(session)
    if fresh.status in _SESSION_CLOSED:
        raise SessionConflictError(
            "session_closed", _("A cancelled or moved session cannot be changed.")
        )
    before = snapshot(fresh)
    changed = _apply(fresh, fields, SESSION_FIELDS, SessionError)
    if not changed:
        return _sync(session, fresh)
    if "status" in changed and fresh.status not in (Session.Status.PLANNED, Session.Status.HELD):
        raise SessionConflictError(
            "status_transition",
            _("Use cancel or move to change a session to that status."),
            field="status",
        )
    _validate_session(fresh, fresh.group)
    fresh.save(update_fields=changed)
    record("session.updated", fresh, before=before, after=snapshot(fresh), acting_user=acting_user)
    return _sync(session, fresh)


@transaction.atomic
def cancel_session(session: Session, reason: str, *, acting_user: User | None) -> Session:
    """Cancel a planned session with a reason; cancelling twice returns the first result."""
    reason = _reason(reason, SessionError)
    fresh = _locked(session)
    if fresh.status == Session.Status.CANCELLED:
        return _sync(session, fresh)
    if fresh.status != Session.Status.PLANNED:
        raise SessionConflictError("not_planned", _("Only a planned session can be cancelled."))
    before = snapshot(fresh)
    fresh.status = Session.Status.CANCELLED
    fresh.status_reason = reason
    fresh.save(update_fields=["status", "status_reason"])
    record(
        "session.cancelled",
        fresh,
        before=before,
        after=snapshot(fresh),
        note=reason,
        acting_user=acting_user,
    )
    return _sync(session, fresh)


@transaction.atomic
def move_session(
    session: Session,
    *,
    acting_user: User | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
) -> Session:
    """Move a planned session to new times. The old one keeps its place in history with
    status moved and the reason, pointing at the new planned session, which is returned."""
    reason = _reason(reason, SessionError)
    fresh = _locked(session)
    if fresh.status == Session.Status.MOVED and fresh.moved_to is not None:
        target = fresh.moved_to
        if target.starts_at == starts_at and target.ends_at == ends_at:
            _sync(session, fresh)
            return target  # the same move, repeated
    if fresh.status != Session.Status.PLANNED:
        raise SessionConflictError("not_planned", _("Only a planned session can be moved."))
    new = Session(
        group=fresh.group,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=fresh.venue,
        online_url=fresh.online_url,
        module=fresh.module,
        coach=fresh.coach,
        topic=fresh.topic,
    )
    _validate_session(new, fresh.group)
    new.save()
    record("session.created", new, after=snapshot(new), note=reason, acting_user=acting_user)
    before = snapshot(fresh)
    fresh.status = Session.Status.MOVED
    fresh.status_reason = reason
    fresh.moved_to = new
    fresh.save(update_fields=["status", "status_reason", "moved_to"])
    record(
        "session.moved",
        fresh,
        before=before,
        after=snapshot(fresh),
        note=reason,
        acting_user=acting_user,
    )
    _sync(session, fresh)
    return new
