"""API for units and people: /api/v1/units, /api/v1/people, /api/v1/me.

Every list and detail goes through cakap.people.access, as pages do; an object
outside the caller's scope answers 404, never 403, so that its existence does not leak.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cakap.core.api_support import (
    ERROR_RESPONSES,
    READ_RESPONSES,
    Id,
    InputSchema,
    PageNumbers,
    forbidden,
    referenced,
    reject_nulls,
)
from cakap.core.lookups import get_or_404
from cakap.people import invitations, reads, services
from cakap.people.access import (
    is_organiser,
    people_editable_by,
    people_visible_to,
    roles_visible_to,
    sees_in_full,
    units_managed_by,
    units_visible_to,
)
from cakap.people.identity import actor
from cakap.people.models import Person, RoleAssignment, Unit, UnitAlias
from cakap.people.queries import search_people

router = Router(tags=["people"])


# ---------------------------------------------------------------- schemas


class UnitRef(Schema):
    id: int
    name: str
    short_name: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: Unit.Kind
    parent_id: int | None
    aliases: list[str] = Field(
        description="Other names rosters use for the unit (older names, abbreviations)"
    )

    @staticmethod
    def resolve_aliases(obj: Unit) -> list[str]:
        return sorted(a.name for a in obj.aliases.all())


class UnitIn(InputSchema):
    name: str
    short_name: str = ""
    kind: Unit.Kind = Unit.Kind.OTHER
    parent_id: Id | None = Field(
        description="The unit it belongs to; null for the top of the tree (administrators)"
    )


class UnitPatch(InputSchema):
    name: str | None = None
    short_name: str | None = None
    kind: Unit.Kind | None = None
    parent_id: Id | None = Field(
        None, description="Moves the unit (with its subtree) under this unit"
    )


class UnitMergeIn(InputSchema):
    into_id: Id = Field(description="The unit that takes over everything of this one")


class UnitMergeOut(Schema):
    into: UnitOut
    moved: dict[str, int] = Field(description="Records moved, by kind")
    aliases: list[str] = Field(description="Names of the merged unit now aliases of `into`")


class AliasIn(InputSchema):
    name: str = Field(description="Another name of the unit, as rosters write it")


class AliasOut(Schema):
    id: int
    name: str


PARTLY = (
    " Null for a coach of the caller's group, whom a participant sees only by name, unit"
    " and what the coach shares."
)


# What django-ninja hands a resolver: the request among other things, or nothing.
Context = Mapping[str, object] | None


def _in_full(obj: Person, context: Context) -> bool:
    """Whether the caller sees `obj` in full (cakap.people.access.partly_seen_ids)."""
    request = (context or {}).get("request")
    return not isinstance(request, HttpRequest) or sees_in_full(actor(request), obj)


def _in_full_only(field: str) -> "staticmethod[[Person, Context], object]":
    """A resolver that gives `field` only to a caller who sees the person in full."""

    def resolve(obj: Person, context: Context) -> object:
        return getattr(obj, field) if _in_full(obj, context) else None

    return staticmethod(resolve)


class PersonRef(Schema):
    """A person as other objects mention them."""

    id: int
    nip: str | None = Field(description="18 digits." + PARTLY)
    nip_grouped: str | None = Field(
        description="The NIP as it is printed: '19660801 198803 1 001'." + PARTLY
    )
    full_name: str = Field(description="Name with academic titles")

    resolve_nip = _in_full_only("nip")
    resolve_nip_grouped = _in_full_only("nip_grouped")


class PersonOut(Schema):
    id: int
    seen_in_full: bool = Field(
        description="False for a coach of the caller's group: only the name, the unit and "
        "what the coach shares (phone, email) are given; the other fields are null."
    )
    nip: str | None = Field(description="18 digits." + PARTLY)
    nip_grouped: str | None = Field(
        description="The NIP as it is printed: '19660801 198803 1 001'." + PARTLY
    )
    name: str = Field(description="Name without academic titles")
    title_prefix: str
    title_suffix: str
    full_name: str = Field(description="Name with academic titles")
    employee_type: Person.EmployeeType | None = Field(description=PARTLY.strip())
    rank: str | None = Field(
        description="Pangkat/golongan, e.g. 'III/d'; empty when unknown." + PARTLY
    )
    position: str | None = Field(description=PARTLY.strip())
    job_level: str | None = Field(description=PARTLY.strip())
    unit: UnitRef
    phone: str | None = Field(description="Null for a coach who does not share it.")
    email: str | None = Field(description="Null for a coach who does not share it.")
    share_phone: bool = Field(description="The person shows their phone to those they coach")
    share_email: bool = Field(description="The person shows their email to those they coach")
    has_login: bool | None = Field(description=PARTLY.strip())

    @staticmethod
    def resolve_seen_in_full(obj: Person, context: Context) -> bool:
        return _in_full(obj, context)

    resolve_nip = _in_full_only("nip")
    resolve_nip_grouped = _in_full_only("nip_grouped")
    resolve_employee_type = _in_full_only("employee_type")
    resolve_rank = _in_full_only("rank")
    resolve_position = _in_full_only("position")
    resolve_job_level = _in_full_only("job_level")

    @staticmethod
    def resolve_phone(obj: Person, context: Context) -> str | None:
        return obj.phone if obj.share_phone or _in_full(obj, context) else None

    @staticmethod
    def resolve_email(obj: Person, context: Context) -> str | None:
        return obj.email if obj.share_email or _in_full(obj, context) else None

    @staticmethod
    def resolve_has_login(obj: Person, context: Context) -> bool | None:
        return obj.user_id is not None if _in_full(obj, context) else None


class PersonIn(InputSchema):
    nip: str = Field(description="18 digits; spaces, dots and dashes are ignored")
    name: str = Field(description="Name without academic titles")
    unit_id: Id
    title_prefix: str = ""
    title_suffix: str = ""
    employee_type: Person.EmployeeType = Person.EmployeeType.PNS
    rank: str = ""
    position: str = ""
    job_level: str = ""
    phone: str = ""
    email: str = ""
    share_phone: bool = False
    share_email: bool = False


class PersonPatch(InputSchema):
    nip: str | None = None
    name: str | None = None
    unit_id: Id | None = None
    title_prefix: str | None = None
    title_suffix: str | None = None
    employee_type: Person.EmployeeType | None = None
    rank: str | None = None
    position: str | None = None
    job_level: str | None = None
    phone: str | None = None
    email: str | None = None
    share_phone: bool | None = None
    share_email: bool | None = None


class PeopleFilter(InputSchema):
    q: str = Field("", description="Part of the name, position or unit name, or 4+ NIP digits")
    unit: Id | None = Field(None, description="A unit id: people of that unit and its sub-units")


class UnitFilter(InputSchema):
    q: str = Field("", description="Part of the name or short name")
    parent: Id | None = Field(None, description="Only the direct children of this unit")


class RoleOut(Schema):
    role: str
    unit: UnitRef


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    person: PersonOut | None
    roles: list[RoleOut]


# ---------------------------------------------------------------- units


def _units(request: HttpRequest) -> QuerySet[Unit]:
    return units_visible_to(actor(request)).prefetch_related("aliases")


def _managed_unit(request: HttpRequest, unit_id: int) -> Unit:
    """A unit the caller may change; one they see but may not change answers 403."""
    user = actor(request)
    unit = get_or_404(_units(request), unit_id)
    if not units_managed_by(user).filter(pk=unit.pk).exists():
        raise forbidden()
    return unit


@router.get("/units", response={200: list[UnitOut], **READ_RESPONSES}, summary="List units")
@paginate(PageNumbers)
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> QuerySet[Unit]:
    units = _units(request).order_by("path", "pk")
    if filters.q.strip():
        q = filters.q.strip()
        units = units.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    return units


@router.get("/units/{unit_id}", response={200: UnitOut, **READ_RESPONSES}, summary="One unit")
def get_unit(request: HttpRequest, unit_id: Id) -> Unit:
    return get_or_404(_units(request), unit_id)


@router.post("/units", response={201: UnitOut, **ERROR_RESPONSES}, summary="Add a unit")
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[Unit]:
    user = actor(request)
    if not is_organiser(user):
        raise forbidden()
    parent = None
    if payload.parent_id is not None:
        parent = referenced(units_managed_by(user), payload.parent_id, "parent_id")
    unit = services.create_unit(
        name=payload.name,
        short_name=payload.short_name,
        kind=payload.kind,
        parent=parent,
        acting_user=user,
    )
    return Status(201, get_or_404(_units(request), unit.pk))


@router.patch(
    "/units/{unit_id}",
    response={200: UnitOut, **ERROR_RESPONSES},
    summary="Rename or move a unit",
    description="A new name keeps the old one as an alias. A new parent_id moves the unit "
    "with its whole subtree; both must be within the caller's units.",
)
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitPatch) -> Unit:
    user = actor(request)
    unit = _managed_unit(request, unit_id)
    data = reject_nulls(payload.dict(exclude_unset=True))
    parent_id = data.pop("parent_id", None)
    with transaction.atomic():
        if data:
            services.update_unit(unit, **data, acting_user=user)
        if parent_id is not None and parent_id != unit.parent_id:
            parent = referenced(units_managed_by(user), parent_id, "parent_id")
            services.move_unit(unit, parent, acting_user=user)
    return get_or_404(_units(request), unit.pk)


@router.post(
    "/units/{unit_id}/merge",
    response={200: UnitMergeOut, **ERROR_RESPONSES},
    summary="Merge a unit into another",
    description="Everything that names the unit moves to into_id; the unit is removed and "
    "its names become aliases of into_id.",
)
def merge_unit(request: HttpRequest, unit_id: Id, payload: UnitMergeIn) -> dict[str, object]:
    user = actor(request)
    unit = _managed_unit(request, unit_id)
    into = referenced(units_managed_by(user), payload.into_id, "into_id")
    result = services.merge_units(unit, into, acting_user=user)
    return {
        "into": get_or_404(_units(request), result.into.pk),
        "moved": result.moved,
        "aliases": result.aliases,
    }


@router.post(
    "/units/{unit_id}/aliases",
    response={200: AliasOut, 201: AliasOut, **ERROR_RESPONSES},
    summary="Add another name of a unit",
    description="Repeating the request answers 200 with the alias that exists.",
)
def add_alias(request: HttpRequest, unit_id: Id, payload: AliasIn) -> Status[UnitAlias]:
    user = actor(request)
    unit = _managed_unit(request, unit_id)
    existed = set(unit.aliases.values_list("pk", flat=True))
    alias = services.add_unit_alias(unit, payload.name, acting_user=user)
    return Status(200 if alias.pk in existed else 201, alias)


@router.delete(
    "/units/{unit_id}/aliases/{alias_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove another name of a unit",
)
def remove_alias(request: HttpRequest, unit_id: Id, alias_id: Id) -> Status[None]:
    user = actor(request)
    unit = _managed_unit(request, unit_id)
    alias = get_or_404(UnitAlias.objects.filter(unit=unit).select_related("unit"), alias_id)
    services.remove_unit_alias(alias, acting_user=user)
    return Status(204, None)


# ---------------------------------------------------------------- people


def _people(request: HttpRequest) -> QuerySet[Person]:
    return people_visible_to(actor(request)).select_related("unit")


@router.get("/people", response={200: list[PersonOut], **READ_RESPONSES}, summary="List people")
@paginate(PageNumbers)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> QuerySet[Person]:
    people = search_people(_people(request).order_by("name", "pk"), filters.q)
    if filters.unit is not None:
        unit = referenced(units_visible_to(actor(request)), filters.unit, "unit")
        people = people.filter(unit__path__startswith=unit.path)
    return people


@router.get(
    "/people/{person_id}", response={200: PersonOut, **READ_RESPONSES}, summary="One person"
)
def get_person(request: HttpRequest, person_id: Id) -> Person:
    person = get_or_404(_people(request), person_id)
    user = actor(request)
    if person.user_id != user.pk:
        reads.record_read(
            user,
            reads.Kind.PROFILE_API,
            scope=reads.Scope.PERSON,
            scope_id=person.pk,
            person_id=person.pk,
        )
    return person


def _person_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "unit_id" in data:
        unit_id = data.pop("unit_id")
        data["unit"] = referenced(units_visible_to(actor(request)), unit_id, "unit_id")
    return data


@router.post("/people", response={201: PersonOut, **ERROR_RESPONSES}, summary="Add a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    user = actor(request)
    if not is_organiser(user):
        raise forbidden()
    fields = _person_fields(request, payload.dict())
    person = services.create_person(**fields, acting_user=user)
    return Status(201, get_or_404(_people(request), person.pk))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **ERROR_RESPONSES},
    summary="Change some fields of a person",
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> Person:
    user = actor(request)
    person = get_or_404(_people(request), person_id)
    if not people_editable_by(user).filter(pk=person.pk).exists():
        raise forbidden()
    fields = _person_fields(request, reject_nulls(payload.dict(exclude_unset=True)))
    services.update_person(person, **fields, acting_user=user)
    return get_or_404(_people(request), person.pk)


# ---------------------------------------------------------------- me


@router.get("/me", response=MeOut, summary="The caller: login, person and roles")
def me(request: HttpRequest) -> dict[str, object]:
    user = actor(request)
    person = Person.objects.select_related("unit").filter(user=user).first()
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": str(user),
        "person": person,
        "roles": list(user.roles.select_related("unit").order_by("role", "unit__path")),
    }


# ---------------------------------------------------------------- logins and roles
# Decision 81: organisers give people of their subtree logins with a set-password link,
# and grant and revoke roles over units of their subtree; administrators do everything.


class LoginIn(InputSchema):
    email: str = Field(
        "",
        max_length=254,
        description="The login's email; empty: the person's email, or none (NIP only)",
    )
    send_email: bool = Field(True, description="Also email the link, when there is an email")


class LinkIn(InputSchema):
    send_email: bool = Field(True, description="Also email the link, when there is an email")


class LoginsIn(InputSchema):
    person_ids: list[Id] = Field(min_length=1, max_length=2000)
    send_email: bool = Field(True, description="Email each link, when there is an email")


class LoginOut(Schema):
    person_id: int
    outcome: str = Field(
        description="'created' (a new login), 'link' (a new link for a login waiting for "
        "its first password), 'has_login' (reported, nothing changed) or 'refused'"
    )
    message: str = Field(description="Why it was refused or reported; empty otherwise")
    user_id: int | None
    set_password_url: str | None = Field(
        description="The one-time link with which the person chooses their password"
    )
    whatsapp_url: str | None = Field(description="wa.me click-to-chat with a prepared message")
    emailed: bool = Field(description="The link is emailed to the login's address")
    link_days: int = Field(description="Days the link works, unless used before")


class RoleIn(InputSchema):
    role: RoleAssignment.Role
    unit_id: Id = Field(description="The role holds over this unit and the units below it")


class RoleAssignmentOut(Schema):
    id: int
    role: RoleAssignment.Role
    unit: UnitRef
    user_id: int
    person: PersonRef | None
    granted_at: datetime.datetime
    granted_by_id: int | None

    @staticmethod
    def resolve_person(obj: RoleAssignment) -> Person | None:
        # Read with select_related("user__person"); a login without a person has none.
        found = getattr(obj.user, "person", None)
        return found if isinstance(found, Person) else None


class RoleFilter(InputSchema):
    role: RoleAssignment.Role | None = None
    unit: Id | None = Field(None, description="Roles over this unit and the units below it")


def _offer_out(request: HttpRequest, offer: services.LoginOffer) -> dict[str, object]:
    url = whatsapp = None
    if offer.path:
        url = request.build_absolute_uri(offer.path)
        text = invitations.invitation_text(offer.person, url)
        whatsapp = invitations.whatsapp_url(offer.person.phone, text)
    return {
        "person_id": offer.person.pk,
        "outcome": offer.outcome,
        "message": offer.message,
        "user_id": offer.user.pk if offer.user is not None else offer.person.user_id,
        "set_password_url": url,
        "whatsapp_url": whatsapp,
        "emailed": offer.emailed,
        "link_days": settings.LOGIN_LINK_DAYS,
    }


def _editable(request: HttpRequest, person_id: int) -> Person:
    """A person the caller sees (404 otherwise) and may manage (403 otherwise)."""
    user = actor(request)
    person = get_or_404(_people(request), person_id)
    if not people_editable_by(user).filter(pk=person.pk).exists():
        raise forbidden()
    return person


@router.post(
    "/people/{person_id}/login",
    response={200: LoginOut, 201: LoginOut, **ERROR_RESPONSES},
    summary="Give a person a login with a set-password link",
    description="201 with the link for a new login; 200 with outcome 'has_login' when the "
    "person has one already (nothing changes, so a retry is harmless).",
)
def create_login(
    request: HttpRequest, person_id: Id, payload: LoginIn
) -> Status[dict[str, object]]:
    user = actor(request)
    person = _editable(request, person_id)
    offer = services.give_login(
        person,
        email=payload.email,
        send_email=payload.send_email,
        absolute=request.build_absolute_uri,
        acting_user=user,
    )
    return Status(201 if offer.outcome == "created" else 200, _offer_out(request, offer))


@router.post(
    "/people/{person_id}/login/link",
    response={200: LoginOut, **ERROR_RESPONSES},
    summary="A new set-password link for a login that has no password chosen yet",
)
def send_login_link(request: HttpRequest, person_id: Id, payload: LinkIn) -> dict[str, object]:
    user = actor(request)
    person = _editable(request, person_id)
    offer = services.send_login_link(
        person, send_email=payload.send_email, absolute=request.build_absolute_uri, acting_user=user
    )
    return _offer_out(request, offer)


@router.post(
    "/logins",
    response={200: list[LoginOut], **ERROR_RESPONSES},
    summary="Give many people logins with set-password links",
    description="One answer per person, in the order sent. A person who has a login is "
    "reported ('has_login'), one who cannot get one is 'refused' with the reason; an id "
    "the caller may not manage refuses the whole request (422) and changes nothing.",
)
def create_logins(request: HttpRequest, payload: LoginsIn) -> list[dict[str, object]]:
    user = actor(request)
    if not is_organiser(user):
        raise forbidden()
    editable = people_editable_by(user).select_related("unit")
    people = [referenced(editable, pk, "person_ids") for pk in dict.fromkeys(payload.person_ids)]
    offers = services.give_logins(
        people, send_email=payload.send_email, absolute=request.build_absolute_uri, acting_user=user
    )
    return [_offer_out(request, offer) for offer in offers]


def _roles_of(request: HttpRequest, person: Person) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user__person=person)
        .select_related("unit", "user__person")
        .order_by("role", "unit__path", "pk")
    )


@router.get(
    "/people/{person_id}/roles",
    response={200: list[RoleAssignmentOut], **ERROR_RESPONSES},
    summary="The roles of a person's login",
)
def list_person_roles(request: HttpRequest, person_id: Id) -> list[RoleAssignment]:
    person = _editable(request, person_id)
    return list(_roles_of(request, person))


@router.post(
    "/people/{person_id}/roles",
    response={200: RoleAssignmentOut, 201: RoleAssignmentOut, **ERROR_RESPONSES},
    summary="Grant a role over a unit's subtree",
    description="201 for a new role; 200 when the login holds it already (nothing changes). "
    "Organisers grant coach, organiser and leader over units of their own subtree only.",
)
def grant_role(request: HttpRequest, person_id: Id, payload: RoleIn) -> Status[RoleAssignment]:
    user = actor(request)
    person = _editable(request, person_id)
    unit = referenced(units_visible_to(user), payload.unit_id, "unit_id")
    existed = RoleAssignment.objects.filter(
        user__person=person, role=payload.role, unit=unit
    ).exists()
    assignment = services.grant_role(person, payload.role, unit, acting_user=user)
    return Status(200 if existed else 201, _roles_of(request, person).get(pk=assignment.pk))


@router.delete(
    "/people/{person_id}/roles/{role_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Revoke a role",
    description="Nobody revokes their own organiser or administrator role.",
)
def revoke_role(request: HttpRequest, person_id: Id, role_id: Id) -> Status[None]:
    user = actor(request)
    person = _editable(request, person_id)
    assignment = get_or_404(_roles_of(request, person), role_id)
    if not roles_visible_to(user).filter(pk=assignment.pk).exists():
        raise forbidden()
    services.revoke_role(assignment, acting_user=user)
    return Status(204, None)


@router.get(
    "/roles",
    response={200: list[RoleAssignmentOut], **ERROR_RESPONSES},
    summary="Who holds which role over the units of the caller's scope",
)
@paginate(PageNumbers)
def list_roles(request: HttpRequest, filters: Query[RoleFilter]) -> QuerySet[RoleAssignment]:
    user = actor(request)
    if not is_organiser(user):
        raise forbidden()
    found = (
        roles_visible_to(user)
        .select_related("unit", "user__person")
        .order_by("unit__path", "role", "pk")
    )
    if filters.role is not None:
        found = found.filter(role=filters.role)
    if filters.unit is not None:
        unit = referenced(units_visible_to(user), filters.unit, "unit")
        found = found.filter(unit__path__startswith=unit.path)
    return found
