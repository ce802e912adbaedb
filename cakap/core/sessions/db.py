"""SESSION_ENGINE without a shared cache: Django's database store on `UserSession`."""

from typing import Any

from django.contrib.sessions.backends import db

from cakap.core.models import UserSession
from cakap.core.sessions import user_id_of


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        session.user_id = user_id_of(data)
        return session
