import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from cakap.core.unavailable import database_unavailable, unavailable_response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database out of reach before any view ran (the session or the
    signed-in user could not be read) answers 503 with Retry-After, like a view would
    (core/unavailable.py); anything else is Django's own 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        return unavailable_response(request)
    return defaults.server_error(request)
