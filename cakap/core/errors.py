"""Domain errors: a stable code for machines and a translated message for people."""

from django.utils.functional import Promise


class DomainError(Exception):
    """Base class for errors that services raise and pages and the API map to answers.

    `field` names the input at fault when there is one, so a form can put the message
    beside it and the API can name it.
    """

    field: str | None = None

    def __init__(self, code: str, message: str | Promise, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)
