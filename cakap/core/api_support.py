"""What every API router shares: error answers, pagination, field types, input schemas.

Authentication (API tokens, the browser session) is people's: cakap.people.identity.

Errors answer as JSON `{"code": ..., "message": ...}` with the message in the
request's language (LocaleMiddleware picks it from Accept-Language, Indonesian by
default); a validation error adds `errors`, one entry per field. Nothing answers
with a traceback.
"""

import datetime
import logging
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from pydantic import (
    AfterValidator,
    AwareDatetime,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cakap.core import bounds
from cakap.core.errors import DomainError
from cakap.core.formatting import local
from cakap.core.text import UnstorableTextError, clean_data
from cakap.core.unavailable import database_unavailable, unavailable_response

logger = logging.getLogger("cakap.api")

# ---------------------------------------------------------------- error answers


class ErrorOut(Schema):
    code: str = Field(description="Stable, for programs: 'not_found', 'invalid_nip', ...")
    message: str = Field(description="For people, in the language of Accept-Language")
    field: str | None = Field(None, description="The input at fault, when there is one")


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}
READ_RESPONSES = {k: v for k, v in ERROR_RESPONSES.items() if k in (401, 404, 422)}


def error_body(code: str, message: object, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": str(message), **extra}


def _pydantic_message(error: dict[str, Any]) -> str:
    """Pydantic speaks English only; the common cases reuse Django's translated messages."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind == "date_range":
        return bounds.date_range_message()
    if kind.startswith("datetime") or kind == "timezone_aware":
        return _("Enter a valid date/time.") + " " + _("Use ISO 8601 with an offset.")
    if kind.startswith("date"):
        return _("Enter a valid date.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character.",
            "Ensure this value has at most %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind == "string_too_short":
        limit = int(ctx.get("min_length", 0))
        return ngettext(
            "Ensure this value has at least %(limit_value)d character.",
            "Ensure this value has at least %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind in ("enum", "literal_error"):
        choices = ctx.get("expected", "")
        return (
            _("Select a valid choice. That choice is not one of the available choices.")
            + f" ({choices})"
        )
    if kind.startswith("url"):
        return _("Enter a valid URL.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "object_expected"):
        return _("Send a JSON object with the fields this operation takes.")
    if kind == "null_characters_not_allowed":
        return str(UnstorableTextError().message)
    return _("Enter a valid value.")


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """("body", "payload", "nip") -> "nip"; ("query", "page_size") -> "page_size"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the name of the handler's payload argument: the body itself
    return ".".join(parts) or "__all__"


def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(e.get("loc", ())), "message": _pydantic_message(e)}
        for e in exc.errors
    ]
    return respond(
        request,
        422,
        error_body("invalid", _("Some fields are not valid."), errors=errors),
    )


def _on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "__all__", "message": str(m)} for m in exc.messages]
    return respond(
        request, 422, error_body("invalid", _("Some fields are not valid."), errors=errors)
    )


# Services name model fields; the API takes references as ids.
_INPUT_NAMES = {
    "unit": "unit_id",
    "organiser_unit": "organiser_unit_id",
    "coaching_unit": "coaching_unit_id",
    "group": "group_id",
    "to_group": "to_group_id",
    "person": "person_id",
    "module": "module_id",
    "coach": "coach_id",
    "coaches": "coach_ids",
}


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    field = getattr(exc, "field", None)
    extra = {"field": _INPUT_NAMES.get(field, field)} if isinstance(field, str) else {}
    return respond(request, exc.http_status, error_body(exc.code, exc.message, **extra))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return respond(request, 404, error_body("not_found", _("Not found.")))


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return respond(request, 403, error_body("forbidden", _("You are not allowed to do this.")))


