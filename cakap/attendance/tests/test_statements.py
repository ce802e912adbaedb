"""The check-in's written statements give what the ORM gives (PostgreSQL), and stand
aside where they must: on SQLite, and while anything listens to the save signals."""

import datetime

import pytest
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from cakap.attendance import statements
from cakap.attendance.checkin import _check_in_read
from cakap.attendance.models import (
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    Method,
    PersonalLink,
    SessionVenue,
    Status,
)
from cakap.attendance.services import _insert_first
from cakap.attendance.tests.test_checkin import DEVICE, OTHER_DEVICE, at_minutes, check_in
from cakap.people.models import Person
from cakap.programmes.models import Enrolment, Module

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the written statements run on PostgreSQL"
)


def read(pk, device, **who):
    return statements.read_check_in(pk, device, wrong_since=timezone.now() - MINUTE, **who)


MINUTE = datetime.timedelta(seconds=60)


def fields(obj: Model | None) -> dict[str, object] | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def both_reads(world, person: Person, device: str):
    """(written, ORM): the session's related rows as fields, the record, the flags."""
    found = read(world.session_a.pk, device, user_id=person.user_id or 0)
    assert found is not None
    session, record = found.session, found.record
    flags = (found.enrolled, found.device_shared, found.device_known, found.bound_device)
    assert found.person is not None and fields(found.person) == fields(person)
    orm = _check_in_read(person, device).get(pk=world.session_a.pk)
    programme = orm.group.programme
    try:
        orm_policy = programme.attendance_policy
    except AttendancePolicy.DoesNotExist:
        orm_policy = None
    try:
        orm_venue = orm.attendance
    except SessionVenue.DoesNotExist:
        orm_venue = None
    written_policy = session.group.programme.attendance_policy
    written_venue = session.attendance
    written = (
        fields(session),
        fields(session.group),
        fields(session.group.programme),
        fields(written_policy) if written_policy.pk else None,
        fields(written_venue) if written_venue.pk else None,
        fields(session.module),
        fields(record),
        flags,
    )
    expected = (
        fields(orm),
        fields(orm.group),
        fields(programme),
        fields(orm_policy),
        fields(orm_venue),
        fields(orm.module),
        fields(getattr(orm, "own_record", None)),
        (
            bool(getattr(orm, "enrolled")),  # noqa: B009 - annotations the stubs do not know
            bool(getattr(orm, "device_shared")),  # noqa: B009
            bool(getattr(orm, "device_known")),  # noqa: B009
            getattr(orm, "bound_device") or "",  # noqa: B009
        ),
    )
    return written, expected


def person_of(user) -> Person:
    return Person.objects.get(user=user)


@on_postgresql
def test_the_written_read_gives_what_the_orm_reads_case_by_case(world):
    participant = person_of(world.participant)
    other = person_of(world.other_participant)
    written, expected = both_reads(world, participant, DEVICE)
    assert written == expected and written[-1] == (True, False, False, "")

    # With a record, a policy, a venue and a module; the phone seen elsewhere.
    check_in(world, at_minutes(world, 1))
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    SessionVenue.objects.create(session=world.session_a, latitude="-1.4", longitude="101.4")
    module = Module.objects.create(programme=world.programme, order=9, title="Surel")
    world.session_a.module = module
    world.session_a.topic = ""
    world.session_a.save()
    written, expected = both_reads(world, participant, OTHER_DEVICE)
    assert written == expected and written[6] is not None

    # Someone else on the participant's phone: shared; then enrolled, and bound to a link.
    written, expected = both_reads(world, other, DEVICE)
    assert written == expected and written[-1][:2] == (False, True)
    Enrolment.objects.filter(person=other).update(group=world.group_a)
    PersonalLink.objects.create(
        person=other, programme=world.programme, token_hash="x" * 64, device_id=OTHER_DEVICE
    )
    written, expected = both_reads(world, other, "")
    assert written == expected and written[-1] == (True, False, False, OTHER_DEVICE)

    # Withdrawn: not enrolled, as the ORM's active enrolments say.
    Enrolment.objects.filter(person=other).update(status=Enrolment.Status.WITHDRAWN)
    written, expected = both_reads(world, other, DEVICE)
    assert written == expected and written[-1][0] is False


@on_postgresql
def test_the_written_read_of_no_session_is_none(world):
    assert read(10**9, DEVICE, user_id=world.participant.pk) is None


@on_postgresql
def test_the_written_read_of_a_login_without_a_person(world):
    found = read(world.session_a.pk, DEVICE, user_id=world.admin.pk)
    assert found is not None and found.person is None and found.record is None
    assert not found.enrolled


