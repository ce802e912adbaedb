"""Retention: people with no activity past the age are anonymised (identity replaced,
login closed, the counts kept), and positions, phone ids, refused check-ins and log-in
records go past their own ages. A dry run changes nothing; a second run nothing more."""

import datetime
import io

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from cakap.attendance.models import AbsenceRequest, AttendanceRecord, CheckInAttempt
from cakap.core.models import AuditEntry
from cakap.core.tests.dbstate import database_state
from cakap.env import env_days
from cakap.people.models import ApiToken, Person, User
from cakap.privacy.tests.support import give_data
from cakap.programmes.models import Enrolment
from conftest import PASSWORD, client_for

YEARS_6 = datetime.timedelta(days=6 * 365)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data(world):
    mine = give_data(world, world.participant, world.session_a, "MINE")
    AccessLog.objects.create(
        username="participant@example.test",
        user_agent="x",
        ip_address="10.0.0.1",
        http_accept="",
        path_info="/login/",
    )
    AccessFailureLog.objects.create(
        username="participant@example.test",
        user_agent="x",
        ip_address="10.0.0.1",
        http_accept="",
        path_info="/login/",
        locked_out=False,
    )
    return mine


def _statuses():
    return sorted(
        AttendanceRecord.objects.values_list("person_id", "session_id", "status", "method")
    )


def test_a_person_inactive_past_the_age_is_anonymised_and_the_counts_stay(world, data):
    person = data.person
    statuses, enrolments = _statuses(), Enrolment.objects.count()
    with time_machine.travel(timezone.now() + YEARS_6, tick=False):
        out = _run()
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert person.nip == f"X{person.pk:017d}" and person.name == f"Anonim #{person.pk}"
    assert (person.phone, person.email, person.position, person.rank) == ("", "", "", "")
    assert person.unit == world.dinkes  # reports count per unit
    user = User.objects.get(pk=world.participant.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@anonim.invalid")
    assert not client_for(None).login(username="participant@example.test", password=PASSWORD)
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    # Statuses and enrolments stay for reports; what said more is gone.
    assert _statuses() == statuses and Enrolment.objects.count() == enrolments
    record = AttendanceRecord.objects.get(pk=data.record.pk)
    assert (record.reason, record.device_id, record.latitude) == ("", "", None)
    absence = AbsenceRequest.objects.get(pk=data.absence.pk)
    assert (absence.reason, absence.document.name) == ("", "")
    assert not CheckInAttempt.objects.filter(person=person).exists()
    assert not AccessLog.objects.filter(username="participant@example.test").exists()
    # The audit entries about the person no longer say who they were.
    about = AuditEntry.objects.filter(object_type="people.person", object_id=str(person.pk))
    text = repr(list(about.values_list("object_repr", "changes", "note")))
    assert "081234567890" not in text and "Participant" not in text
    assert about.filter(action="person.anonymise").exists()
    assert "did anonymise 3 people inactive since" in out and str(person.pk) in out


def test_office_holders_and_recently_active_people_are_kept(world, data):
    later = timezone.now() + YEARS_6
    recent = Person.objects.get(user=world.other_participant)
    with time_machine.travel(later - datetime.timedelta(days=30), tick=False):
        client_for(None).login(username="other@example.test", password=PASSWORD)
        User.objects.filter(pk=world.other_participant.pk).update(last_login=timezone.now())
    with time_machine.travel(later, tick=False):
        _run()
    kept = Person.objects.filter(anonymised_at__isnull=True)
    assert Person.objects.get(user=world.organiser) in kept  # an organiser's role
    assert Person.objects.get(user=world.leader) in kept  # a leader's role
    assert recent in kept  # signed in a month ago
    assert Person.objects.get(user=world.participant) not in kept
    assert Person.objects.get(user=world.coach) not in kept  # coached a programme long over


def test_nobody_is_anonymised_within_the_age(world, data):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=365), tick=False):
        _run()
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(world, data):
    before = database_state()
    with time_machine.travel(timezone.now() + YEARS_6, tick=False):
        out = _run("--dry-run")
    assert database_state() == before
    assert "would anonymise 3 people" in out  # both participants and the coach
    assert "would clear 1 check-in positions" in out
    assert "would drop 1 refused check-ins" in out
    assert "would drop 2 log-in records" in out


def test_a_second_run_changes_nothing_more(world, data):
    with time_machine.travel(timezone.now() + YEARS_6, tick=False):
        _run()
        after_first = database_state()
        out = _run()
    assert database_state() == after_first
    assert "did anonymise 0 people" in out and "did clear 0 check-in positions" in out


def test_details_go_at_their_own_ages_before_the_person_does(world, data):
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(days=100), tick=False):
        out = _run()
    record = AttendanceRecord.objects.get(pk=data.record.pk)
    assert record.latitude is None and record.accuracy_m is None  # 90 days
    assert record.device_id == "phone-MINE"  # 180 days
    assert not CheckInAttempt.objects.exists()  # 90 days
    assert not AccessLog.objects.exists() and not AccessFailureLog.objects.exists()  # 30 days
    assert record.status and record.reason  # the record itself stays
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()
    assert "did clear 1 check-in positions" in out
    with time_machine.travel(start + datetime.timedelta(days=200), tick=False):
        _run()
    assert AttendanceRecord.objects.get(pk=data.record.pk).device_id == ""


def test_ages_come_from_the_settings(world, data, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "positions": 400}
    with time_machine.travel(timezone.now() + datetime.timedelta(days=100), tick=False):
        _run()
    assert AttendanceRecord.objects.get(pk=data.record.pk).latitude is not None


def test_a_retention_age_must_be_a_positive_number_of_days(monkeypatch):
    monkeypatch.setenv("CAKAP_RETAIN_PEOPLE_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="CAKAP_RETAIN_PEOPLE_DAYS"):
        env_days("CAKAP_RETAIN_PEOPLE_DAYS", 1825)
    monkeypatch.setenv("CAKAP_RETAIN_PEOPLE_DAYS", "lima")
    with pytest.raises(ImproperlyConfigured, match="CAKAP_RETAIN_PEOPLE_DAYS"):
        env_days("CAKAP_RETAIN_PEOPLE_DAYS", 1825)
    monkeypatch.setenv("CAKAP_RETAIN_PEOPLE_DAYS", "30")
    assert env_days("CAKAP_RETAIN_PEOPLE_DAYS", 1825) == 30


def test_reports_count_the_same_after_anonymising(world, data):
    def counts():
        return list(
            AttendanceRecord.objects.values("session__group", "status")
            .annotate(n=Count("pk"))
            .order_by("session__group", "status")
        )

    before = counts()
    with time_machine.travel(timezone.now() + YEARS_6, tick=False):
        _run()
    assert counts() == before
