"""core.rows: written SQL that reads and writes exactly what the ORM would."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import signals
from django.forms.models import model_to_dict
from django.utils import timezone

from cakap.attendance.models import (
    AttendanceChange,
    AttendanceRecord,
    CheckInAttempt,
    Method,
    Status,
)
from cakap.core import rows
from cakap.people.models import Person

pytestmark = pytest.mark.django_db


def _select(model, alias, pk):
    sql = (
        f"SELECT {rows.columns(model, alias)} FROM {rows.table(model)} {alias} "  # noqa: S608 - names from the models
        f"WHERE {alias}.id = %s"
    )
    return rows.fetch(sql, [pk])[0]


def _record(world, **extra):
    person = Person.objects.get(user=world.participant)
    return AttendanceRecord.objects.create(
        session=world.session_a,
        person=person,
        status=Status.TERLAMBAT,
        method=Method.CODE,
        checked_in_at=datetime.datetime(2026, 11, 28, 2, 3, 4, 567000, tzinfo=datetime.UTC),
        minutes_late=12,
        latitude=Decimal("-1.234567"),
        longitude=Decimal("101.123456"),
        pending=True,
        recorded_by=world.participant,
        **extra,
    )


def test_instance_converts_every_type_as_the_orm_does(world):
    record = _record(world, device_id="phone-1")
    read = rows.instance(AttendanceRecord, _select(AttendanceRecord, "r", record.pk), "r")
    orm = AttendanceRecord.objects.get(pk=record.pk)
    assert read is not None and model_to_dict(read) == model_to_dict(orm)
    assert read.checked_in_at is not None and read.checked_in_at == orm.checked_in_at
    assert read.checked_in_at.tzinfo is not None
    assert read.latitude == Decimal("-1.234567") and isinstance(read.latitude, Decimal)
    assert read.pending is True
    assert read.created_at == orm.created_at and read.updated_at == orm.updated_at
    assert not read._state.adding and read._state.db == "default"


def test_instance_reads_json(world):
    attempt = CheckInAttempt.objects.create(reason="bad_code", detail={"code": "ABC", "n": [1]})
    read = rows.instance(CheckInAttempt, _select(CheckInAttempt, "a", attempt.pk), "a")
    assert read is not None and read.detail == {"code": "ABC", "n": [1]}


def test_instance_is_the_instance_the_orm_builds(world):
    record = _record(world, device_id="phone-1")
    read = rows.instance(AttendanceRecord, _select(AttendanceRecord, "r", record.pk), "r")
    orm = AttendanceRecord.objects.get(pk=record.pk)
    assert read is not None and type(read) is AttendanceRecord
    assert {k: v for k, v in vars(read).items() if k != "_state"} == {
        k: v for k, v in vars(orm).items() if k != "_state"
    }
    # It behaves as a loaded row: relations load, a save updates the row in place.
    assert read.person == orm.person and read.session_id == world.session_a.pk
    read.minutes_late = 20
    read.save(update_fields=["minutes_late"])
    assert AttendanceRecord.objects.get(pk=record.pk).minutes_late == 20
    assert AttendanceRecord.objects.count() == 1


def test_instance_of_a_model_that_listens_to_its_creation_sends_the_signals(world):
    record = _record(world)
    seen = []

    def heard(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(heard, sender=AttendanceRecord)
    try:
        read = rows.instance(AttendanceRecord, _select(AttendanceRecord, "r", record.pk), "r")
    finally:
        signals.post_init.disconnect(heard, sender=AttendanceRecord)
    assert seen == [read] and read is not None and not read._state.adding


def test_instance_of_an_outer_join_that_found_nothing_is_none():
    assert rows.instance(AttendanceRecord, [None] * rows.width(AttendanceRecord), "r") is None


def test_insert_sets_the_key_and_the_automatic_times(world):
    person = Person.objects.get(user=world.participant)
    before = timezone.now()
    record = AttendanceRecord(
        session=world.session_a, person=person, status=Status.HADIR, method=Method.CODE
    )
    assert rows.insert(record, conflict=("session", "person"))
    stored = AttendanceRecord.objects.get(pk=record.pk)
    assert stored.status == Status.HADIR and stored.created_at >= before
    assert record.created_at == stored.created_at and not record._state.adding


def test_insert_leaves_an_existing_row_alone_on_conflict(world):
    existing = _record(world)
    again = AttendanceRecord(
        session=world.session_a, person=existing.person, status=Status.ALPA, method=Method.MANUAL
    )
    assert not rows.insert(again, conflict=("session", "person"))
    assert again.pk is None
    assert AttendanceRecord.objects.get().status == Status.TERLAMBAT


def test_insert_without_conflict_target_raises_on_a_duplicate(world):
    from django.db import IntegrityError, transaction

    existing = _record(world)
    again = AttendanceRecord(
        session=world.session_a, person=existing.person, status=Status.ALPA, method=Method.MANUAL
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(again)


def test_insert_with_child_writes_both(world):
    person = Person.objects.get(user=world.participant)
    record = AttendanceRecord(
        session=world.session_a,
        person=person,
        status=Status.HADIR,
        method=Method.CODE,
        recorded_by=world.participant,
        latitude=Decimal("-1.5"),
    )
    change = AttendanceChange(actor=world.participant, method=Method.CODE, to_status="hadir")
    assert rows.insert_with_child(record, change, "record", conflict=("session", "person"))
    stored = AttendanceChange.objects.select_related("record").get()
    assert stored.pk == change.pk and stored.record_id == record.pk == change.record_id
    assert stored.actor == world.participant and stored.at is not None
    assert stored.from_status == "" and stored.record.latitude == Decimal("-1.5")


def test_insert_with_child_writes_neither_on_conflict(world):
    existing = _record(world)
    record = AttendanceRecord(
        session=world.session_a, person=existing.person, status=Status.HADIR, method=Method.CODE
    )
    change = AttendanceChange(actor=None, method=Method.CODE, to_status="hadir")
    assert not rows.insert_with_child(record, change, "record", conflict=("session", "person"))
    assert record.pk is None and change.pk is None
    assert not AttendanceChange.objects.exists()
    assert AttendanceRecord.objects.count() == 1


def test_insert_with_child_is_one_statement_on_postgresql(world, django_assert_num_queries):
    person = Person.objects.get(user=world.participant)
    record = AttendanceRecord(
        session=world.session_a, person=person, status=Status.HADIR, method=Method.CODE
    )
    change = AttendanceChange(method=Method.CODE, to_status="hadir")
    # Elsewhere: savepoint, two inserts, release (under the test's transaction).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        rows.insert_with_child(record, change, "record")


def test_instance_refuses_a_row_of_the_wrong_width():
    with pytest.raises(ValueError, match="AttendanceRecord"):
        rows.instance(AttendanceRecord, [1, 2, 3], "r")
