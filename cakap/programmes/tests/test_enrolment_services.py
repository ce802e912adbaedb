"""Enrolment services: idempotent enrolment, one active place per programme, history kept."""

import pytest

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes import services
from cakap.programmes.models import Enrolment, Group, Programme


@pytest.fixture
def newcomer(world):
    return Person.objects.create(nip="198001012005011001", name="Newcomer", unit=world.dinkes)


def _participant(world):
    return Person.objects.get(user=world.participant)


def test_enrol_creates_an_active_enrolment_and_an_audit_entry(world, newcomer):
    enrolment = services.enrol_participant(world.group_a, newcomer, acting_user=world.organiser)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.programme_id == world.programme.pk
    entry = AuditEntry.objects.get(action="enrolment.created", object_id=str(enrolment.pk))
    assert entry.actor == world.organiser
    assert entry.changes["person_id"] == [None, newcomer.pk]


def test_enrolling_twice_in_the_same_group_returns_the_first(world, newcomer):
    first = services.enrol_participant(world.group_a, newcomer, acting_user=world.organiser)
    again = services.enrol_participant(world.group_a, newcomer, acting_user=world.organiser)
    assert again.pk == first.pk
    assert Enrolment.objects.filter(person=newcomer).count() == 1
    assert AuditEntry.objects.filter(action="enrolment.created").count() == 1


def test_active_in_another_group_is_refused_naming_it(world):
    with pytest.raises(services.EnrolmentError) as exc:
        services.enrol_participant(world.group_b, _participant(world), acting_user=world.organiser)
    assert exc.value.code == "already_enrolled"
    assert "A" in str(exc.value.message)
    assert Enrolment.objects.filter(person=_participant(world)).count() == 1


def test_a_concurrent_enrolment_is_caught_by_the_constraint(world, newcomer, monkeypatch):
    """Two requests pass the look-up at once; the partial unique index refuses the second."""
    Enrolment.objects.create(programme=world.programme, group=world.group_b, person=newcomer)
    real = services._active_enrolment
    calls = []

    def miss_first_time(programme_id, person_id):
        calls.append(1)
        return None if len(calls) == 1 else real(programme_id, person_id)

    monkeypatch.setattr(services, "_active_enrolment", miss_first_time)
    with pytest.raises(services.EnrolmentError) as exc:
        services.enrol_participant(world.group_a, newcomer, acting_user=world.organiser)
    assert exc.value.code == "already_enrolled"
    assert Enrolment.objects.filter(person=newcomer, status="active").count() == 1


def test_a_concurrent_enrolment_in_the_same_group_is_returned(world, newcomer, monkeypatch):
    existing = Enrolment.objects.create(
        programme=world.programme, group=world.group_a, person=newcomer
    )
    real = services._active_enrolment
    calls = []

    def miss_first_time(programme_id, person_id):
        calls.append(1)
        return None if len(calls) == 1 else real(programme_id, person_id)

    monkeypatch.setattr(services, "_active_enrolment", miss_first_time)
    assert (
        services.enrol_participant(world.group_a, newcomer, acting_user=world.organiser).pk
        == existing.pk
    )


@pytest.mark.parametrize("status", ["finished", "cancelled"])
def test_closed_programmes_take_nobody(world, newcomer, status):
    Programme.objects.filter(pk=world.programme.pk).update(status=status)
    group = Group.objects.get(pk=world.group_a.pk)
    with pytest.raises(services.EnrolmentError) as exc:
        services.enrol_participant(group, newcomer, acting_user=world.organiser)
    assert exc.value.code == "programme_closed"


def test_move_ends_the_old_enrolment_and_keeps_it(world):
    old = Enrolment.objects.get(person=_participant(world))
    new = services.move_participant(
        old, world.group_b, "jadwal bentrok", acting_user=world.organiser
    )
    old.refresh_from_db()
    assert old.status == Enrolment.Status.MOVED
    assert old.ended_at is not None
    assert old.end_reason == "jadwal bentrok"
    assert new.group == world.group_b
    assert new.status == Enrolment.Status.ACTIVE
    assert Enrolment.objects.filter(person=_participant(world)).count() == 2
    moved = AuditEntry.objects.get(action="enrolment.moved", object_id=str(old.pk))
    assert moved.changes["status"] == ["active", "moved"]
    assert moved.note == "jadwal bentrok"


def test_repeating_a_move_does_no_harm(world):
    old = Enrolment.objects.get(person=_participant(world))
    first = services.move_participant(old, world.group_b, "bentrok", acting_user=world.organiser)
    stale = Enrolment.objects.get(pk=old.pk)
    again = services.move_participant(stale, world.group_b, "bentrok", acting_user=world.organiser)
    assert again.pk == first.pk
    assert Enrolment.objects.filter(person=_participant(world)).count() == 2


def test_move_needs_a_reason(world):
    old = Enrolment.objects.get(person=_participant(world))
    with pytest.raises(services.EnrolmentError) as exc:
        services.move_participant(old, world.group_b, "  ", acting_user=world.organiser)
    assert exc.value.code == "reason_required"
    old.refresh_from_db()
    assert old.status == Enrolment.Status.ACTIVE


def test_move_to_the_same_group_is_refused(world):
    old = Enrolment.objects.get(person=_participant(world))
    with pytest.raises(services.EnrolmentError) as exc:
        services.move_participant(old, world.group_a, "tidak", acting_user=world.organiser)
    assert exc.value.code == "same_group"


def test_move_to_another_programme_is_refused(world):
    other = Programme.objects.create(
        title="Other",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    group = Group.objects.create(programme=other, name="X")
    old = Enrolment.objects.get(person=_participant(world))
    with pytest.raises(services.EnrolmentError) as exc:
        services.move_participant(old, group, "pindah", acting_user=world.organiser)
    assert exc.value.code == "other_programme"
    assert Enrolment.objects.filter(person=_participant(world)).count() == 1


def test_withdraw_needs_a_reason(world):
    enrolment = Enrolment.objects.get(person=_participant(world))
    with pytest.raises(services.EnrolmentError) as exc:
        services.withdraw_participant(enrolment, "", acting_user=world.organiser)
    assert exc.value.code == "reason_required"
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_withdraw_keeps_history_and_is_idempotent(world):
    enrolment = Enrolment.objects.get(person=_participant(world))
    services.withdraw_participant(enrolment, "mutasi", acting_user=world.organiser)
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    services.withdraw_participant(
        Enrolment.objects.get(pk=enrolment.pk), "x", acting_user=world.organiser
    )
    enrolment.refresh_from_db()
    assert enrolment.end_reason == "mutasi"
    entries = AuditEntry.objects.filter(action="enrolment.withdrawn", object_id=str(enrolment.pk))
    assert entries.count() == 1
    assert entries.get().changes["end_reason"] == ["", "mutasi"]


def test_a_withdrawn_participant_can_be_enrolled_again(world):
    person = _participant(world)
    enrolment = Enrolment.objects.get(person=person)
    services.withdraw_participant(enrolment, "cuti", acting_user=world.organiser)
    again = services.enrol_participant(world.group_b, person, acting_user=world.organiser)
    assert again.pk != enrolment.pk
    assert Enrolment.objects.filter(person=person).count() == 2


def test_a_moved_enrolment_cannot_be_withdrawn(world):
    old = Enrolment.objects.get(person=_participant(world))
    services.move_participant(old, world.group_b, "bentrok", acting_user=world.organiser)
    with pytest.raises(services.EnrolmentError) as exc:
        services.withdraw_participant(old, "x", acting_user=world.organiser)
    assert exc.value.code == "not_active"
