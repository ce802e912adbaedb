"""The refusals of the people services: each has a stable code (and, for the input at
fault, a `field`); the Conflict and Forbidden kinds answer 409 and 403."""

from typing import Any

from cakap.core.errors import ConflictError, DomainError, ForbiddenError


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
