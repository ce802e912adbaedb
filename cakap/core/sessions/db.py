"""SESSION_ENGINE without a shared cache: Django's database store on `UserSession`."""

from django.contrib.sessions.backends import db

from cakap.core.sessions import OnUserSession


class SessionStore(OnUserSession, db.SessionStore):
    pass
