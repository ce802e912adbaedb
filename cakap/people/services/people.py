"""Changes to people: add a civil servant, change some of their fields. The scope check
that the other services share (`may_manage_unit`) is here too.

`acting_user` is the signed-in user, or None for the system (a management command run by the
operator). Each function checks that the actor may make the change, validates and
normalises its input, writes inside one transaction and records the audit trail.
"""

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.people.access import is_admin, scope_paths
from cakap.people.cleaning import normalise_phone
from cakap.people.models import JobLevel, Person, Rank, RoleAssignment, Unit, User
from cakap.people.nip import NipError, parse_nip
from cakap.people.services.errors import PersonConflictError, PersonError, PersonForbiddenError

Role = RoleAssignment.Role


class PersonDetails(TypedDict, total=False):
    """A person's fields besides NIP, name and unit; each given one is set."""

    title_prefix: str
    title_suffix: str
    employee_type: str
    rank: str
    position: str
    job_level: str
    phone: str
    email: str
    share_phone: bool
    share_email: bool
    superior: Person | None  # the direct superior (atasan langsung), told when behind


class PersonChanges(PersonDetails, total=False):
    nip: str
    name: str
    unit: Unit


# The fields above, for the check of callers that pass a plain dict (forms, the API).
PERSON_FIELDS = (
    "nip",
    "name",
    "title_prefix",
    "title_suffix",
    "employee_type",
    "rank",
    "position",
    "job_level",
    "unit",
    "phone",
    "email",
    "share_phone",
    "share_email",
    "superior",
)


# --- Permission -----------------------------------------------------------------------------


def _in_scope(unit: Unit, paths: list[str]) -> bool:
    return any(unit.path.startswith(p) for p in paths)


def may_manage_unit(actor: User | None, unit: Unit) -> bool:
    """Whether `actor` may add or change people of `unit` (the system always may)."""
    if actor is None or is_admin(actor):
        return True
    return _in_scope(unit, scope_paths(actor, Role.ORGANISER))


def _require_unit(unit: Unit, *, acting_user: User | None) -> None:
    if not may_manage_unit(acting_user, unit):
        raise PersonForbiddenError(
            "forbidden", _("You may not manage people of this unit."), field="unit"
        )


# --- People -----------------------------------------------------------------------------------


def _model_field(name: str) -> "models.Field[Any, Any]":
    found = Person._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _max_length(name: str) -> int:
    length = _model_field(name).max_length
    assert length is not None
    return length


def _clean_text(name: str, value: object, label: str | Promise) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > _max_length(name):
        raise PersonError(
            "too_long",
            _("%(field)s is longer than %(n)d characters.")
            % {"field": label, "n": _max_length(name)},
            field=name,
        )
    return text


def _clean_person_fields(fields: Mapping[str, object]) -> dict[str, Any]:
    """Validated and normalised values for the given person fields."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise PersonError(
            "unknown_field",
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
        )
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "nip":
            try:
                clean[name] = parse_nip(str(value or "")).digits
            except NipError as err:
                raise PersonError("invalid_nip", err.message, field="nip") from err
        elif name == "name":
            text = _clean_text(name, value, _("Name"))
            if not text:
                raise PersonError("name_required", _("Name is required."), field="name")
            clean[name] = text
        elif name in ("title_prefix", "title_suffix", "position"):
            clean[name] = _clean_text(name, value, _model_field(name).verbose_name)
        elif name == "rank":
            value = value or ""
            if value not in Rank.values and value != "":
                raise PersonError(
                    "invalid_rank", _("This is not a known pangkat/golongan."), field="rank"
                )
            clean[name] = value
        elif name == "job_level":
            value = value or ""
            if value not in JobLevel.values:
                raise PersonError(
                    "invalid_job_level", _("This is not a known job level."), field="job_level"
                )
            clean[name] = value
        elif name == "employee_type":
            if value not in Person.EmployeeType.values:
                raise PersonError(
                    "invalid_employee_type",
                    _("Employee type must be PNS or PPPK."),
                    field="employee_type",
                )
            clean[name] = value
        elif name == "unit":
            if not isinstance(value, Unit):
                raise PersonError("unit_required", _("Choose a unit."), field="unit")
            clean[name] = value
        elif name in ("share_phone", "share_email"):
            clean[name] = bool(value)
        elif name == "superior":
            if value is not None and not isinstance(value, Person):
                raise PersonError("invalid_superior", _("Choose a person."), field="superior")
            clean[name] = value
        elif name == "phone":
            phone = normalise_phone(str(value or ""))
            if phone is None:
                raise PersonError(
                    "invalid_phone",
                    _("Phone must be an Indonesian number of 9 to 14 digits, like 0812 3456 7890."),
                    field="phone",
                )
            clean[name] = phone
        elif name == "email":
            email = str(value or "").strip().lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    raise PersonError(
                        "invalid_email", _("This is not a valid email address."), field="email"
                    ) from None
            clean[name] = email
    return clean


def _duplicate_nip(nip: str) -> PersonError:
    return PersonConflictError(
        "duplicate_nip", _("Another person already has this NIP."), field="nip"
    )


@transaction.atomic
def create_person(
    *,
    acting_user: User | None,
    nip: str,
    name: str,
    unit: Unit,
    **fields: Unpack[PersonDetails],
) -> Person:
    """Add a civil servant. The NIP may be typed with spaces or dots; 18 digits are stored."""
    clean = _clean_person_fields({"nip": nip, "name": name, "unit": unit, **fields})
    _require_unit(clean["unit"], acting_user=acting_user)
    if Person.objects.filter(nip=clean["nip"]).exists():
        raise _duplicate_nip(clean["nip"])
    person = Person(**clean)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent request took the NIP between check and insert
        raise _duplicate_nip(clean["nip"]) from None
    audit.record("person.create", person, acting_user=acting_user)
    return person


@transaction.atomic
def update_person(
    person: Person, *, acting_user: User | None, **fields: Unpack[PersonChanges]
) -> Person:
    """Change some fields of a person; only changed fields are written and audited.

    Moving a person to another unit needs the right to manage both units.
    """
    _require_unit(person.unit, acting_user=acting_user)
    clean = _clean_person_fields(fields)
    if "unit" in clean:
        _require_unit(clean["unit"], acting_user=acting_user)
    if clean.get("superior") is not None and clean["superior"].pk == person.pk:
        raise PersonError(
            "superior_self", _("A person cannot be their own superior."), field="superior"
        )
    keys = ("unit", "superior")  # foreign keys: compared and audited by id
    attnames = {name: (f"{name}_id" if name in keys else name) for name in clean}
    before = audit.snapshot(person, attnames.values())
    changed = [
        name
        for name, value in clean.items()
        if getattr(person, attnames[name])
        != (getattr(value, "pk", None) if name in keys else value)
    ]
    if not changed:
        return person
    if "nip" in changed and Person.objects.filter(nip=clean["nip"]).exclude(pk=person.pk).exists():
        raise _duplicate_nip(clean["nip"])
    for name in changed:
        setattr(person, name, clean[name])
    try:
        with transaction.atomic():
            person.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise _duplicate_nip(clean["nip"]) from None
    audit.record(
        "person.update",
        person,
        before=before,
        after=audit.snapshot(person, attnames.values()),
        acting_user=acting_user,
    )
    return person
