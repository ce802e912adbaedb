"""Sessions on Django's own engines, in a table that names each session's user.

`UserSession` has a `user` column so that a person's sessions can be ended everywhere
(`end_sessions_of`: a personal link revoked, a capability gained). The stores are
Django's, extended only at the documented point ("Extending database-backed session
engines"): `get_model_class()` and `create_model_instance()`. Settings choose the
engine: `cakap.core.sessions.cached_db` when a shared cache (Redis) is configured,
`cakap.core.sessions.db` otherwise; never a cache of one process.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY

from cakap.core.models import UserSession


def user_id_of(data: dict[str, Any]) -> int | None:
    """The signed-in user a session's data names, for its `user` column."""
    value = str(data.get(SESSION_KEY) or "")
    return int(value) if value.isdigit() else None


class OnUserSession:
    """What both stores add to Django's, at its documented extension point: the session
    table is `UserSession`, and a saved session names its user."""

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)  # type: ignore[misc]
        assert isinstance(session, UserSession)
        session.user_id = user_id_of(data)
        return session


def end_sessions_of(user: Any) -> int:
    """End every session of `user`, in the database and in the shared cache (through the
    engine's own `delete`, so that a cached session ends too); how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store_class().delete(key)
    return len(keys)
