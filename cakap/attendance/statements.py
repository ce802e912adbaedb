"""The check-in's two written statements, on PostgreSQL only (docs/decisions.md, 78).

A whole room checks in within a minute, and on that path the ORM's Python is most of
the cost: Django's separate session and user reads, then building and compiling the
annotated read of `checkin._check_in_read`, took several times as long as PostgreSQL
takes to run them. So on PostgreSQL the read (with the scan's sign-in session and its
user) and the first record's insert are each one written statement, through public
APIs only: a cursor from `django.db.connection`, the tables and columns from
`Model._meta`, the values through each field's own `pre_save`/`get_db_prep_save` and
`from_db_value`, and instances built with `Model.from_db`, which runs `Model.__init__`
(so `pre_init`/`post_init` fire). Nothing here decides who is signed in: that is
`people.identity.session_signs_in`, and Django itself whenever it says no.

Guards: on any other database both stand aside (`reads_here`), and the insert also
whenever something listens to the records' or trails' `pre_save`/`post_save`
(`inserts_here`: a written insert sends no save signals); the callers then take the
ORM. `test_statements.py` checks on PostgreSQL that each gives what the ORM gives.
"""

import datetime
import functools
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from cakap.attendance.models import (
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    PersonalLink,
    SessionVenue,
)
from cakap.core.models import UserSession
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session

# The models the read builds, each with the alias its columns are read under.
_READ = (
    (Session, "s"),
    (Group, "g"),
    (Programme, "p"),
    (AttendancePolicy, "ap"),
    (SessionVenue, "v"),
    (Module, "m"),
    (Person, "pp"),
    (AttendanceRecord, "r"),
)


def reads_here() -> bool:
    """Whether the written read runs here: on PostgreSQL."""
    return connection.vendor == "postgresql"


def inserts_here() -> bool:
    """Whether the written insert runs here: on PostgreSQL, and while nothing listens to
    the save signals of records and their trails (a written insert sends none)."""
    watched = (AttendanceRecord, AttendanceChange)
    return reads_here() and not any(
        s.has_listeners(m) for s in (pre_save, post_save) for m in watched
    )


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{_q(str(f.column))}" for f in model._meta.concrete_fields)


@functools.cache
def _shape(model: type[Model]) -> tuple[int, list[str], list[Any]]:
    """The position of `model`'s primary key among its columns, their attribute names,
    and each field's `from_db_value` (None where it has none): worked out once."""
    fields = model._meta.concrete_fields
    return (
        fields.index(model._meta.pk),
        [f.attname for f in fields],
        [getattr(f, "from_db_value", None) for f in fields],
    )


def _instance(model: type[Model], values: Sequence[Any]) -> Any:
    """An instance of `model` from its columns as read, None for a row the outer join
    did not find (its primary key is NULL)."""
    pk_at, names, converters = _shape(model)
    if values[pk_at] is None:
        return None
    converted = [
        v if convert is None else convert(v, None, connection)
        for convert, v in zip(converters, values, strict=True)
    ]
    return model.from_db(connection.alias, names, converted)


_read_sql: dict[bool, str] = {}


def _check_in_sql(by_session: bool) -> str:
    """The read of `read_check_in`, written once per process for each way of naming the
    person: by their user's id, or by the key of a signed-in session."""
    if by_session not in _read_sql:
        record, enrolment, link, attempt = (
            _table(AttendanceRecord),
            _table(Enrolment),
            _table(PersonalLink),
            _table(CheckInAttempt),
        )
        person = _table(Person)
        if by_session:
            who = f"""
            LEFT JOIN {_table(UserSession)} us
                ON us.session_key = %(key)s AND us.expire_date > %(now)s
            LEFT JOIN {_table(User)} u ON u.id = us.user_id
            LEFT JOIN {person} pp ON pp.user_id = u.id"""
            signed_in = f", us.session_data, {_columns(User, 'u')}"
        else:
            who = f"LEFT JOIN {person} pp ON pp.user_id = %(user)s"
            signed_in = ""
        _read_sql[by_session] = f"""
        SELECT {", ".join(_columns(m, a) for m, a in _READ)},
            EXISTS (SELECT 1 FROM {enrolment} e WHERE e.group_id = s.group_id
                    AND e.person_id = pp.id AND e.status = %(active)s),
            EXISTS (SELECT 1 FROM {record} d WHERE d.device_id = %(device)s
                    AND d.device_id <> '' AND d.session_id = s.id
                    AND d.person_id <> pp.id),
            EXISTS (SELECT 1 FROM {record} d WHERE d.device_id = %(device)s
                    AND d.device_id <> '' AND d.session_id <> s.id),
            (SELECT l.device_id FROM {link} l WHERE l.person_id = pp.id
                    AND l.programme_id = g.programme_id AND l.revoked_at IS NULL LIMIT 1),
            EXISTS (SELECT 1 FROM {attempt} a WHERE a.reason = %(bad_code)s
                    AND a.last_at > %(wrong_since)s AND (a.person_id = pp.id
                    OR (%(device)s <> '' AND a.device_id = %(device)s)))
            {signed_in}
        FROM {_table(Session)} s
        JOIN {_table(Group)} g ON g.id = s.group_id
        JOIN {_table(Programme)} p ON p.id = g.programme_id
        LEFT JOIN {_table(AttendancePolicy)} ap ON ap.programme_id = p.id
        LEFT JOIN {_table(SessionVenue)} v ON v.session_id = s.id
        LEFT JOIN {_table(Module)} m ON m.id = s.module_id
        {who}
        LEFT JOIN {record} r ON r.session_id = s.id AND r.person_id = pp.id
        WHERE s.id = %(session)s
        """  # noqa: S608
    return _read_sql[by_session]


