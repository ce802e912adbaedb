"""Who is asking: the signed-in user of a page, the token or session of an API call.

Here rather than in core because both name people's `User` and its API tokens; core
stays below every app.
"""

from typing import Any, cast

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth
from ninja.security.http import HttpBearer

from cakap.people import tokens
from cakap.people.models import User


def signed_in(request: HttpRequest) -> User:
    """The user of a request that `login_required` has let through, typed as ours."""
    user = request.user
    assert isinstance(user, User), "views using signed_in() must be login_required"
    return user


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued by cakap.people.tokens.

    A request that sends an Authorization header is judged by it alone: a wrong or
    revoked key is refused even when the browser also sends a session cookie.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationError()
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = tokens.authenticate_key(token)
        if user is None:
            raise AuthenticationError()
        # Scope functions and services read request.user, as they do for pages.
        request.user = user
        return user


def default_auth() -> list[Any]:
    """Token first, then the browser session (with CSRF on writes) for the docs page."""
    return [ApiTokenAuth(), SessionAuth(csrf=True)]


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return cast(User, request.auth)  # type: ignore[attr-defined]
