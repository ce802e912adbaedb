"""Four pairs posting at once, each pair on one phone: one person per phone (PostgreSQL)."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections

from cakap.attendance.checkin import CheckInError, load_check_in, record_check_in
from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AttendancePolicy, AttendanceRecord, CheckInAttempt, Flag
from cakap.attendance.phones import new_device_id
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PAIRS = 4


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _pairs(world):
    users = []
    for i in range(2 * PAIRS):
        user = User.objects.create_user(email=f"pair{i}@example.test", password="x")
        person = Person.objects.create(
            nip=f"19800101200501{i:04d}", name=f"Pair {i}", unit=world.dinkes, user=user
        )
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)
        users.append(user)
    phones = [new_device_id() for _ in range(PAIRS)]
    return [(user, phones[i // 2]) for i, user in enumerate(users)]


def _all_at_once(world, people):
    at = world.session_a.starts_at + datetime.timedelta(minutes=1)
    code = make_code(world.session_a.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
    barrier = threading.Barrier(len(people))
    results, refusals, errors = [], [], []

    def attempt(user, phone):
        try:
            # Each reads the phone as free before any of them writes.
            loaded = load_check_in(world.session_a.pk, user, phone)
            assert loaded is not None
            session, participant = loaded
            barrier.wait()
            results.append(
                record_check_in(
                    session, code, acting_user=user, device_id=phone, participant=participant
                )
            )
        except CheckInError as refusal:
            refusals.append(refusal.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=attempt, args=pair) for pair in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    return results, refusals


def test_one_phone_checks_in_one_person_when_pairs_post_at_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    people = _pairs(world)
    results, refusals = _all_at_once(world, people)
    assert len(results) == PAIRS and refusals == ["device_used"] * PAIRS
    records = AttendanceRecord.objects.filter(session=world.session_a)
    assert sorted(r.device_id for r in records) == sorted({phone for _u, phone in people})
    assert CheckInAttempt.objects.filter(reason="device_used").count() == PAIRS


def test_with_the_hold_policy_the_second_of_each_pair_waits_for_the_coach(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    people = _pairs(world)
    results, refusals = _all_at_once(world, people)
    assert refusals == [] and len(results) == 2 * PAIRS
    for _user, phone in people[::2]:
        on_phone = AttendanceRecord.objects.filter(session=world.session_a, device_id=phone)
        assert sorted(r.pending for r in on_phone) == [False, True]
        assert all(Flag.SHARED_DEVICE in r.flags for r in on_phone if r.pending)
