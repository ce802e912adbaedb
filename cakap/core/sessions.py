"""The database session store, reading a session and its user in one written query.

Every signed-in request loads its session and then its user; through the ORM those two
reads cost far more query building than database time. The session row names its user
(`UserSession.user`), so one written query (core/rows.py) reads both. The middleware
below hands that user to the login backend's `get_user` for the duration of Django's
own `get_user`, which still runs every check on it (the session's auth hash against the
user's password, the fallback keys, an inactive user). Writing, expiry and the rest are
Django's.

A hot path that reads other rows before anything has read the session can read the
session and its user in the same query (`joined_columns`, `joined_sql`) and hand them to
the store (`SessionStore.adopt`): the check-in of a whole room at once does.
"""

import functools
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
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
def joined_columns(using: str) -> str:
    """The select list of a session and its user as `joined_sql` joins them: `width()`
    values, for `SessionStore.adopt`."""
    user = rows.columns(get_user_model(), "uu", using)
    return f"{rows.columns(UserSession, 'us', using)}, {user}"


@functools.cache
def joined_sql(using: str) -> str:
    """LEFT JOINs that read, beside another query, the session whose key is the first
    parameter if it has not expired by the second (`joined_params`), and its user. The
    session's table is `us`, its user's `uu`."""
    return (
        f"LEFT JOIN {rows.table(UserSession, using)} us "
        "ON us.session_key = %s AND us.expire_date > %s "
        f"LEFT JOIN {rows.table(get_user_model(), using)} uu ON uu.id = us.user_id "
    )


def joined_params(store: "SessionStore", using: str) -> list[Any]:
    now = UserSession._meta.get_field("expire_date").get_db_prep_value(
        timezone.now(), connections[using]
    )
    return [store.session_key, now]


def width() -> int:
    """How many values `joined_columns` selects."""
    return rows.width(UserSession) + rows.width(get_user_model())


@functools.cache
def _sql(using: str) -> str:
    # A one-row table to join to: the session and its user alone.
    return f"SELECT {joined_columns(using)} FROM (SELECT 1) one {joined_sql(using)}"  # noqa: S608 - names from the models


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

    @property
    def unread(self) -> bool:
        """The request named a session that nothing has read yet (`adopt` may take it)."""
        return self.session_key is not None and not hasattr(self, "_session_cache")

    def adopt(self, values: Sequence[Any], using: str = "default") -> None:
        """Take this session, and its user, as another query read them beside its own
        (`joined_columns`, `joined_sql`): then the session is not read again. The same
        as reading it here: a session that is missing or has expired is an empty one."""
        session = self._take(values, using)
        self._session_cache = self.decode(session.session_data) if session else {}

    def _take(self, values: Sequence[Any], using: str) -> Any:
        self.loaded_user = None
        split = rows.width(UserSession)
        session = rows.instance(UserSession, values[:split], "us", using)
        if session is None:
            self._session_key = None
            return None
        self.loaded_user = rows.instance(get_user_model(), values[split:], "uu", using)
        return session

    def _get_session_from_db(self) -> Any:
        using = router.db_for_read(UserSession)
        found = rows.fetch(_sql(using), joined_params(self, using), using)
        return self._take(found[0], using)
