"""Text in the address that cannot be stored.

Forms and the API pass what people send through the text rule (cakap.core.text); the
address (the path, and the query string of a search box or a filter) is checked here,
once for every page and operation: a NUL in it is answered 400 (422 on the API, as its
other input errors) with the rule's message, before any view runs. PostgreSQL cannot
compare text holding a NUL, so a search for one would fail; no person types one. The
other control characters are harmless in a search and are left to the view.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cakap.core.api_support import error_body, respond
from cakap.core.middleware import API_PREFIX
from cakap.core.text import NUL, UnstorableTextError


def nul_in_address(request: HttpRequest) -> str | None:
    """Where the address holds a NUL: "path", a query parameter's name, or None."""
    if b"\x00" in unquote_to_bytes(request.path_info):
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in v for v in values):
            return name.replace(NUL, "")
    return None


class UnstorableAddressMiddleware:
    """Refuse an address holding a NUL with the text rule's message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_in_address(request)
        if where is None:
            return self.get_response(request)
        message = str(UnstorableTextError().message)
        if request.path_info.startswith(API_PREFIX):
            body = error_body(
                "invalid",
                _("Some fields are not valid."),
                errors=[{"field": where, "message": message}],
            )
            return respond(request, 422, body)
        return render(request, "core/bad_address.html", {"message": message}, status=400)
