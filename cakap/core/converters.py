"""URL path converters every app's urls.py uses, registered when core is ready."""

from django.urls import register_converter

from cakap.core.bounds import MAX_ID


class IdConverter:
    """`<id:pk>`: a database id, 1 to 2^63 - 1. Anything else matches no URL (404),
    where `<int:...>` would pass a number too large for the database to the view."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # Django answers a ValueError here as no match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
