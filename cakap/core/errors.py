"""Domain errors: a stable code for machines and a translated message for people.

One small hierarchy, with the HTTP status the API answers on the class (pages show the
message either way). An app subclasses `DomainError` for its own errors and adds a
subclass per kind where it raises one, e.g. `class SessionConflictError(SessionError,
ConflictError)`: the app's base keeps catching all of its errors, and the kind
decides the status. The app's base class must not set `http_status` itself, or it
would hide the kind's. Core never lists an app's codes.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    """The input is not valid for this write (400). The base of every domain error.

    `field` names the input at fault when there is one, so a form can put the message
    beside it and the API can name it. Input that fails a form's or a model's own
    validation (Django's ValidationError) answers 422 on the API, field by field.
    """

    http_status: int = 400
    field: str | None = None

    def __init__(self, code: str, message: str | Promise, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ForbiddenError(DomainError):
    """The caller may see the object but may not do this to it."""

    http_status = 403


class NotFoundError(DomainError):
    """The object named does not exist, or is outside the caller's scope."""

    http_status = 404


class ConflictError(DomainError):
    """The data is not in a state that allows this (already done, closed, taken)."""

    http_status = 409
