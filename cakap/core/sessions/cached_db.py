"""SESSION_ENGINE with a shared cache (Redis): Django's cached_db store on `UserSession`,
read from the cache and written through to the database."""

from django.contrib.sessions.backends import cached_db

from cakap.core.sessions import OnUserSession


class SessionStore(OnUserSession, cached_db.SessionStore):
    pass
