"""Two check-ins of one person at the same moment give one record (PostgreSQL)."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections

from cakap.attendance.checkin import load_session, record_check_in
from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AttendanceChange, AttendanceRecord
from cakap.attendance.phones import new_device_id
from cakap.programmes.models import Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def loaded(pk: int) -> Session:
    session = load_session(pk)
    assert session is not None
    return session


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_simultaneous_check_ins_of_one_person_make_one_record(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    at = world.session_a.starts_at + datetime.timedelta(minutes=1)
    code = make_code(world.session_a.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
    barrier = threading.Barrier(6)
    results, errors = [], []

    def attempt(i):
        try:
            session = loaded(world.session_a.pk)
            barrier.wait()
            results.append(
                record_check_in(
                    session,
                    code,
                    acting_user=world.participant,
                    scanned_at=at,
                    device_id=new_device_id(),
                )
            )
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert AttendanceRecord.objects.filter(session=world.session_a).count() == 1
    assert sum(r.created for r in results) == 1
    assert len({r.record.pk for r in results}) == 1
    assert AttendanceChange.objects.count() == 1
