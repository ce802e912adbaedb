"""The audit trail. Services call `record` inside their transaction."""

import datetime
import decimal
from collections.abc import Iterable, Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from cakap.core.models import AuditEntry


def _plain(value: object) -> object:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, object]:
    """The current values of an object's concrete fields, JSON-ready."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in obj._meta.concrete_fields if f.attname != "password"]
    )
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """Fields whose value changed, as {field: [before, after]}."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    action: str,
    obj: models.Model,
    *,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one audit entry for `obj`; `acting_user` is a user or None for the system."""
    changes = diff(before or {}, after if after is not None else snapshot(obj))
    return AuditEntry.objects.create(
        # By key: core names no app's user model (an anonymous user has no key).
        actor_id=acting_user.pk
        if acting_user is not None and acting_user.is_authenticated
        else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes,
        note=note[:255],
    )


def record_many(
    action: str,
    changes: Iterable[tuple[models.Model, Mapping[str, object] | None, Mapping[str, object]]],
    *,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    note: str = "",
) -> list[AuditEntry]:
    """Write one audit entry per `(obj, before, after)` in one statement (bulk writes:
    the same entries `record` would write one by one)."""
    actor_id = acting_user.pk if acting_user is not None and acting_user.is_authenticated else None
    entries = [
        AuditEntry(
            actor_id=actor_id,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            changes=diff(before or {}, after),
            note=note[:255],
        )
        for obj, before, after in changes
    ]
    return AuditEntry.objects.bulk_create(entries, batch_size=500) if entries else []
