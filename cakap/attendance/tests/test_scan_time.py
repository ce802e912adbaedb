"""The moment a scan is honoured at is bounded by what its code proves, on every path."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from cakap.attendance.codes import honoured_scan, make_code, slot_at
from cakap.attendance.models import AttendancePolicy, AttendanceRecord, CheckInAttempt, Status
from cakap.attendance.phones import new_device_id
from cakap.attendance.tests.roll_support import at_minutes, travel
from cakap.people.tokens import issue_token
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
API = "/api/v1/attendance/check-in"
POLICY = AttendancePolicy()  # 30 s codes, 30 s grace


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_at(session, moment):
    return make_code(session.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)


def seconds(moment, n):
    return moment + datetime.timedelta(seconds=n)


def post(world, moment, code, claimed):
    _token, key = issue_token(world.participant, "test", acting_user=None)
    client = Client(headers={"authorization": f"Bearer {key}"})
    body = {
        "session_id": world.session_a.pk,
        "code": code,
        "device_id": new_device_id(),
        "scanned_at": claimed.isoformat(),
    }
    with travel(moment):
        return client.post(API, body, content_type="application/json")


def record_of(world):
    return AttendanceRecord.objects.filter(
        session=world.session_a, person__user=world.participant
    ).first()


# --- The rule ------------------------------------------------------------------------------


def test_a_claim_before_the_code_s_slot_is_clamped_to_its_start(world):
    now = seconds(at_minutes(world, 12), 10)  # 10 s into a slot
    code = code_at(world.session_a, now)
    scan = honoured_scan(world.session_a.pk, code, POLICY, now=now, claimed_at=at_minutes(world, 2))
    assert scan.verdict == "ok" and scan.at == at_minutes(world, 12)


def test_a_claim_after_the_arrival_is_clamped_to_the_arrival(world):
    now = seconds(at_minutes(world, 3), 5)
    code = code_at(world.session_a, now)
    scan = honoured_scan(world.session_a.pk, code, POLICY, now=now, claimed_at=seconds(now, 40))
    assert scan.verdict == "ok" and scan.at == now


def test_a_claim_inside_what_the_code_proves_is_believed(world):
    now = seconds(at_minutes(world, 3), 20)
    code = code_at(world.session_a, now)
    claimed = seconds(at_minutes(world, 3), 2)
    assert honoured_scan(world.session_a.pk, code, POLICY, now=now, claimed_at=claimed).at == (
        claimed
    )


def test_a_code_expired_when_the_server_saw_it_is_expired_whatever_the_claim(world):
    scan_moment = at_minutes(world, 1)
    code = code_at(world.session_a, scan_moment)
    now = at_minutes(world, 5)
    scan = honoured_scan(world.session_a.pk, code, POLICY, now=now, claimed_at=scan_moment)
    assert scan.verdict == "expired"


def test_the_server_s_own_scan_time_is_believed_for_ten_minutes_only(world):
    seen = seconds(at_minutes(world, 9), 50)
    code = code_at(world.session_a, seen)
    kept = honoured_scan(
        world.session_a.pk, code, POLICY, now=seen + datetime.timedelta(minutes=9), seen_at=seen
    )
    assert kept.verdict == "ok" and kept.at == seen
    stale = honoured_scan(
        world.session_a.pk, code, POLICY, now=seen + datetime.timedelta(minutes=11), seen_at=seen
    )
    assert stale.verdict == "expired"
    future = honoured_scan(world.session_a.pk, code, POLICY, now=seen, seen_at=seconds(seen, 5))
    assert future.at == seen


# --- Through the API -----------------------------------------------------------------------


def test_api_lateness_comes_from_the_clamped_time(world):
    now = seconds(at_minutes(world, 12), 10)
    answer = post(world, now, code_at(world.session_a, now), at_minutes(world, 2))
    assert answer.status_code == 201, answer.content
    record = record_of(world)
    assert record.status == Status.TERLAMBAT and record.minutes_late == 12
    assert record.checked_in_at == at_minutes(world, 12)


def test_api_an_expired_code_with_an_old_claim_is_refused(world):
    scan_moment = at_minutes(world, 1)
    answer = post(world, at_minutes(world, 5), code_at(world.session_a, scan_moment), scan_moment)
    assert answer.status_code == 400 and answer.json()["code"] == "expired_code"
    assert record_of(world) is None


def test_api_a_window_already_closed_is_refused_whatever_the_claim(world):
    now = seconds(at_minutes(world, 61), 5)  # the window closes at 60 minutes
    answer = post(world, now, code_at(world.session_a, now), at_minutes(world, 50))
    assert answer.status_code == 400 and answer.json()["code"] == "closed"
    attempt = CheckInAttempt.objects.get()
    assert datetime.datetime.fromisoformat(attempt.detail["at"]) == at_minutes(world, 61)
    # A code read before the window closed, sent after, is no better.
    before = at_minutes(world, 59)
    late = post(world, at_minutes(world, 62), code_at(world.session_a, before), before)
    assert late.json()["code"] == "expired_code" and record_of(world) is None


# --- Through the pages -----------------------------------------------------------------------


def test_web_scan_kept_across_sign_in_is_still_on_time(world):
    client = Client()
    scan = seconds(at_minutes(world, 9), 55)
    url = f"/attendance/c/{world.session_a.pk}/{code_at(world.session_a, scan)}/"
    with travel(scan):
        assert client.get(url).status_code == 302
    with travel(scan + datetime.timedelta(minutes=4)):  # code expired, now late
        client.post("/login/", {"username": "participant@example.test", "password": PASSWORD})
        client.post(url, headers={"X-Cakap-Fetch": "1"})
    record = record_of(world)
    assert record.status == Status.HADIR and record.checked_in_at == scan
