"""Logins and roles: give a person a login, set-password links (one or many), grant and
revoke roles. The same contract as the other people services (cakap.people.services)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.core.background import enqueue_on_commit
from cakap.core.errors import DomainError
from cakap.people import invitations
from cakap.people.access import grantable_roles, is_admin, login_link_refusal, may_hold_role_over
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.people.services.errors import (
    LoginConflictError,
    LoginError,
    LoginForbiddenError,
    RoleError,
    RoleForbiddenError,
)
from cakap.people.services.people import _require_unit, may_manage_unit
from cakap.people.tasks import email_login_link

Role = RoleAssignment.Role


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
        # The link is made in the task: no token waits in the queue's table.
        enqueue_on_commit(email_login_link, person.pk, absolute("/"))
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
