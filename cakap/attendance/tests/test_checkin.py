"""record_check_in: the rules, every refusal reason, idempotency, the trail, the cost."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from cakap.attendance.checkin import (
    LOCATION_MESSAGES,
    SHARED_DEVICE_FLAG,
    CheckInError,
    check_in_by_coach,
    decide_pending,
    load_check_in,
    load_session,
    record_check_in,
    record_typed_check_in,
)
from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import (
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    Method,
    SessionVenue,
    Status,
)
from cakap.attendance.phones import new_device_id
from cakap.attendance.windows import Location
from cakap.programmes.models import Enrolment, Session

pytestmark = pytest.mark.django_db


def loaded(pk: int) -> Session:
    session = load_session(pk)
    assert session is not None
    return session


DEVICE = new_device_id()
OTHER_DEVICE = new_device_id()


def code_for(session, at, period=30):
    return make_code(session.pk, slot_at(at.timestamp(), period), settings.SECRET_KEY)


def at_minutes(world, minutes, seconds=0):
    return world.session_a.starts_at + datetime.timedelta(minutes=minutes, seconds=seconds)


def check_in(world, at, *, user=None, code=None, device=DEVICE, location=None, session=None):
    session = loaded((session or world.session_a).pk)
    with time_machine.travel(at, tick=False):
        return record_check_in(
            session,
            code if code is not None else code_for(session, at),
            acting_user=user or world.participant,
            scanned_at=at,
            device_id=device,
            location=location,
        )


def refused(world, at, reason, **kwargs):
    with pytest.raises(CheckInError) as info:
        check_in(world, at, **kwargs)
    assert info.value.code == reason
    assert str(info.value.message)
    attempt = CheckInAttempt.objects.order_by("-id").first()
    assert attempt is not None and attempt.reason == reason
    assert not AttendanceRecord.objects.filter(person__user=world.participant).exists()
    return info.value


def test_on_time_check_in_is_hadir_with_the_scan_time(world):
    at = at_minutes(world, 3)
    result = check_in(world, at)
    record = AttendanceRecord.objects.get(session=world.session_a, person__user=world.participant)
    assert result.created and record.status == Status.HADIR and record.minutes_late == 0
    assert record.checked_in_at == at and record.method == Method.CODE
    assert record.device_id == DEVICE and record.recorded_by == world.participant
    assert result.headline.endswith("09.03 WIB")
    change = AttendanceChange.objects.get(record=record)
    assert (change.from_status, change.to_status, change.actor) == (
        "",
        Status.HADIR,
        world.participant,
    )


def test_after_the_threshold_it_is_terlambat_with_minutes_late(world):
    result = check_in(world, at_minutes(world, 12, 40))
    assert result.status == Status.TERLAMBAT and result.minutes_late == 12
    assert "12" in result.headline


def test_a_second_check_in_answers_with_the_first_and_changes_nothing(world):
    first = check_in(world, at_minutes(world, 2))
    again = check_in(world, at_minutes(world, 25), code="WRONG2")  # even with a bad code
    assert not again.created and again.record.pk == first.record.pk
    record = AttendanceRecord.objects.get(pk=first.record.pk)
    assert record.status == Status.HADIR and record.checked_in_at == at_minutes(world, 2)
    assert AttendanceChange.objects.filter(record=record).count() == 1


def test_not_open_yet_is_refused(world):
    error = refused(world, at_minutes(world, -31), "not_open")
    assert "08.30" in str(error.message)


def test_closed_window_is_refused(world):
    refused(world, at_minutes(world, 60), "closed")


def test_window_closed_by_the_organiser_is_refused(world):
    SessionVenue.objects.create(session=world.session_a, closed_at=at_minutes(world, 5))
    refused(world, at_minutes(world, 6), "closed")


def test_expired_code_is_refused(world):
    scan = at_minutes(world, 1)
    old = code_for(world.session_a, scan - datetime.timedelta(seconds=90))
    refused(world, scan, "expired_code", code=old)


def test_previous_code_is_honoured_within_the_grace(world):
    scan = at_minutes(world, 1, 10)  # 10 s into a slot
    previous = code_for(world.session_a, scan - datetime.timedelta(seconds=30))
    assert check_in(world, scan, code=previous).created


def test_guessed_code_is_refused(world):
    refused(world, at_minutes(world, 1), "bad_code", code="ABCDEF")


def test_code_of_another_session_is_refused(world):
    at = at_minutes(world, 1)
    refused(world, at, "bad_code", code=code_for(world.session_b, at))


def test_participant_of_another_group_is_not_enrolled(world):
    with pytest.raises(CheckInError) as info:
        check_in(world, at_minutes(world, 1), user=world.other_participant)
    assert info.value.code == "not_enrolled"
    attempt = CheckInAttempt.objects.get()
    assert attempt.person is not None and attempt.person.user == world.other_participant


def test_withdrawn_participant_is_not_enrolled(world):
    Enrolment.objects.filter(person__user=world.participant).update(status="withdrawn")
    refused(world, at_minutes(world, 1), "not_enrolled")


def test_cancelled_session_is_refused(world):
    Session.objects.filter(pk=world.session_a.pk).update(status="cancelled")
    refused(world, at_minutes(world, 1), "session_cancelled")


def _location_policy(world, mode, *, radius=150):
    AttendancePolicy.objects.create(programme=world.programme, location_mode=mode)
    SessionVenue.objects.create(
        session=world.session_a,
        latitude=Decimal("-1.430000"),
        longitude=Decimal("101.480000"),
        radius_m=radius,
    )


def test_required_location_refuses_a_phone_that_shares_none(world):
    _location_policy(world, "required")
    error = refused(
        world, at_minutes(world, 1), "location_required", location=Location(error="denied")
    )
    assert error.message == LOCATION_MESSAGES["denied"]
    assert CheckInAttempt.objects.get().detail["location_error"] == "denied"


def test_required_location_refuses_outside_the_area(world):
    _location_policy(world, "required")
    far = Location(-1.44, 101.48, 10)  # about 1.1 km south
    error = refused(world, at_minutes(world, 1), "outside_area", location=far)
    assert "150" in str(error.message)


def test_required_location_accepts_inside_the_area_and_stores_it(world):
    _location_policy(world, "required")
    result = check_in(world, at_minutes(world, 1), location=Location(-1.4305, 101.4801, 12))
    record = AttendanceRecord.objects.get(pk=result.record.pk)
    assert record.latitude == Decimal("-1.430500") and record.accuracy_m == 12
    assert "outside_area" not in record.flags and "coarse_fix" not in record.flags


def test_record_only_location_flags_but_does_not_refuse(world):
    _location_policy(world, "record")
    result = check_in(world, at_minutes(world, 1), location=Location(-1.44, 101.48, 10))
    assert "outside_area" in result.record.flags and result.status == Status.HADIR


def test_location_off_ignores_the_position(world):
    result = check_in(world, at_minutes(world, 1), location=Location(10, 10, 5))
    assert result.record.latitude is None


def _second_participant(world):
    from cakap.people.models import Person

    person = Person.objects.get(user=world.other_participant)
    Enrolment.objects.filter(person=person).update(group=world.group_a)
    return world.other_participant


def test_one_phone_cannot_check_in_two_people(world):
    check_in(world, at_minutes(world, 1))
    second = _second_participant(world)
    with pytest.raises(CheckInError) as info:
        check_in(world, at_minutes(world, 2), user=second)
    assert info.value.code == "device_used"
    assert CheckInAttempt.objects.get().reason == "device_used"
    assert AttendanceRecord.objects.filter(session=world.session_a).count() == 1


def test_shared_phone_is_held_for_the_coach_when_the_policy_says_so(world):
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    check_in(world, at_minutes(world, 1))
    second = _second_participant(world)
    held = check_in(world, at_minutes(world, 2), user=second)
    assert held.pending and SHARED_DEVICE_FLAG in held.record.flags
    approved = decide_pending(held.record, approve=True, acting_user=world.coach)
    assert not approved.pending and approved.status == Status.HADIR
    assert AttendanceChange.objects.filter(record=approved).count() == 2


def test_refusing_a_held_check_in_makes_it_alpa_with_a_reason(world):
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    check_in(world, at_minutes(world, 1))
    held = check_in(world, at_minutes(world, 2), user=_second_participant(world))
    # Decided after the scan whatever the hour of the run: the trail is in time order.
    with time_machine.travel(at_minutes(world, 20), tick=False):
        record = decide_pending(held.record, approve=False, acting_user=world.coach)
    assert record.status == Status.ALPA and not record.pending and record.reason
    last = AttendanceChange.objects.filter(record=record).last()
    assert last is not None
    assert last.from_status == Status.HADIR and last.actor == world.coach


def test_only_those_who_run_the_session_decide(world):
    AttendancePolicy.objects.create(programme=world.programme, shared_device="hold")
    check_in(world, at_minutes(world, 1))
    held = check_in(world, at_minutes(world, 2), user=_second_participant(world))
    with pytest.raises(CheckInError):
        decide_pending(held.record, approve=True, acting_user=world.participant)


def test_the_scan_time_is_honoured_when_the_request_arrives_later(world):
    scan = at_minutes(world, 9, 50)
    session = loaded(world.session_a.pk)
    code = code_for(session, scan)
    with time_machine.travel(scan + datetime.timedelta(minutes=4), tick=False):
        result = record_check_in(
            session, code, acting_user=world.participant, scanned_at=scan, device_id=DEVICE
        )
    assert result.status == Status.HADIR and result.record.checked_in_at == scan


def test_a_scan_time_too_old_is_not_believed(world):
    scan = at_minutes(world, 1)
    session = loaded(world.session_a.pk)
    later = scan + datetime.timedelta(minutes=30)
    with time_machine.travel(later, tick=False), pytest.raises(CheckInError) as info:
        record_check_in(
            session,
            code_for(session, scan),
            acting_user=world.participant,
            scanned_at=scan,
            device_id=DEVICE,
        )
    assert info.value.code == "expired_code"


def test_a_typed_code_finds_its_session(world):
    at = at_minutes(world, 4)
    with time_machine.travel(at, tick=False):
        result = record_typed_check_in(
            code_for(world.session_a, at),
            acting_user=world.participant,
            typed_at=at,
            device_id=DEVICE,
        )
    assert result.record.session_id == world.session_a.pk


def test_a_typed_code_of_no_session_of_mine_is_refused(world):
    at = at_minutes(world, 4)
    with time_machine.travel(at, tick=False), pytest.raises(CheckInError) as info:
        record_typed_check_in(
            code_for(world.session_b, at),
            acting_user=world.participant,
            typed_at=at,
            device_id=DEVICE,
        )
    assert info.value.code == "bad_code"


def test_missing_policy_means_defaults_and_saves_nothing(world):
    check_in(world, at_minutes(world, 1))
    assert not AttendancePolicy.objects.exists()


def test_a_check_in_costs_few_queries(world, django_assert_num_queries):
    at = at_minutes(world, 1)
    session = loaded(world.session_a.pk)
    code = code_for(session, at)
    # One read (enrolment, own record, this phone's other records), then the record and
    # its trail. On PostgreSQL one written statement inserts both (statements.py); on
    # SQLite two ORM inserts in a savepoint (the test's transaction; outside one, a
    # transaction of its own).
    first = 2 if connection.vendor == "postgresql" else 5
    with time_machine.travel(at, tick=False), django_assert_num_queries(first):
        record_check_in(
            session, code, acting_user=world.participant, scanned_at=at, device_id=DEVICE
        )
    with time_machine.travel(at, tick=False), django_assert_num_queries(1):
        again = record_check_in(
            session, code, acting_user=world.participant, scanned_at=at, device_id=DEVICE
        )
    assert not again.created


def test_coach_checks_in_by_search_with_lateness(world):
    from cakap.people.models import Person

    person = Person.objects.get(user=world.participant)
    session = loaded(world.session_a.pk)
    result = check_in_by_coach(
        session,
        person,
        method=Method.COACH_SEARCH,
        acting_user=world.coach,
        at=at_minutes(world, 15),
    )
    assert result.status == Status.TERLAMBAT and result.record.method == Method.COACH_SEARCH
    assert result.record.recorded_by == world.coach
    again = check_in_by_coach(session, person, method=Method.COACH_SCAN, acting_user=world.coach)
    assert not again.created


def test_coach_cannot_check_in_someone_of_another_group(world):
    from cakap.people.models import Person

    person = Person.objects.get(user=world.other_participant)
    with pytest.raises(CheckInError) as info:
        check_in_by_coach(
            loaded(world.session_a.pk), person, method=Method.COACH_SCAN, acting_user=world.coach
        )
    assert info.value.code == "not_enrolled"


def test_participant_cannot_use_the_coach_check_in(world):
    from cakap.people.models import Person

    person = Person.objects.get(user=world.participant)
    with pytest.raises(CheckInError) as info:
        check_in_by_coach(
            loaded(world.session_a.pk),
            person,
            method=Method.COACH_SCAN,
            acting_user=world.participant,
        )
    assert info.value.code == "forbidden"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' Argon2 hashing dominates these tests' time; the hasher is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("error", ["denied", "timeout", "unavailable", "unsupported"])
def test_a_phone_that_gives_no_position_is_told_why(world, error):
    _location_policy(world, "required")
    refused_error = refused(
        world, at_minutes(world, 1), "location_required", location=Location(error=error)
    )
    assert refused_error.message == LOCATION_MESSAGES[error]
    assert len(set(LOCATION_MESSAGES.values())) == len(LOCATION_MESSAGES)


def loaded_for(world, user, device):
    found = load_check_in(world.session_a.pk, user, device)
    assert found is not None
    return found


def test_load_check_in_reads_the_session_and_the_participant_in_one_query(
    world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        session, participant = loaded_for(world, world.participant, DEVICE)
        assert session.group.programme == world.programme and session.title == "Email"
    assert participant.person is not None and participant.person.user_id == world.participant.pk
    assert participant.record is None and not participant.device_shared


def test_load_check_in_sees_the_own_record_and_a_phone_used_by_someone_else(world):
    at = at_minutes(world, 1)
    check_in(world, at)
    _session, own = loaded_for(world, world.participant, OTHER_DEVICE)
    assert own.record is not None and own.record.status == Status.HADIR
    assert not own.device_shared  # the phone checked in only this person
    Enrolment.objects.filter(person__user=world.other_participant).update(group=world.group_a)
    _session, other = loaded_for(world, world.other_participant, DEVICE)
    assert other.record is None and other.device_shared
    _session, no_phone = loaded_for(world, world.other_participant, "")
    assert not no_phone.device_shared


def test_load_check_in_of_someone_not_enrolled(world):
    loaded_ = load_check_in(world.session_a.pk, world.other_participant, DEVICE)
    assert loaded_ is not None and loaded_[1].person is None
    assert load_check_in(10**9, world.participant, DEVICE) is None


def test_a_claimed_accuracy_widens_the_radius_by_fifty_metres_at_most(world):
    _location_policy(world, "required")  # radius 150 m
    unsure = Location(-1.43207, 101.48, 100)  # about 230 m away, "100 m unsure"
    refused(world, at_minutes(world, 1), "outside_area", location=unsure)
    near = Location(-1.43175, 101.48, 100)  # about 195 m away: within 150 + 50
    assert check_in(world, at_minutes(world, 2), location=near).status == Status.HADIR


@pytest.mark.parametrize(("accuracy", "coarse"), [(30, False), (100, False), (101, True)])
def test_a_rough_position_is_flagged_for_the_coach(world, accuracy, coarse):
    _location_policy(world, "record")
    result = check_in(world, at_minutes(world, 1), location=Location(-1.43, 101.48, accuracy))
    assert ("coarse_fix" in result.record.flags) is coarse


def test_a_position_without_a_stated_accuracy_is_flagged_rough(world):
    _location_policy(world, "record")
    result = check_in(world, at_minutes(world, 1), location=Location(-1.43, 101.48, None))
    assert "coarse_fix" in result.record.flags
