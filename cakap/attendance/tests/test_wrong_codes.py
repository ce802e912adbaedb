"""Wrong codes are limited per account and per phone per minute, and repeated refusals
are one row with a count."""

import datetime

import pytest
from django.conf import settings

from cakap.attendance.checkin import (
    CheckInError,
    load_session,
    record_check_in,
    record_typed_check_in,
)
from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AttendanceRecord, CheckInAttempt
from cakap.attendance.phones import new_device_id
from cakap.attendance.tests.roll_support import at_minutes, travel
from cakap.programmes.models import Enrolment
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(world, moment, code, device, user=None):
    session = load_session(world.session_a.pk)
    assert session is not None
    with travel(moment):
        return record_check_in(
            session, code, acting_user=user or world.participant, device_id=device
        )


def refusal(world, moment, code, device, user=None):
    with pytest.raises(CheckInError) as info:
        attempt(world, moment, code, device, user)
    return info.value


def right_code(world, moment):
    return make_code(world.session_a.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)


def test_after_five_wrong_codes_a_minute_even_the_right_one_waits(world):
    moment = at_minutes(world, 1) + datetime.timedelta(seconds=15)
    phone = new_device_id()
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        assert refusal(world, moment, guess, phone).code == "bad_code"
    blocked = refusal(world, moment, right_code(world, moment), phone)
    assert blocked.code == "too_many_codes" and "45" in str(blocked.message)
    # Another phone does not help: the account is limited.
    assert refusal(world, moment, "FFFFFF", new_device_id()).code == "too_many_codes"
    later = moment + datetime.timedelta(seconds=50)  # the next minute
    assert attempt(world, later, right_code(world, later), phone).created


def test_a_phone_is_limited_whoever_signs_in_on_it(world, settings):
    settings.CHECKIN_WRONG_CODES_PER_PHONE = 2
    Enrolment.objects.filter(person__user=world.other_participant).update(group=world.group_a)
    moment = at_minutes(world, 1)
    phone = new_device_id()
    refusal(world, moment, "AAAAAA", phone)
    refusal(world, moment, "BBBBBB", phone, user=world.other_participant)
    error = refusal(world, moment, "CCCCCC", phone)
    assert error.code == "too_many_codes"


def test_typed_codes_are_limited_too_with_a_translated_message(world):
    moment = at_minutes(world, 1)
    client = client_for(world.participant)
    with travel(moment):
        for _i in range(5):
            client.post("/attendance/checkin/", {"code": "ABCDEF"})
        answer = client.post("/attendance/checkin/", {"code": right_code(world, moment)})
    body = answer.content.decode()
    assert 'data-reason="too_many_codes"' in body and "60" in body
    assert "Terlalu banyak" in body
    assert not AttendanceRecord.objects.exists()


def test_repeated_refusals_are_one_row_with_a_count_shown_to_the_coach(world):
    phone = new_device_id()
    moment = at_minutes(world, 1)
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        refusal(world, moment, guess, phone)
    row = CheckInAttempt.objects.get()
    assert row.count == 3 and row.detail["code"] == "CCCCCC" and row.reason == "bad_code"
    with travel(moment), pytest.raises(CheckInError):
        record_typed_check_in(
            "ZZZZZZ", acting_user=world.participant, typed_at=moment, device_id=phone
        )
    assert CheckInAttempt.objects.count() == 2  # the typed one names no session
    roll = client_for(world.coach).get(f"/attendance/sessions/{world.session_a.pk}/checkin/roll/")
    assert "× 3" in roll.content.decode()
    listed = client_for(world.organiser).get(
        f"/attendance/programmes/{world.programme.pk}/refusals/"
    )
    assert ">3</td>" in listed.content.decode()
