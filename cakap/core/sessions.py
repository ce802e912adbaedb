"""The database session store, reading a session and its user in one written query.

Every signed-in request loads its session and then its user; through the ORM those two
reads cost far more query building than database time. The session row names its user
(`UserSession.user`), so one written query (core/rows.py) reads both. The middleware
below hands that user to the login backend's `get_user` for the duration of Django's
own `get_user`, which still runs every check on it (the session's auth hash against the
user's password, the fallback keys, an inactive user). Writing, expiry and the rest are
Django's.
"""

import functools
from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cakap.core import rows
from cakap.core.models import UserSession

# The user read with the request's session, offered to the login backend only while
# Django's get_user runs for that request (set and reset around the call).
_offered: ContextVar[Any] = ContextVar("cakap_session_user", default=None)


@functools.cache
def _sql(using: str) -> str:
    from cakap.people.models import User

    return (
        f"SELECT {rows.columns(UserSession, 's', using)}, {rows.columns(User, 'u', using)} "  # noqa: S608 - names from the models
        f"FROM {rows.table(UserSession, using)} s "
        f"LEFT JOIN {rows.table(User, using)} u ON u.id = s.user_id "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )


def offered_user(user_id: Any) -> Any:
    """The user read with the current request's session, if it is `user_id`; else None
    (then the backend reads it itself)."""
    user = _offered.get()
    return user if user is not None and str(user.pk) == str(user_id) else None


def _get_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request.session.get(SESSION_KEY)  # loads the session, and its user with it
        token = _offered.set(getattr(request.session, "loaded_user", None))
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _offered.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(DjangoAuthMiddleware):
    """Django's, with the user taken from the session's query when it came with it."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))  # type: ignore[assignment]


class SessionStore(DatabaseSessionStore):
    loaded_user: Any = None  # the session's user, read with it (None: not read or none)

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        user_id = str(data.get(SESSION_KEY) or "")
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session

    def _get_session_from_db(self) -> Any:
        from cakap.people.models import User

        self.loaded_user = None
        using = router.db_for_read(UserSession)
        now = UserSession._meta.get_field("expire_date").get_db_prep_value(
            timezone.now(), connections[using]
        )
        found = rows.fetch(_sql(using), [self.session_key, now], using)
        if not found:
            self._session_key = None
            return None
        width = rows.width(UserSession)
        session = rows.instance(UserSession, found[0][:width], "s", using)
        user = rows.instance(User, found[0][width:], "u", using)
        if session is not None:
            self.loaded_user = user
        return session