class Read(NamedTuple):
    """What `read_check_in` read."""

    session: Session
    person: Person | None  # the user's person, None: the login has none
    record: AttendanceRecord | None  # the person's record in the session
    enrolled: bool
    device_shared: bool
    device_known: bool
    bound_device: str
    wrong_codes_lately: bool  # a wrong code from this person or phone since `wrong_since`
    user: User | None = None  # read by session key: the user the session's row names
    session_data: str = ""  # read by session key: the session's encoded data, if live


def read_check_in(
    pk: int,
    device_id: str,
    *,
    wrong_since: datetime.datetime,
    user_id: int | None = None,
    session_key: str = "",
) -> Read | None:
    """What `checkin._check_in_read` reads, in one written statement: the session with
    its group, programme, policy, venue and module, the person and their record in the
    session, the phone's uses, and whether the person or the phone had a code refused as
    wrong (a `CheckInAttempt` "bad_code", which every wrong code stores or touches) since
    `wrong_since`. The person is the one of the user `user_id`, or the
    one of the user named by the live session `session_key` (then the read has the user
    and the session's data, for `identity.session_signs_in` to judge: nothing here
    decides who is signed in).

    The session is built as `select_related` would; a programme without a policy gets
    the unsaved defaults `policy_for` answers, a session without a venue a blank one (no
    overrides, as none). None: no such session."""
    by_session = user_id is None
    params: dict[str, int | str | datetime.datetime] = {
        "session": pk,
        "device": device_id,
        "active": Enrolment.Status.ACTIVE.value,
        "bad_code": "bad_code",
        "wrong_since": wrong_since,
    }
    if by_session:
        params.update(key=session_key, now=timezone.now())
    else:
        params["user"] = user_id or 0
    with connection.cursor() as cursor:
        cursor.execute(_check_in_sql(by_session), params)
        row = cursor.fetchone()
    if row is None:
        return None
    built, start = [], 0
    for model, _alias in _READ:
        end = start + len(model._meta.concrete_fields)
        built.append(_instance(model, row[start:end]))
        start = end
    session, group, programme, policy, venue, module, person, record = built
    session.group = group
    session.module = module
    group.programme = programme
    programme.attendance_policy = policy or AttendancePolicy(programme=programme)
    session.attendance = venue or SessionVenue(session=session)
    enrolled, shared, known, bound, wrong = row[start : start + 5]
    user, data = None, ""
    if by_session:
        data = row[start + 5] or ""
        user = _instance(User, row[start + 6 :])
        if person is not None and user is not None:
            user.person = person  # as select_related("person") would give it
    return Read(
        session,
        person,
        record,
        bool(enrolled),
        bool(shared),
        bool(known),
        bound or "",
        bool(wrong),
        user,
        data,
    )


def _insert(model: type[Model], obj: Model, extra: Iterable[str] = ()) -> tuple[str, list[Any]]:
    """The columns and values of a new `obj`, as `save` would write them (each field's
    `pre_save` sets the automatic ones), without its primary key and the columns named in
    `extra`."""
    fields = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in extra
    ]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    return ", ".join(_q(str(f.column)) for f in fields), values


def insert_first(record: AttendanceRecord, trail: AttendanceChange) -> bool | None:
    """Insert a first record and its trail in one statement, as `services._insert_first`
    does with two saves; True when written (the record then has its id and reads as saved),
    False when a unique constraint refused the record (nothing written), None when the
    guard says the ORM must do it (`inserts_here`). Outside a transaction the statement is
    one by itself; inside one it needs no savepoint, as a conflict raises nothing."""
    if not inserts_here():
        return None
    record_columns, record_values = _insert(AttendanceRecord, record)
    link = _q(AttendanceChange._meta.get_field("record").column)
    trail_columns, trail_values = _insert(AttendanceChange, trail, extra=("record_id",))
    marks = ", ".join(["%s"] * len(record_values))
    trail_marks = ", ".join(["%s"] * len(trail_values))
    # Names from the models' metadata, quoted; every value is a parameter.
    sql = f"""
    WITH r AS (
        INSERT INTO {_table(AttendanceRecord)} ({record_columns}) VALUES ({marks})
        ON CONFLICT DO NOTHING RETURNING id
    )
    INSERT INTO {_table(AttendanceChange)} ({link}, {trail_columns})
    SELECT r.id, {trail_marks} FROM r RETURNING {link}, id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*record_values, *trail_values])
        row = cursor.fetchone()
    if row is None:
        return False
    _as_saved(record, row[0])
    trail.record = record
    _as_saved(trail, row[1])
    return True


def _as_saved(obj: Model, pk: int) -> None:
    """Give `obj` the id the database gave it and mark it saved, as a save would (the
    documented `_state.adding` and `_state.db`, as Django's `from_db` example sets them)."""
    obj.pk = pk
    obj._state.adding = False  # noqa: SLF001 - documented in Model.from_db's reference
    obj._state.db = connection.alias  # noqa: SLF001
