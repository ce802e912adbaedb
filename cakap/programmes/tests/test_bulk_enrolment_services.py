"""The bulk enrolment services: enrol many, move many, withdraw many. Per-person results,
history and audit as the one-by-one services keep them, idempotence, and a query count
that does not grow with the number of people."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes import services
from cakap.programmes.models import Enrolment, Group, Programme
from cakap.programmes.outcomes import Outcome
from cakap.programmes.services.enrolments import (
    enrol_people,
    move_participants,
    withdraw_participants,
)


def _people(unit, n, start=0):
    return [
        Person.objects.create(
            nip=f"19800101200501{1 + (i // 999)}{1 + i % 999:03d}", name=f"P{i:03d}", unit=unit
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def cohort(world):
    return _people(world.dinkes, 5)


def test_enrol_people_enrols_each_and_answers_per_person(world, cohort):
    results = enrol_people(world.group_a, cohort, acting_user=world.organiser)
    assert [r.outcome for r in results] == [Outcome.ENROLLED] * 5
    assert [r.person for r in results] == cohort
    active = Enrolment.objects.active().filter(group=world.group_a, person__in=cohort)
    assert active.count() == 5
    assert {r.enrolment.pk for r in results} == set(active.values_list("pk", flat=True))


def test_each_enrolment_gets_the_audit_entry_the_single_service_writes(world, cohort):
    results = enrol_people(world.group_a, cohort[:2], acting_user=world.organiser)
    entries = AuditEntry.objects.filter(action="enrolment.created").order_by("object_id")
    assert [e.object_id for e in entries] == sorted(str(r.enrolment.pk) for r in results)
    entry = entries[0]
    assert entry.actor_id == world.organiser.pk
    assert entry.object_type == "programmes.enrolment"
    assert entry.changes["status"] == [None, "active"]
    assert entry.changes["group_id"] == [None, world.group_a.pk]


def test_repeating_enrols_nobody_twice_and_writes_no_audit(world, cohort):
    enrol_people(world.group_a, cohort, acting_user=world.organiser)
    audits = AuditEntry.objects.count()
    again = enrol_people(world.group_a, cohort, acting_user=world.organiser)
    assert [r.outcome for r in again] == [Outcome.ALREADY_IN_GROUP] * 5
    assert Enrolment.objects.filter(person__in=cohort).count() == 5
    assert AuditEntry.objects.count() == audits


def test_someone_in_another_group_is_not_moved(world, cohort):
    other = Person.objects.get(user=world.other_participant)
    results = enrol_people(world.group_a, [other, cohort[0]], acting_user=world.organiser)
    assert [r.outcome for r in results] == [Outcome.IN_OTHER_GROUP, Outcome.ENROLLED]
    assert results[0].group_name == "B"
    assert "B" in results[0].message
    assert Enrolment.objects.active().get(person=other).group == world.group_b


def test_a_person_listed_twice_is_enrolled_once(world, cohort):
    results = enrol_people(world.group_a, [cohort[0], cohort[0]], acting_user=world.organiser)
    assert len(results) == 1
    assert Enrolment.objects.filter(person=cohort[0]).count() == 1


def test_a_closed_programme_refuses_the_whole_batch(world, cohort):
    Programme.objects.filter(pk=world.programme.pk).update(status=Programme.Status.FINISHED)
    with pytest.raises(services.EnrolmentConflictError) as caught:
        enrol_people(world.group_a, cohort, acting_user=world.organiser)
    assert caught.value.code == "programme_closed"
    assert not Enrolment.objects.filter(person__in=cohort).exists()


def test_the_queries_do_not_grow_with_the_number_of_people(world):
    few, many = _people(world.dinkes, 2), _people(world.dinkes, 40, start=2)
    with CaptureQueriesContext(connection) as small:
        enrol_people(world.group_a, few, acting_user=world.organiser)
    with CaptureQueriesContext(connection) as large:
        enrol_people(world.group_a, many, acting_user=world.organiser)
    assert len(large) == len(small) <= 8


def test_the_single_enrol_service_still_works_beside_the_bulk_one(world, cohort):
    enrol_people(world.group_a, cohort[:1], acting_user=world.organiser)
    assert services.enrol_participant(world.group_a, cohort[0], acting_user=None).group_id == (
        world.group_a.pk
    )
    assert services.enrol_participant(world.group_a, cohort[1], acting_user=None).status == "active"


# Moves and withdrawals ---------------------------------------------------------------------


@pytest.fixture
def enrolled(world, cohort):
    return [r.enrolment for r in enrol_people(world.group_a, cohort, acting_user=None)]


def test_move_participants_ends_the_old_enrolments_and_starts_new_ones(world, enrolled):
    results = move_participants(
        enrolled[:3], world.group_b, "Jadwal bentrok", acting_user=world.organiser
    )
    assert [r.outcome for r in results] == [Outcome.MOVED] * 3
    for old, result in zip(enrolled[:3], results, strict=True):
        old.refresh_from_db()
        assert old.status == "moved"
        assert old.end_reason == "Jadwal bentrok"
        assert old.ended_at is not None
        assert result.enrolment.group == world.group_b
        assert result.enrolment.status == "active"
    assert AuditEntry.objects.filter(action="enrolment.moved", note="Jadwal bentrok").count() == 3
    assert AuditEntry.objects.filter(action="enrolment.created", note="Jadwal bentrok").count() == 3


def test_repeating_a_move_changes_nothing(world, enrolled):
    move_participants(enrolled[:2], world.group_b, "R", acting_user=None)
    count, audits = Enrolment.objects.count(), AuditEntry.objects.count()
    again = move_participants(enrolled[:2], world.group_b, "R", acting_user=None)
    assert [r.outcome for r in again] == [Outcome.ALREADY_MOVED] * 2
    assert (Enrolment.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_moving_to_the_same_group_leaves_them(world, enrolled):
    results = move_participants(enrolled[:1], world.group_a, "R", acting_user=None)
    assert results[0].outcome == Outcome.ALREADY_IN_GROUP
    enrolled[0].refresh_from_db()
    assert enrolled[0].status == "active"


def test_a_move_needs_a_reason(world, enrolled):
    with pytest.raises(services.EnrolmentError) as caught:
        move_participants(enrolled, world.group_b, "  ", acting_user=None)
    assert caught.value.code == "reason_required"
    assert Enrolment.objects.active().filter(group=world.group_a).count() == 6


def test_a_move_to_another_programme_is_refused_whole(world, enrolled):
    other = Programme.objects.create(
        title="Lain",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    elsewhere = Group.objects.create(programme=other, name="X")
    with pytest.raises(services.EnrolmentError):
        move_participants(enrolled[:2], elsewhere, "R", acting_user=None)
    assert Enrolment.objects.active().filter(group=world.group_a).count() == 6


def test_withdraw_participants_keeps_history_and_repeats_harmlessly(world, enrolled):
    results = withdraw_participants(enrolled[:2], "Pensiun", acting_user=world.organiser)
    assert [r.outcome for r in results] == [Outcome.WITHDRAWN] * 2
    for e in enrolled[:2]:
        e.refresh_from_db()
        assert (e.status, e.end_reason) == ("withdrawn", "Pensiun")
    audits = AuditEntry.objects.filter(action="enrolment.withdrawn").count()
    assert audits == 2
    again = withdraw_participants(enrolled[:2], "Pensiun", acting_user=world.organiser)
    assert [r.outcome for r in again] == [Outcome.ALREADY_WITHDRAWN] * 2
    assert AuditEntry.objects.filter(action="enrolment.withdrawn").count() == audits


def test_withdrawing_a_moved_enrolment_is_not_active(world, enrolled):
    move_participants(enrolled[:1], world.group_b, "R", acting_user=None)
    (result,) = withdraw_participants(enrolled[:1], "R", acting_user=None)
    assert result.outcome == Outcome.NOT_ACTIVE
    assert Enrolment.objects.active().get(person=enrolled[0].person).group == world.group_b


def test_move_and_withdraw_queries_do_not_grow_with_the_number_of_people(world):
    few = [
        r.enrolment for r in enrol_people(world.group_a, _people(world.dinkes, 2), acting_user=None)
    ]
    many = [
        r.enrolment
        for r in enrol_people(world.group_a, _people(world.dinkes, 30, start=2), acting_user=None)
    ]
    with CaptureQueriesContext(connection) as small:
        move_participants(few, world.group_b, "R", acting_user=None)
    with CaptureQueriesContext(connection) as large:
        move_participants(many, world.group_b, "R", acting_user=None)
    assert len(large) == len(small) <= 10
    moved = list(
        Enrolment.objects.active().filter(group=world.group_b, person__name__startswith="P")
    )
    with CaptureQueriesContext(connection) as small:
        withdraw_participants(moved[:2], "R", acting_user=None)
    with CaptureQueriesContext(connection) as large:
        withdraw_participants(moved[2:], "R", acting_user=None)
    assert len(large) == len(small) <= 8
