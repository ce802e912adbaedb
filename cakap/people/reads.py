"""The log of reads of personal data (UU 27/2022): one insert per profile opened or file
downloaded, written by the view that served it after its access check passed.

It is a log of processing, not a change of anything, so it has no audit entry of its
own, and the "no GET changes state" tests leave it aside (core/tests/dbstate.py). It
reads nothing: the caller passes what it already holds. The check-in never calls it.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from cakap.people.models import DataRead

Kind = DataRead.Kind
Scope = DataRead.Scope


def record_read(
    reader: AbstractBaseUser | AnonymousUser,
    kind: str,
    *,
    scope: str,
    scope_id: int | None,
    scope_label: str = "",
    person_id: int | None = None,
    detail: str = "",
) -> None:
    """Log that `reader` read `kind` of data about `person_id` (one person's profile,
    document or records) or about everyone in the session, group, programme or unit
    `scope_id` (a file; `scope` names the kind). One INSERT, no read."""
    DataRead.objects.create(
        reader_id=reader.pk if reader.is_authenticated else None,
        kind=kind,
        person_id=person_id,
        scope=scope,
        scope_id=scope_id,
        scope_label=scope_label[:255],
        detail=detail[:100],
    )
