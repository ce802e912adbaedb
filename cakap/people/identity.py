"""Who is asking: the signed-in user of a page, the token or session of an API call.

Here rather than in core because both name people's `User` and its API tokens; core
stays below every app.
"""

from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth
from ninja.security.http import HttpBearer

from cakap.people import tokens
from cakap.people.auth import NipOrEmailBackend
from cakap.people.models import User


def signed_in(request: HttpRequest) -> User:
    """The user of a request that `login_required` has let through, typed as ours."""
    user = request.user
    assert isinstance(user, User), "views using signed_in() must be login_required"
    return user


# The backend whose `get_user` `session_signs_in` stands for: a user by id, if active.
_OUR_BACKEND = f"{NipOrEmailBackend.__module__}.{NipOrEmailBackend.__qualname__}"


def session_signs_in(data: Mapping[str, Any], user: User | None) -> bool:
    """Whether the session data `data`, read together with `user` (the user its row
    names), signs `user` in as `django.contrib.auth.get_user` would accept it without
    touching the session: it names this user, through our login backend, which is
    configured, the login may sign in, and it carries the session hash of the user's
    password under the current secret key.

    For the check-in's one read (attendance/statements.py, decision 78). Anything else
    answers False, and the caller must then ask Django (`request.user`), which also
    honours the fallback secret keys and ends a session that no longer holds."""
    if user is None or user.pk is None:
        return False
    if str(data.get(SESSION_KEY, "")) != str(user.pk):
        return False
    backend = data.get(BACKEND_SESSION_KEY)
    if backend != _OUR_BACKEND or backend not in settings.AUTHENTICATION_BACKENDS:
        return False
    if not NipOrEmailBackend().user_can_authenticate(user):
        return False
    session_hash = data.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(
        str(session_hash), user.get_session_auth_hash()
    )


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
