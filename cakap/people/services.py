"""Changes to people, units, logins and roles. Pages, the API and commands call these.

`acting_user` is the signed-in user, or None for the system (a management command run by the
operator). Each function checks that the actor may make the change, validates and
normalises its input, writes inside one transaction and records the audit trail.
"""

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.core.errors import ConflictError, DomainError, ForbiddenError
from cakap.core.text import NUL_MESSAGE, has_nul
from cakap.people import invitations
from cakap.people.access import (
    grantable_roles,
    is_admin,
    login_link_refusal,
    may_hold_role_over,
    scope_paths,
    under,
)
from cakap.people.cleaning import normalise_phone
from cakap.people.models import JobLevel, Person, Rank, RoleAssignment, Unit, UnitAlias, User
from cakap.people.nip import NipError, parse_nip
from cakap.people.unit_matching import unit_key

Role = RoleAssignment.Role
logger = logging.getLogger("cakap.people")


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
)


class PersonError(DomainError):
    """A person could not be saved. `field` names the input at fault, when there is one."""

    def __init__(self, code: str, message: Any, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class UnitError(DomainError):
    def __init__(self, code: str, message: Any, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class LoginError(DomainError):
    def __init__(self, code: str, message: Any, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class RoleError(DomainError):
    pass


class PersonConflictError(PersonError, ConflictError):
    pass


class PersonForbiddenError(PersonError, ForbiddenError):
    pass


class UnitConflictError(UnitError, ConflictError):
    pass


class UnitForbiddenError(UnitError, ForbiddenError):
    pass


class LoginConflictError(LoginError, ConflictError):
    pass


class RoleForbiddenError(RoleError, ForbiddenError):
    pass


class LoginForbiddenError(LoginError, ForbiddenError):
    pass


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
    attnames = {name: ("unit_id" if name == "unit" else name) for name in clean}
    before = audit.snapshot(person, attnames.values())
    changed = [
        name
        for name, value in clean.items()
        if getattr(person, attnames[name]) != (value.pk if name == "unit" else value)
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


# --- Logins and roles ---------------------------------------------------------------------


def _login_email(person: Person, email: str) -> str:
    """The login's address: the one typed, else the person's, else a placeholder under
    User.PLACEHOLDER_DOMAIN for someone who signs in with their NIP only."""
    email = (email or person.email or "").strip().lower()
    if not email:
        return f"{person.nip}@{User.PLACEHOLDER_DOMAIN}"
    try:
        validate_email(email)
    except ValidationError:
        raise LoginError(
            "invalid_email", _("This is not a valid email address."), field="email"
        ) from None
    if email.endswith("@" + User.PLACEHOLDER_DOMAIN):
        raise LoginError("invalid_email", _("This is not a valid email address."), field="email")
    return email


def _email_taken(email: str) -> LoginConflictError:
    return LoginConflictError(
        "email_taken",
        _("Another login already uses the email address %(email)s.") % {"email": email},
        field="email",
    )


@transaction.atomic
def create_login(
    person: Person, email: str = "", password: str | None = None, *, acting_user: User | None
) -> User:
    """Give a person a login. The email is the one given, else the person's; without
    either the login signs in by NIP only. Without a password the person sets one through
    a set-password link (or the reset form, which accepts a login without a password
    until it first signs in: forms.PasswordResetRequestForm). A person who has a login
    keeps it (`has_login`); an email another login uses is refused (`email_taken`)."""
    _require_unit(person.unit, acting_user=acting_user)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is not None:
        raise LoginConflictError(
            "has_login", _("%(name)s already has a login.") % {"name": person.full_name}
        )
    email = _login_email(person, email)
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken(email)
    user = User(email=email, display_name=person.full_name[:150])
    if password:
        user.set_password(password)
    else:
        # No slow hash of a secret nobody knows (a bulk run of many logins would spend
        # seconds on each); the reset form accepts such a login until it first signs in.
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _email_taken(email) from None
    before = audit.snapshot(person, ["user_id", "email"])
    person.user = user
    update = ["user"]
    if not person.email and not email.endswith("@" + User.PLACEHOLDER_DOMAIN):
        person.email = email
        update.append("email")
    person.save(update_fields=[*update, "updated_at"])
    audit.record(
        "user.create",
        user,
        after=audit.snapshot(user, ["email", "display_name"]),
        acting_user=acting_user,
    )
    audit.record(
        "person.update",
        person,
        before=before,
        after=audit.snapshot(person, ["user_id", "email"]),
        acting_user=acting_user,
    )
    return user


@dataclass
class LoginOffer:
    """What became of giving one person a login: `outcome` is "created" (a new login and
    its set-password link), "link" (a new link for a login that waits for its first
    password), "has_login" (reported, nothing changed) or "refused" (`message` says why)."""

    person: Person
    outcome: str
    message: str = ""
    user: User | None = None
    path: str = ""  # the set-password link's path; pages and the API make it absolute
    emailed: bool = False


def _send_link(
    person: Person, user: User, *, email: bool, absolute: Callable[[str], str] | None
) -> tuple[str, bool]:
    """The set-password link's path, and whether it goes out by email (after commit)."""
    path = invitations.set_password_path(user)
    will_email = email and absolute is not None and invitations.has_mailbox(user)
    if will_email:
        assert absolute is not None
        url = absolute(path)

        def send() -> None:
            try:
                invitations.email_invitation(person, user, url)
            except OSError:  # an unreachable mail server must not undo the login
                logger.exception("The set-password link of user %s was not emailed", user.pk)

        transaction.on_commit(send)
    return path, will_email


def give_login(
    person: Person,
    *,
    acting_user: User | None,
    email: str = "",
    send_email: bool = True,
    absolute: Callable[[str], str] | None = None,
) -> LoginOffer:
    """Give `person` a login with a set-password link, emailed (after commit) when the
    login has a real address and `send_email`; `absolute` turns the link's path into the
    address the person opens. A person who already has a login is reported, not given a
    second one; any other refusal raises LoginError (or PersonError for the scope)."""
    with transaction.atomic():
        try:
            user = create_login(person, email, acting_user=acting_user)
        except LoginConflictError as err:
            if err.code != "has_login":
                raise
            return LoginOffer(person, "has_login", str(err.message), user=person.user)
        path, emailed = _send_link(person, user, email=send_email, absolute=absolute)
        audit.record(
            "user.login_link",
            user,
            after={},
            note="emailed" if emailed else "shown",
            acting_user=acting_user,
        )
    person.refresh_from_db(fields=["user", "email"])
    return LoginOffer(person, "created", user=user, path=path, emailed=emailed)


def give_logins(
    people: Iterable[Person],
    *,
    acting_user: User | None,
    send_email: bool = True,
    absolute: Callable[[str], str] | None = None,
) -> list[LoginOffer]:
    """`give_login` for each person, each in its own transaction: a refusal is reported
    for that person (outcome "refused") and the others go on. Repeating it gives nobody a
    second login."""
    offers = []
    for person in people:
        try:
            offers.append(
                give_login(
                    person, acting_user=acting_user, send_email=send_email, absolute=absolute
                )
            )
        except DomainError as err:
            offers.append(LoginOffer(person, "refused", str(err.message)))
    return offers


@transaction.atomic
def send_login_link(
    person: Person,
    *,
    acting_user: User | None,
    send_email: bool = True,
    absolute: Callable[[str], str] | None = None,
) -> LoginOffer:
    """A new set-password link for the login of `person`, for one that has not chosen a
    password yet (the earlier links keep working until one is used). Organisers get one
    only for a login without rights beyond theirs (access.login_link_refusal)."""
    _require_unit(person.unit, acting_user=acting_user)
    user = User.objects.filter(person=person).first()
    if user is None:
        raise LoginError("no_login", _("%(name)s has no login yet.") % {"name": person.full_name})
    if acting_user is not None:
        refusal = login_link_refusal(acting_user, user)
        if refusal:
            raise LoginForbiddenError("link_refused", refusal)
    path, emailed = _send_link(person, user, email=send_email, absolute=absolute)
    audit.record(
        "user.login_link",
        user,
        after={},
        note="emailed" if emailed else "shown",
        acting_user=acting_user,
    )
    return LoginOffer(person, "link", user=user, path=path, emailed=emailed)


def _check_grant(person: Person, role: str, unit: Unit, *, acting_user: User | None) -> User:
    """The login a role of `person` belongs to, once the actor may grant or revoke
    `role` over `unit` for them; a RoleError otherwise."""
    if role not in Role.values:
        raise RoleError("invalid_role", _("This is not a known role."), field="role")
    if acting_user is not None:
        if role not in grantable_roles(acting_user):
            if role == Role.ADMIN:
                raise RoleForbiddenError(
                    "admin_only",
                    _("Only administrators may grant or revoke administrator rights."),
                    field="role",
                )
            raise RoleForbiddenError(
                "forbidden", _("You may not grant or revoke roles."), field="role"
            )
        if not may_hold_role_over(acting_user, unit):
            raise RoleForbiddenError(
                "unit_out_of_scope",
                _("You may grant and revoke roles only over units of your own scope."),
                field="unit",
            )
        if not may_manage_unit(acting_user, person.unit):
            raise RoleForbiddenError(
                "person_out_of_scope", _("You may not manage people of this unit.")
            )
    user = User.objects.filter(person=person).first()
    if user is None:
        raise RoleError(
            "no_login",
            _("%(name)s has no login yet; give them one first.") % {"name": person.full_name},
        )
    return user


@transaction.atomic
def grant_role(
    person: Person, role: str, unit: Unit, *, acting_user: User | None
) -> RoleAssignment:
    """Give `person`'s login `role` over `unit`'s subtree. Administrators (and the system)
    grant any role anywhere; an organiser grants coach, organiser and leader over units of
    their own subtree to people of it, never administrator. Granting a role the login
    holds already changes nothing."""
    user = _check_grant(person, role, unit, acting_user=acting_user)
    return _grant(user, role, unit, acting_user=acting_user)


@transaction.atomic
def grant_login_role(
    user: User, role: str, unit: Unit, *, acting_user: User | None
) -> RoleAssignment:
    """`grant_role` for a login, which may have no person (an administrator's): for
    administrators and the system only (the admin site, commands)."""
    if acting_user is not None and not is_admin(acting_user):
        raise RoleForbiddenError("forbidden", _("Only administrators may do this."))
    if role not in Role.values:
        raise RoleError("invalid_role", _("This is not a known role."), field="role")
    return _grant(user, role, unit, acting_user=acting_user)


def _grant(user: User, role: str, unit: Unit, *, acting_user: User | None) -> RoleAssignment:
    assignment = RoleAssignment.objects.filter(user=user, role=role, unit=unit).first()
    if assignment is not None:
        return assignment
    assignment = RoleAssignment(user=user, role=role, unit=unit, granted_by=acting_user)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:  # a concurrent request granted it first
        return RoleAssignment.objects.get(user=user, role=role, unit=unit)
    audit.record(
        "role.grant",
        assignment,
        after=audit.snapshot(assignment, ["user_id", "role", "unit_id"]),
        note=str(user)[:255],
        acting_user=acting_user,
    )
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, acting_user: User | None) -> None:
    """End a role. The same rules as granting it; besides, nobody revokes their own
    organiser or administrator role (another organiser above them or an administrator
    does), so that no one removes the role their own changes were made under. Revoking a
    role that is gone already changes nothing."""
    found = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("unit", "user")
        .filter(pk=assignment.pk)
        .first()
    )
    if found is None:
        return
    person = Person.objects.select_related("unit").filter(user_id=found.user_id).first()
    if acting_user is not None:
        if person is None:  # a login without a person: only administrators reach it
            if not is_admin(acting_user):
                raise RoleForbiddenError("forbidden", _("You may not grant or revoke roles."))
        else:
            _check_grant(person, found.role, found.unit, acting_user=acting_user)
        if found.user_id == acting_user.pk and found.role in (Role.ORGANISER, Role.ADMIN):
            raise RoleForbiddenError(
                "own_role",
                _(
                    "You cannot revoke your own %(role)s role; ask another organiser over "
                    "this unit or an administrator."
                )
                % {"role": Role(found.role).label},
            )
    before = audit.snapshot(found, ["user_id", "role", "unit_id"])
    found.delete()
    found.pk = assignment.pk
    audit.record(
        "role.revoke",
        found,
        before=before,
        after={},
        note=person.full_name[:255] if person else "",
        acting_user=acting_user,
    )


# --- Units ----------------------------------------------------------------------------------


@transaction.atomic
def create_unit(
    *,
    acting_user: User | None,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
) -> Unit:
    """Add a government unit. Administrators may add anywhere; organisers only below a
    unit in their scope; a top-level unit needs an administrator."""
    name = " ".join((name or "").split())
    short_name = " ".join((short_name or "").split())
    if not name:
        raise UnitError("name_required", _("Name is required."), field="name")
    if len(name) > 200 or len(short_name) > 60:
        raise UnitError("too_long", _("The name or short name is too long."), field="name")
    if kind not in Unit.Kind.values:
        raise UnitError("invalid_kind", _("This is not a known kind of unit."), field="kind")
    if (
        acting_user is not None
        and not is_admin(acting_user)
        and (parent is None or not _in_scope(parent, scope_paths(acting_user, Role.ORGANISER)))
    ):
        raise UnitForbiddenError("forbidden", _("You may not add a unit here."), field="parent")
    if Unit.objects.filter(parent=parent, name__iexact=name).exists():
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="name"
        )
    unit = Unit(name=name, short_name=short_name, kind=kind, parent=parent)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="name"
        ) from None
    audit.record("unit.create", unit, acting_user=acting_user)
    return unit


