"""Domain errors: a stable code for machines and a translated message for people."""

from django.utils.functional import Promise


class DomainError(Exception):
    """Base class for errors that services raise and pages and the API map to answers."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
