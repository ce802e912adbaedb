"""Closing a session's attendance: unmarked become alpa, the session held, idempotent."""

import io

import pytest
from django.core.management import call_command

from cakap.attendance import services
from cakap.attendance.models import (
    AttendanceChange,
    AttendancePolicy,
    AttendanceRecord,
    Method,
    SessionVenue,
    Status,
)
from cakap.attendance.tests.roll_support import add_participants, at_minutes, person_of, travel
from cakap.core.models import AuditEntry
from cakap.core.tests.dbstate import database_state
from cakap.programmes.models import Enrolment, Session
from conftest import client_for, in_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_command() -> str:
    out = io.StringIO()
    call_command("close_attendance", stdout=out)
    return out.getvalue()


def statuses(session):
    return dict(
        AttendanceRecord.objects.filter(session=session).values_list("person__name", "status")
    )


def test_only_unmarked_participants_become_alpa_and_the_session_is_held(world):
    others = add_participants(world, 3)
    participant = person_of(world.participant)
    with travel(at_minutes(world, 5)):
        services.set_status(world.session_a, participant, Status.HADIR, acting_user=world.coach)
        services.set_status(
            world.session_a, others[0], Status.SAKIT, reason="Demam", acting_user=world.coach
        )
    with travel(at_minutes(world, 61)):
        assert "2 session(s) closed" in run_command()
    assert statuses(world.session_a) == {
        "Participant": Status.HADIR,
        "Peserta 000": Status.SAKIT,
        "Peserta 001": Status.ALPA,
        "Peserta 002": Status.ALPA,
    }
    alpa = AttendanceRecord.objects.filter(session=world.session_a, status=Status.ALPA)
    assert {r.method for r in alpa} == {Method.AUTO_CLOSE}
    trail = AttendanceChange.objects.filter(record__in=alpa)
    assert [(c.from_status, c.to_status, c.actor) for c in trail] == [("", "alpa", None)] * 2
    world.session_a.refresh_from_db()
    assert world.session_a.status == Session.Status.HELD
    assert SessionVenue.objects.get(session=world.session_a).closed_at is not None
    closed = AuditEntry.objects.filter(action="attendance.closed", object_id=world.session_a.pk)
    assert closed.count() == 1
    # Session B of the other group closed too (its participant unmarked).
    assert statuses(world.session_b) == {"Other": Status.ALPA}


def test_closing_twice_changes_nothing(world):
    add_participants(world, 2)
    with travel(at_minutes(world, 61)):
        run_command()
        records = AttendanceRecord.objects.count()
        changes = AttendanceChange.objects.count()
        audits = AuditEntry.objects.count()
        assert "0 session(s) closed" in run_command()
        assert services.close_session_attendance(world.session_a, acting_user=None) == 0
    assert AttendanceRecord.objects.count() == records == 4
    assert AttendanceChange.objects.count() == changes
    assert AuditEntry.objects.count() == audits


def test_an_open_window_is_not_closed(world):
    with travel(at_minutes(world, 59)):
        assert "0 session(s) closed" in run_command()
    assert not AttendanceRecord.objects.exists()
    world.session_a.refresh_from_db()
    assert world.session_a.status == Session.Status.PLANNED


def test_the_programme_policy_and_the_session_override_set_the_close_time(world):
    AttendancePolicy.objects.create(programme=world.programme, closes_after_min=120)
    SessionVenue.objects.create(session=world.session_b, closes_after_min=15)
    with travel(at_minutes(world, 16)):
        run_command()
    assert statuses(world.session_a) == {}
    assert statuses(world.session_b) == {"Other": Status.ALPA}
    with travel(at_minutes(world, 119)):
        run_command()
    assert statuses(world.session_a) == {}
    with travel(at_minutes(world, 120)):
        run_command()
    assert statuses(world.session_a) == {"Participant": Status.ALPA}


def test_withdrawn_participants_and_cancelled_sessions_are_left_alone(world):
    Enrolment.objects.filter(person__user=world.participant).update(status="withdrawn")
    Session.objects.filter(pk=world.session_b.pk).update(status=Session.Status.CANCELLED)
    with travel(at_minutes(world, 61)):
        run_command()
    assert not AttendanceRecord.objects.exists()
    world.session_b.refresh_from_db()
    assert world.session_b.status == Session.Status.CANCELLED


def test_a_late_correction_after_closing_keeps_the_trail(world):
    participant = person_of(world.participant)
    with travel(at_minutes(world, 61)):
        run_command()
        services.set_status(
            world.session_a,
            participant,
            Status.DINAS_LUAR,
            reason="SPT 12/2026",
            acting_user=world.organiser,
        )
    record = AttendanceRecord.objects.get(session=world.session_a, person=participant)
    assert record.status == Status.DINAS_LUAR and record.method == Method.MANUAL
    trail = list(record.changes.values_list("from_status", "to_status", "actor"))
    assert trail == [("", "alpa", None), ("alpa", "dinas_luar", world.organiser.pk)]


def test_opening_the_roll_after_the_window_changes_nothing_and_says_so(world):
    url = f"/attendance/sessions/{world.session_a.pk}/roll/"
    with travel(at_minutes(world, 75)):
        before = database_state()
        response = in_english(client_for(world.coach)).get(url)
        assert database_state() == before
    assert response.status_code == 200
    assert response.context["window_passed"] is True
    text = response.content.decode()
    assert "The check-in window closed at" in text
    assert "Close attendance now" in text
    assert statuses(world.session_a) == {}
    with travel(at_minutes(world, 76)):
        run_command()  # the scheduled job closes it, and then the page says so
        closed = client_for(world.coach).get(url)
    assert statuses(world.session_a) == {"Participant": Status.ALPA}
    assert closed.context["closed"] is True
    assert closed.context["window_passed"] is False


def test_the_coach_may_close_now_and_a_participant_may_not(world):
    url = f"/attendance/sessions/{world.session_a.pk}/close/"
    with travel(at_minutes(world, 20)):
        assert client_for(world.participant).post(url).status_code == 404
        assert client_for(world.coach).post(url).status_code == 302
    assert statuses(world.session_a) == {"Participant": Status.ALPA}
    world.session_a.refresh_from_db()
    assert world.session_a.status == Session.Status.HELD


def test_closing_a_cancelled_session_is_refused(world):
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.CANCELLED)
    world.session_a.refresh_from_db()
    with pytest.raises(services.RollError) as info:
        services.close_session_attendance(world.session_a, acting_user=world.coach)
    assert info.value.code == "session_closed"


def test_a_dry_run_lists_without_closing(world):
    out = io.StringIO()
    with travel(at_minutes(world, 61)):
        call_command("close_attendance", "--dry-run", stdout=out)
    assert out.getvalue().count("would close") == 2
    assert not AttendanceRecord.objects.exists()
