"""One phone, one person: server-issued phone ids, and the coach sees a phone that is new
or not the one the person's personal link bound."""

import pytest
from django.conf import settings
from django.test import Client

from cakap.attendance.checkin import CheckInError, load_session, record_check_in
from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.links import issue_personal_link, link_token, use_personal_link
from cakap.attendance.models import AttendanceRecord, CheckInAttempt, Flag
from cakap.attendance.phones import DEVICE_COOKIE, new_device_id
from cakap.attendance.tests.roll_support import add_sessions, at_minutes, person_of, travel
from cakap.people.tokens import issue_token
from cakap.programmes.models import Enrolment
from conftest import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/attendance"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_at(session, moment):
    return make_code(session.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)


def scan_url(session, moment):
    return f"/attendance/c/{session.pk}/{code_at(session, moment)}/"


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def check_in(user, session, moment, device):
    loaded = load_session(session.pk)
    assert loaded is not None
    with travel(moment):
        return record_check_in(
            loaded, code_at(session, moment), acting_user=user, scanned_at=moment, device_id=device
        )


def record_of(user, session):
    return AttendanceRecord.objects.get(session=session, person__user=user)


def second_in_group_a(world):
    Enrolment.objects.filter(person__user=world.other_participant).update(group=world.group_a)
    return world.other_participant


def test_a_cleared_cookie_lets_nobody_in_unseen(world):
    """The defect: deleting the cookie let a second person check in from the same phone
    with nothing to show for it. Now their check-in is flagged to the coach."""
    moment = at_minutes(world, 2)
    url = scan_url(world.session_a, moment)
    phone = client_for(world.participant)
    with travel(moment):
        phone.get(url)
        phone.post(url)
    phone.cookies.pop(DEVICE_COOKIE)
    phone.force_login(second_in_group_a(world))
    with travel(moment):
        phone.get(url)
        answer = phone.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-outcome="hadir"' in answer.content.decode()
    assert Flag.NEW_PHONE in record_of(world.other_participant, world.session_a).flags
    roll = client_for(world.coach).get(f"/attendance/sessions/{world.session_a.pk}/checkin/roll/")
    assert str(Flag.NEW_PHONE.label) in roll.content.decode()


def test_a_phone_that_checked_in_before_is_not_new(world):
    phone = new_device_id()
    earlier = add_sessions(world, [-2])[0]
    check_in(world.participant, earlier, earlier.starts_at, phone)
    assert Flag.NEW_PHONE in record_of(world.participant, earlier).flags
    check_in(world.participant, world.session_a, at_minutes(world, 1), phone)
    assert record_of(world.participant, world.session_a).flags == []


def test_the_phone_a_personal_link_bound_is_known_and_another_is_flagged(world):
    bound, other = new_device_id(), new_device_id()
    link = issue_personal_link(
        person_of(world.participant), world.programme, acting_user=world.organiser
    )
    use_personal_link(link_token(link), bound)
    check_in(world.participant, world.session_a, at_minutes(world, 1), bound)
    assert record_of(world.participant, world.session_a).flags == []
    later = add_sessions(world, [2])[0]
    check_in(world.participant, later, later.starts_at, other)
    assert record_of(world.participant, later).flags == [Flag.OTHER_PHONE]
    page = client_for(world.coach).get(f"/attendance/sessions/{later.pk}/roll/")
    assert str(Flag.OTHER_PHONE.label) in page.content.decode()


def test_a_made_up_phone_id_is_refused_and_nothing_is_stored(world):
    moment = at_minutes(world, 3)
    body = {"session_id": world.session_a.pk, "code": code_at(world.session_a, moment)}
    client = bearer(world.participant)
    with travel(moment):
        answer = client.post(
            f"{API}/check-in", {**body, "device_id": "p" * 43}, content_type="application/json"
        )
    assert answer.status_code == 400 and answer.json()["code"] == "bad_device"
    assert "/api/v1/attendance/devices" in answer.json()["message"]
    assert not AttendanceRecord.objects.exists() and not CheckInAttempt.objects.exists()
    with travel(moment):
        issued = client.post(f"{API}/devices", content_type="application/json")
        assert issued.status_code == 201
        done = client.post(
            f"{API}/check-in",
            {**body, "device_id": issued.json()["device_id"]},
            content_type="application/json",
        )
    assert done.status_code == 201, done.content


def test_issuing_a_phone_id_needs_a_sign_in_and_is_in_the_schema(world):
    assert Client().post(f"{API}/devices").status_code == 401
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/attendance/devices"]


def test_a_phone_taken_in_a_race_is_refused_or_held_by_the_policy(world):
    """The constraint, not the earlier read, decides: a read that saw the phone free
    still loses to the record written meanwhile."""
    from cakap.attendance.checkin import load_check_in
    from cakap.attendance.models import AttendancePolicy

    phone = new_device_id()
    second = second_in_group_a(world)
    moment = at_minutes(world, 1)
    found = load_check_in(world.session_a.pk, second, phone)  # before the first writes
    assert found is not None and not found[1].device_shared
    check_in(world.participant, world.session_a, moment, phone)
    session, participant = found
    with travel(moment), pytest.raises(CheckInError) as info:
        record_check_in(
            session,
            code_at(world.session_a, moment),
            acting_user=second,
            device_id=phone,
            participant=participant,
        )
    assert info.value.code == "device_used"
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    reloaded = load_session(world.session_a.pk)
    assert reloaded is not None
    with travel(moment):
        held = record_check_in(
            reloaded,
            code_at(world.session_a, moment),
            acting_user=second,
            device_id=phone,
            participant=participant,
        )
    assert held.pending and Flag.SHARED_DEVICE in held.record.flags
    assert AttendanceRecord.objects.filter(session=world.session_a).count() == 2
