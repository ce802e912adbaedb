"""Closing on two servers at once, or while someone checks in, keeps one record per
participant and one trail entry per change (PostgreSQL)."""

import threading

import pytest
import time_machine
from django.db import connection, connections

from cakap.attendance.models import AttendanceChange, AttendanceRecord, Status
from cakap.attendance.services import close_session_attendance, set_status
from cakap.attendance.tests.roll_support import add_participants, at_minutes, person_of
from cakap.core.models import AuditEntry
from cakap.programmes.models import Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_closes_at_once_make_each_alpa_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    add_participants(world, 20)

    def close():
        close_session_attendance(Session.objects.get(pk=world.session_a.pk), acting_user=None)

    with time_machine.travel(at_minutes(world, 61), tick=False):
        assert run_together(close, close, close) == []
    records = AttendanceRecord.objects.filter(session=world.session_a)
    assert records.count() == 21 and {r.status for r in records} == {Status.ALPA}
    assert AttendanceChange.objects.filter(record__session=world.session_a).count() == 21
    closed = AuditEntry.objects.filter(action="attendance.closed", object_id=world.session_a.pk)
    assert closed.count() == 1


def test_a_mark_racing_a_close_leaves_one_record_and_a_full_trail(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    person = person_of(world.participant)

    def close():
        close_session_attendance(Session.objects.get(pk=world.session_a.pk), acting_user=None)

    def mark():
        set_status(
            Session.objects.get(pk=world.session_a.pk), person, "hadir", acting_user=world.coach
        )

    with time_machine.travel(at_minutes(world, 61), tick=False):
        assert run_together(close, mark) == []
    record = AttendanceRecord.objects.get(session=world.session_a, person=person)
    trail = list(record.changes.values_list("from_status", "to_status"))
    # Either the coach marked first (close leaves it), or close made alpa and the coach
    # corrected it: the outcome is hadir, and every step is in the trail.
    assert record.status == Status.HADIR
    assert trail in ([("", "hadir")], [("", "alpa"), ("alpa", "hadir")])
