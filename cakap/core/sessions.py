"""The database session store, reading a session with written SQL (see core/rows.py).

Every signed-in request loads its session; through the ORM that read cost 0.8 ms of
query building for a 0.1 ms query. Writing, expiry and everything else are Django's.
"""

import functools
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from cakap.core import rows


@functools.cache
def _sql(using: str) -> str:
    return (
        f"SELECT {rows.columns(Session, 's', using)} FROM {rows.table(Session, using)} s "  # noqa: S608 - names from the models
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        using = router.db_for_read(Session)
        now = Session._meta.get_field("expire_date").get_db_prep_value(
            timezone.now(), connections[using]
        )
        found = rows.fetch(_sql(using), [self.session_key, now], using)
        if not found:
            self._session_key = None
            return None
        return rows.instance(Session, found[0], "s", using)
