"""SESSION_ENGINE with a shared cache (Redis): Django's cached_db store on `UserSession`,
read from the cache and written through to the database."""

from typing import Any

from django.contrib.sessions.backends import cached_db

from cakap.core.models import UserSession
from cakap.core.sessions import user_id_of


class SessionStore(cached_db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        session.user_id = user_id_of(data)
        return session
