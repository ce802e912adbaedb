"""Changes to people, units, logins and roles. Pages, the API and commands call these.

`acting_user` is the signed-in user, or None for the system (a management command run by the
operator). Each function checks that the actor may make the change, validates and
normalises its input, writes inside one transaction and records the audit trail.

The writes are in services/people.py (people, and the scope check they share),
services/units.py (the unit tree and its aliases) and services/logins.py (logins,
set-password links, roles); their refusals in services/errors.py. This package names them
all, so that callers write `services.create_person(...)` whichever module holds it.
"""

from cakap.people.services.errors import (
    LoginConflictError,
    LoginError,
    LoginForbiddenError,
    PersonConflictError,
    PersonError,
    PersonForbiddenError,
    RoleError,
    RoleForbiddenError,
    UnitConflictError,
    UnitError,
    UnitForbiddenError,
)
from cakap.people.services.logins import (
    LoginOffer,
    create_login,
    give_login,
    give_logins,
    grant_login_role,
    grant_role,
    revoke_role,
    send_login_link,
)
from cakap.people.services.people import (
    PERSON_FIELDS,
    PersonChanges,
    PersonDetails,
    create_person,
    may_manage_unit,
    update_person,
)
from cakap.people.services.units import (
    MergeResult,
    UnitChanges,
    add_unit_alias,
    create_unit,
    merge_units,
    move_unit,
    remove_unit_alias,
    update_unit,
)

__all__ = [
    "PERSON_FIELDS",
    "LoginConflictError",
    "LoginError",
    "LoginForbiddenError",
    "LoginOffer",
    "MergeResult",
    "PersonChanges",
    "PersonConflictError",
    "PersonDetails",
    "PersonError",
    "PersonForbiddenError",
    "RoleError",
    "RoleForbiddenError",
    "UnitChanges",
    "UnitConflictError",
    "UnitError",
    "UnitForbiddenError",
    "add_unit_alias",
    "create_login",
    "create_person",
    "create_unit",
    "give_login",
    "give_logins",
    "grant_login_role",
    "grant_role",
    "merge_units",
    "may_manage_unit",
    "move_unit",
    "remove_unit_alias",
    "revoke_role",
    "send_login_link",
    "update_person",
    "update_unit",
]