def _on_integrity_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("API write refused by a database constraint: %s", exc)
    return respond(
        request,
        409,
        error_body("conflict", _("This change conflicts with data that already exists.")),
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = respond(
            request,
            401,
            error_body("unauthenticated", _("Sign in or send a valid API token.")),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if exc.status_code == 403 and "CSRF" in exc.message:
        return respond(
            request, 403, error_body("csrf_failed", _("CSRF verification failed. Request aborted."))
        )
    if exc.status_code == 429:
        return respond(request, 429, error_body("throttled", _("Too many requests.")))
    return respond(request, exc.status_code, error_body("error", exc.message))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if database_unavailable(exc):
        return unavailable_response(request)  # 503 with Retry-After, not a 500
    # Logged with its traceback for the operator; the client gets no internals.
    logger.exception("API request failed: %s %s", request.method, request.path)
    return respond(request, 500, error_body("server_error", _("Something went wrong on our side.")))


def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every failure of `api` as JSON; ninja's defaults would show a traceback
    in debug mode and Django's HTML error page otherwise."""
    handlers: dict[type[Exception], Any] = {
        Exception: _on_unexpected,
        DomainError: _on_domain_error,
        Http404: _on_not_found,
        PermissionDenied: _on_permission_denied,
        IntegrityError: _on_integrity_error,
        HttpError: _on_http_error,
        NinjaValidationError: _on_validation_error,
        DjangoValidationError: _on_django_validation_error,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)


# ---------------------------------------------------------------- lookups


def referenced[M: Model](scoped: QuerySet[M], pk: int | None, field: str) -> M:
    """An object named by id in the input; one the caller may not see is an invalid
    choice (422 naming `field`), like one that does not exist."""
    obj = scoped.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise DjangoValidationError(
            {field: [_("Select a valid choice. That choice is not one of the available choices.")]}
        )
    return obj


def reject_nulls(data: dict[str, Any]) -> dict[str, Any]:
    """A partial update may leave a field out, not set it to null."""
    for name, value in data.items():
        if value is None:
            raise DjangoValidationError({name: [_("This field cannot be null.")]})
    return data


def forbidden() -> PermissionDenied:
    """For a caller who may see the object but not change it."""
    return PermissionDenied()


# ---------------------------------------------------------------- pagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageNumbers(PaginationBase):
    """`?page=2&page_size=50`; a page size above the maximum is refused, naming the field."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=bounds.MAX_PAGE)
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        return {
            "items": list(queryset[offset : offset + size]),
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": size,
        }


# ---------------------------------------------------------------- field types

# Read: aware datetimes shown in WIB, e.g. "2026-11-28T09:00:00+07:00".
LocalDateTime = Annotated[datetime.datetime, AfterValidator(local)]

# Ids in paths, filters and bodies: a database id (1 to 2^63 - 1); a larger number
# would overflow the database's integer and answer 500.
Id = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]


def _date_in_range[D: datetime.date](value: D) -> D:
    if not bounds.date_in_range(value):
        raise PydanticCustomError("date_range", "The date is outside the years Cakap plans.")
    return value


# Dates and times sent in: within bounds.MIN_DATE..MAX_DATE (years 1900-2100).
DateIn = Annotated[datetime.date, AfterValidator(_date_in_range)]
# Write: an offset is required; a naive time would be a guess.
AwareDateTimeIn = Annotated[AwareDatetime, AfterValidator(_date_in_range)]


# ---------------------------------------------------------------- input schemas


class InputSchema(Schema):
    """The base of every schema the API reads (bodies and query filters).

    Its text passes the one rule of cakap.core.text (a NUL is refused naming the
    field, other control characters removed, invisible ends trimmed), and a body that
    is not a JSON object is refused as a whole.
    """

    # A wrap validator, as ninja's own is: a "before" one would see the input already
    # wrapped by ninja, and a JSON array would answer "required" for every field.
    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        if isinstance(data, list | str | int | float | bool) or data is None:
            raise PydanticCustomError("object_expected", "A JSON object is expected.")
        return handler(data)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        try:
            return clean_data(value)
        except UnstorableTextError:
            raise PydanticCustomError(
                "null_characters_not_allowed", "The text holds a NUL character."
            ) from None