class UnitChanges(TypedDict, total=False):
    """The fields of a unit `update_unit` may change; each given one is set."""

    name: str
    short_name: str
    kind: str


def _organiser_may(actor: User | None, unit: Unit | None) -> bool:
    """Whether `actor` may change `unit` (None: the top of the tree, administrators only)."""
    if actor is None or is_admin(actor):
        return True
    return unit is not None and _in_scope(unit, scope_paths(actor, Role.ORGANISER))


def _require_unit_scope(unit: Unit | None, message: Any, *, acting_user: User | None) -> None:
    if not _organiser_may(acting_user, unit):
        raise UnitForbiddenError("forbidden", message, field="parent")


def _clean_unit_text(name: str, value: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if has_nul(text):
        raise UnitError("invalid", NUL_MESSAGE, field=name)
    if len(text) > limit:
        raise UnitError(
            "too_long",
            _("%(field)s is longer than %(n)d characters.")
            % {
                "field": {"name": _("Name"), "short_name": _("Short name")}.get(name, name),
                "n": limit,
            },
            field=name,
        )
    return text


def _sibling_clash(parent: Unit | None, name: str, exclude: Unit | None = None) -> bool:
    siblings = Unit.objects.filter(parent=parent, name__iexact=name)
    return (siblings.exclude(pk=exclude.pk) if exclude else siblings).exists()


def _duplicate_unit() -> UnitError:
    return UnitConflictError(
        "duplicate_unit", _("A unit with this name already exists there."), field="name"
    )


def _units_in_reach(actor: User | None) -> "models.QuerySet[Unit]":
    if actor is None or is_admin(actor):
        return Unit.objects.all()
    return Unit.objects.filter(under(scope_paths(actor, Role.ORGANISER), "path"))


def _key_owner(key: str, unit: Unit, *, acting_user: User | None) -> Unit | None:
    """Another unit within the actor's reach that `key` already names (by its name, short
    name or an alias), or None. An alias names one unit (decision 79)."""
    reach = _units_in_reach(acting_user).exclude(pk=unit.pk)
    by_alias = reach.filter(aliases__key=key).first()
    if by_alias is not None:
        return by_alias
    for other in reach.only("pk", "name", "short_name", "path", "parent_id"):
        if key in (unit_key(other.name), unit_key(other.short_name)):
            return other
    return None


def _alias(unit: Unit, name: str, *, acting_user: User | None) -> UnitAlias | None:
    """Add `name` as an alias of `unit` unless the unit already goes by it; None when it
    does. Raises when the name already names another unit in reach."""
    key = unit_key(name)
    if not key:
        raise UnitError("alias_required", _("Type the other name of the unit."), field="alias")
    if key in (unit_key(unit.name), unit_key(unit.short_name)):
        return None
    existing = UnitAlias.objects.filter(unit=unit, key=key).first()
    if existing is not None:
        return None
    owner = _key_owner(key, unit, acting_user=acting_user)
    if owner is not None:
        raise UnitConflictError(
            "alias_taken",
            _("“%(alias)s” already names %(unit)s.") % {"alias": name, "unit": owner.name},
            field="alias",
        )
    alias = UnitAlias(unit=unit, name=name)
    try:
        with transaction.atomic():
            alias.save()
    except IntegrityError:  # a concurrent request added it first
        return None
    audit.record(
        "unit.alias_add", unit, after={"alias": name, "alias_id": alias.pk}, acting_user=acting_user
    )
    return alias


@transaction.atomic
def add_unit_alias(unit: Unit, name: str, *, acting_user: User | None) -> UnitAlias:
    """Let rosters name `unit` by `name` too (matched without case, spaces or
    punctuation). Adding an alias the unit already has returns it; a name that already
    names another unit in the actor's reach is refused."""
    _require_unit_scope(unit, _("You may not change this unit."), acting_user=acting_user)
    name = _clean_unit_text("name", name, 200)
    created = _alias(unit, name, acting_user=acting_user)
    if created is not None:
        return created
    found = UnitAlias.objects.filter(unit=unit, key=unit_key(name)).first()
    if found is None:
        raise UnitConflictError(
            "alias_is_name", _("This is already the unit's name or short name."), field="alias"
        )
    return found


@transaction.atomic
def remove_unit_alias(alias: UnitAlias, *, acting_user: User | None) -> None:
    """Forget an alias; rosters that use it then need the unit mapped again. Removing an
    alias that is already gone does nothing."""
    _require_unit_scope(alias.unit, _("You may not change this unit."), acting_user=acting_user)
    deleted, _counts = UnitAlias.objects.filter(pk=alias.pk).delete()
    if deleted:
        audit.record(
            "unit.alias_remove",
            alias.unit,
            before={"alias": alias.name, "alias_id": alias.pk},
            acting_user=acting_user,
        )


@transaction.atomic
def update_unit(unit: Unit, *, acting_user: User | None, **fields: Unpack[UnitChanges]) -> Unit:
    """Rename a unit or change its short name or kind. The old name and short name stay
    as aliases, so that rosters with the older name still match (decision 79)."""
    _require_unit_scope(unit, _("You may not change this unit."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    clean: dict[str, str] = {}
    if "name" in fields:
        clean["name"] = _clean_unit_text("name", fields["name"], 200)
        if not clean["name"]:
            raise UnitError("name_required", _("Name is required."), field="name")
    if "short_name" in fields:
        clean["short_name"] = _clean_unit_text("short_name", fields["short_name"], 60)
    if "kind" in fields:
        if fields["kind"] not in Unit.Kind.values:
            raise UnitError("invalid_kind", _("This is not a known kind of unit."), field="kind")
        clean["kind"] = fields["kind"]
    changed = [name for name, value in clean.items() if getattr(unit, name) != value]
    if not changed:
        return unit
    if "name" in changed and _sibling_clash(unit.parent, clean["name"], exclude=unit):
        raise _duplicate_unit()
    before = audit.snapshot(unit, changed)
    old_names = [getattr(unit, n) for n in ("name", "short_name") if n in changed]
    for name in changed:
        setattr(unit, name, clean[name])
    try:
        with transaction.atomic():
            unit.save(update_fields=changed)
    except IntegrityError:
        raise _duplicate_unit() from None
    audit.record(
        "unit.update",
        unit,
        before=before,
        after=audit.snapshot(unit, changed),
        acting_user=acting_user,
    )
    for old in old_names:
        if old:
            try:
                with transaction.atomic():
                    _alias(unit, old, acting_user=acting_user)
            except UnitError:
                pass  # the old name names another unit now: it cannot point here too
    return unit


def _repath(unit: Unit, parent: Unit | None) -> None:
    """Put `unit` under `parent` and recompute the path of its whole subtree."""
    old = unit.path
    new = f"{parent.path if parent else '/'}{unit.pk}/"
    longest = max(
        len(p) for p in Unit.objects.filter(path__startswith=old).values_list("path", flat=True)
    )
    if longest - len(old) + len(new) > Unit._meta.get_field("path").max_length:  # type: ignore[operator]
        raise UnitError("too_deep", _("The unit tree would be too deep there."), field="parent")
    Unit.objects.filter(pk=unit.pk).update(parent=parent)
    Unit.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", len(old) + 1), output_field=models.CharField())
    )
    unit.refresh_from_db(fields=["parent", "path"])


@transaction.atomic
def move_unit(unit: Unit, parent: Unit | None, *, acting_user: User | None) -> Unit:
    """Put a unit (with its whole subtree) under another parent. Both must be within the
    actor's scope, so an organiser can neither move a unit out of their subtree nor lift
    the unit their role is anchored at; a unit cannot go under itself or its own
    descendants; the top of the tree is for administrators."""
    _require_unit_scope(unit, _("You may not move this unit."), acting_user=acting_user)
    _require_unit_scope(parent, _("You may not move a unit there."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    if (parent.pk if parent else None) == unit.parent_id:
        return unit
    if parent is not None and parent.path.startswith(unit.path):
        raise UnitError(
            "cycle", _("A unit cannot be put under itself or one of its own units."), field="parent"
        )
    if _sibling_clash(parent, unit.name, exclude=unit):
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="parent"
        )
    before = {"parent_id": unit.parent_id, "path": unit.path}
    _repath(unit, parent)
    audit.record(
        "unit.move",
        unit,
        before=before,
        after={"parent_id": unit.parent_id, "path": unit.path},
        acting_user=acting_user,
    )
    return unit


@dataclasses.dataclass
class MergeResult:
    """What a merge moved, per kind of record (their verbose names), and the aliases it
    added."""

    into: Unit
    moved: dict[str, int] = dataclasses.field(default_factory=dict)
    aliases: list[str] = dataclasses.field(default_factory=list)


def _references(model: type[models.Model]) -> list["models.ForeignKey[Any, Any]"]:
    """Every foreign key to `model` in the project, in any app, whether it has a reverse
    accessor or not."""
    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            fk = rel.remote_field
            if isinstance(fk, models.ForeignKey):
                found.append(fk)
    return found


def _unique_partners(fk: "models.ForeignKey[Any, Any]") -> list[list[str]]:
    """For each plain unique constraint that includes `fk`, its other fields."""
    meta = fk.model._meta
    sets = [list(s) for s in meta.unique_together]
    sets += [
        list(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    return [
        [f for f in s if f not in (fk.name, fk.attname)]
        for s in sets
        if fk.name in s or fk.attname in s
    ]


@transaction.atomic
def merge_units(unit: Unit, into: Unit, *, acting_user: User | None) -> MergeResult:
    """Merge `unit` into `into`: everything that names `unit` (its people, its child units,
    role assignments, programmes, frameworks, any record with a foreign key to a unit)
    moves to `into`; `unit`'s name and short name become aliases of `into`, and `unit` is
    removed. Refused into the unit itself or one of its own descendants, and outside the
    actor's scope. A child unit whose name `into` already has below it is refused by
    name (merge those two first)."""
    _require_unit_scope(unit, _("You may not merge this unit."), acting_user=acting_user)
    _require_unit_scope(into, _("You may not merge into this unit."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    into = Unit.objects.select_for_update().get(pk=into.pk)
    if into.path.startswith(unit.path):
        raise UnitError(
            "merge_into_own",
            _("A unit cannot be merged into itself or one of its own units."),
            field="into",
        )
    clashes = sorted(
        set(unit.children.values_list("name", flat=True)).intersection(
            into.children.values_list("name", flat=True)
        )
    )
    if clashes:
        raise UnitConflictError(
            "child_clash",
            _("Both units have a unit named %(names)s below them. Merge those first.")
            % {"names": ", ".join(f"“{n}”" for n in clashes)},
            field="into",
        )
    result = MergeResult(into=into)
    moved_ids: dict[str, list[int]] = {}
    for child in list(unit.children.order_by("pk")):
        _repath(child, into)
        moved_ids.setdefault("children", []).append(child.pk)
    for fk in _references(Unit):
        if fk.model is Unit:
            continue  # the children, moved with their subtrees above
        rows = fk.model._base_manager.filter(**{fk.name: unit})
        for partners in _unique_partners(fk):
            if not partners:
                continue
            taken = set(fk.model._base_manager.filter(**{fk.name: into}).values_list(*partners))
            clash = [r for r in rows.values_list("pk", *partners) if tuple(r[1:]) in taken]
            if not clash:
                continue
            if fk.model in (RoleAssignment, UnitAlias) or fk.model._meta.auto_created:
                # The same grant, alias or link already exists on `into`: the copy adds nothing.
                fk.model._base_manager.filter(pk__in=[r[0] for r in clash]).delete()
            else:
                raise UnitConflictError(
                    "merge_clash",
                    _("%(things)s of both units would clash; change them first.")
                    % {"things": fk.model._meta.verbose_name_plural},
                    field="into",
                )
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            fk.model._base_manager.filter(pk__in=ids).update(**{fk.name: into})
            label = f"{fk.model._meta.label_lower}.{fk.name}"
            moved_ids[label] = ids
            plural = str(fk.model._meta.verbose_name_plural)
            result.moved[plural] = result.moved.get(plural, 0) + len(ids)
    if "children" in moved_ids:
        result.moved[str(Unit._meta.verbose_name_plural)] = len(moved_ids["children"])
    before = {"merged_unit_id": unit.pk, **audit.snapshot(unit, ["name", "short_name", "path"])}
    unit.delete()
    for old in (unit.name, unit.short_name):
        try:
            with transaction.atomic():
                if old and _alias(into, old, acting_user=acting_user) is not None:
                    result.aliases.append(old)
        except UnitError:
            pass  # another unit in reach goes by this name: it cannot point here too
    audit.record(
        "unit.merge",
        into,
        before=before,
        after={"moved": moved_ids, "aliases": result.aliases},
        acting_user=acting_user,
    )
    return result