@on_postgresql
def test_the_written_read_answers_the_policy_and_venue_without_a_query(
    world, django_assert_num_queries
):
    person = person_of(world.participant)
    with django_assert_num_queries(1):
        found = read(world.session_a.pk, "", user_id=person.user_id or 0)
        assert found is not None
        session = found[0]
        policy = session.group.programme.attendance_policy
        assert policy.pk is None and policy.opens_before_min == AttendancePolicy().opens_before_min
        assert session.attendance.pk is None and session.attendance.latitude is None
        assert session.title == world.session_a.title


def new_pair(world, person: Person, device: str) -> tuple[AttendanceRecord, AttendanceChange]:
    at = timezone.now().replace(microsecond=0)
    record = AttendanceRecord(
        session=world.session_a,
        person=person,
        status=Status.HADIR,
        method=Method.CODE,
        checked_in_at=at,
        device_id=device,
        recorded_by=world.participant,
        flag="new_phone",
    )
    trail = AttendanceChange(
        actor=world.participant, method=Method.CODE, from_status="", to_status=Status.HADIR
    )
    return record, trail


@on_postgresql
def test_the_written_insert_writes_what_two_saves_write(world):
    person = person_of(world.participant)
    record, trail = new_pair(world, person, DEVICE)
    assert statements.insert_first(record, trail) is True
    assert record.pk is not None and not record._state.adding and trail.record_id == record.pk
    stored = AttendanceRecord.objects.get(pk=record.pk)
    assert fields(stored) == fields(record)
    assert fields(AttendanceChange.objects.get(pk=trail.pk)) == fields(trail)

    # The same through the ORM, for another participant: the same columns, apart from ids.
    other = person_of(world.other_participant)
    orm_record, orm_trail = new_pair(world, other, OTHER_DEVICE)
    orm_record.save(force_insert=True)
    orm_trail.record = orm_record
    orm_trail.save(force_insert=True)
    ignore = {"id", "person_id", "device_id", "record_id", "at", "checked_in_at"}
    ignore |= {"created_at", "updated_at"}  # the moments of the two writes

    def same(obj: Model) -> dict[str, object]:
        return {k: v for k, v in (fields(obj) or {}).items() if k not in ignore}

    assert same(AttendanceRecord.objects.get(pk=orm_record.pk)) == same(stored)
    assert same(AttendanceChange.objects.get(pk=orm_trail.pk)) == same(trail)
    assert trail.at is not None and abs(trail.at - orm_trail.at) < datetime.timedelta(minutes=1)


@on_postgresql
def test_a_repeat_or_a_taken_phone_writes_nothing(world):
    person = person_of(world.participant)
    assert statements.insert_first(*new_pair(world, person, DEVICE)) is True
    record, trail = new_pair(world, person, OTHER_DEVICE)
    assert statements.insert_first(record, trail) is False and record.pk is None
    other = person_of(world.other_participant)
    assert statements.insert_first(*new_pair(world, other, DEVICE)) is False  # same phone
    assert AttendanceRecord.objects.count() == 1 and AttendanceChange.objects.count() == 1


@pytest.mark.parametrize("signal", [pre_save, post_save])
@pytest.mark.parametrize("model", [AttendanceRecord, AttendanceChange])
def test_a_listener_on_the_save_signals_hands_the_insert_to_the_orm(world, signal, model):
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(sender)

    signal.connect(listener, sender=model)
    try:
        assert (
            statements.insert_first(*new_pair(world, person_of(world.participant), DEVICE)) is None
        )
        assert _insert_first(*new_pair(world, person_of(world.participant), DEVICE)) is True
    finally:
        signal.disconnect(listener, sender=model)
    assert seen == [model]
    assert statements.inserts_here() is (connection.vendor == "postgresql")


def test_on_sqlite_the_orm_reads_and_writes():
    assert statements.reads_here() is (connection.vendor == "postgresql")


@on_postgresql
def test_the_written_read_sees_a_wrong_code_of_the_person_or_the_phone_this_minute(world):
    from cakap.attendance.checkin import CheckInError, wrong_codes_since
    from cakap.attendance.tests.test_checkin import check_in

    at = at_minutes(world, 1)

    def lately(user, device, moment):
        found = statements.read_check_in(
            world.session_a.pk, device, user_id=user.pk, wrong_since=wrong_codes_since(moment)
        )
        assert found is not None
        return found.wrong_codes_lately

    assert not lately(world.participant, DEVICE, at)
    with pytest.raises(CheckInError):
        check_in(world, at, code="000000", device=DEVICE)
    assert lately(world.participant, OTHER_DEVICE, at)  # the person
    assert lately(world.other_participant, DEVICE, at)  # the phone
    assert not lately(world.other_participant, OTHER_DEVICE, at)
    assert not lately(world.other_participant, "", at)
    assert not lately(world.participant, DEVICE, at + datetime.timedelta(seconds=61))
