"""A database that is briefly out of reach (restarting, failing over, refusing new
connections) answers 503 with Retry-After, not 500.

Only failures to reach the database count: the connection could not be made, was cut,
or the server said it is shutting down, starting up or full. An error of the query
itself (a lock or statement timeout, a deadlock, a constraint) is a bug or a conflict
and stays what it is. Pages get a small page of their own (the site's layout may
itself need the database), the API `{"code": "unavailable", "message": ...}`; both in
the person's language. The check-in page retries by itself after Retry-After.
"""

import sqlite3

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cakap.core.middleware import API_PREFIX, chosen_language

RETRY_AFTER_SECONDS = 5

# PostgreSQL's SQLSTATEs that mean "cannot serve you now" rather than "your query failed":
# class 08 (connection exception), admin and crash shutdown, cannot connect now
# ("the database system is shutting down" / "is starting up"), too many connections.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached, as opposed to a query that
    failed on a database that is up."""
    if isinstance(exc, InterfaceError):
        return True  # the connection object itself is closed or broken
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, psycopg.Error):
        state = cause.sqlstate
        # No SQLSTATE: the client failed to connect or lost the connection.
        return state is None or state.startswith("08") or state in _UNAVAILABLE_STATES
    if isinstance(cause, sqlite3.OperationalError):
        return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_CANTOPEN
    return False


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", None) or chosen_language(request)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under the API, a self-contained page elsewhere."""
    with translation.override(_language(request)):
        message = _(
            "Cakap is unavailable for a moment. Nothing you sent was lost; "
            "please try again in a few seconds."
        )
        response: HttpResponse
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse(
                {"code": "unavailable", "message": message},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            html = render_to_string(
                "core/unavailable.html",
                {
                    "message": message,
                    "language": translation.get_language(),
                    "retry_after": RETRY_AFTER_SECONDS,
                    "reload": request.method in ("GET", "HEAD"),
                },
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view that could not reach the database with 503 (see the module)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[no-any-return]

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if database_unavailable(exc):
            return unavailable_response(request)
        return None
