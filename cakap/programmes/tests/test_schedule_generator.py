"""Schedule generation against the database: local calendar, conflicts, creating sessions."""

import datetime

import pytest
import time_machine

from cakap.core.formatting import JAKARTA
from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes.models import CalendarDay, Enrolment, Group, Module, Session
from cakap.programmes.queries import (
    ConflictKind,
    ModulePlan,
    ScheduleRequest,
    find_conflicts,
    local_calendar,
    propose_for,
)
from cakap.programmes.schedule import ScheduleError, SkipKind, Slot
from cakap.programmes.services.schedule import (
    add_calendar_day,
    create_sessions,
    remove_calendar_day,
)

NINETY = datetime.timedelta(minutes=90)
# Monday 7 July 2025, 08.00 WIB: the world's sessions are today at 09.00-11.00 WIB.
NOW = datetime.datetime(2025, 7, 7, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes each persona cost most of a second; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _slot(day: datetime.date, hour: int, minute: int = 0, minutes: int = 90) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JAKARTA)
    return Slot(start, start + datetime.timedelta(minutes=minutes))


TODAY = datetime.date(2025, 7, 7)


def _request(world, **kwargs) -> ScheduleRequest:
    values = {
        "group": world.group_a,
        "start_date": datetime.date(2025, 8, 11),
        "weekdays": (0, 2, 4),
        "start_time": datetime.time(8, 30),
        "duration": NINETY,
        "count": 6,
    }
    values.update(kwargs)
    return ScheduleRequest(**values)


def test_proposal_skips_cuti_bersama(frozen, world):
    proposal = propose_for(_request(world))
    assert len(proposal.slots) == 6
    assert [(s.date, s.kind) for s in proposal.skipped] == [
        (datetime.date(2025, 8, 18), SkipKind.CUTI_BERSAMA)
    ]


def test_programme_blackout_is_skipped_and_other_programmes_are_not_affected(frozen, world):
    add_calendar_day(
        date=datetime.date(2025, 8, 13),
        kind=CalendarDay.Kind.BLACKOUT,
        reason="Rapat paripurna DPRD",
        programme=world.programme,
        acting_user=world.organiser,
    )
    proposal = propose_for(_request(world))
    skipped = {s.date: (s.kind, s.reason) for s in proposal.skipped}
    assert skipped[datetime.date(2025, 8, 13)] == (SkipKind.BLACKOUT, "Rapat paripurna DPRD")
    assert datetime.date(2025, 8, 13) not in {s.date for s in proposal.slots}
    assert len(proposal.slots) == 6

    other = local_calendar(None, datetime.date(2025, 8, 1), datetime.date(2025, 8, 31))
    assert datetime.date(2025, 8, 13) not in other.blackouts


def test_global_working_day_removes_a_listed_holiday(frozen, world):
    add_calendar_day(
        date=datetime.date(2025, 8, 18),
        kind=CalendarDay.Kind.WORKING,
        reason="Cuti bersama tidak berlaku di daerah ini",
        acting_user=world.admin,
    )
    proposal = propose_for(_request(world))
    assert datetime.date(2025, 8, 18) in {s.date for s in proposal.slots}
    assert proposal.skipped == ()


def test_programme_entry_wins_over_a_global_one_on_the_same_date(frozen, world):
    day = datetime.date(2025, 8, 18)
    add_calendar_day(date=day, kind="working", reason="Kerja", acting_user=world.admin)
    add_calendar_day(
        date=day,
        kind="blackout",
        reason="Pelatihan lain",
        programme=world.programme,
        acting_user=world.organiser,
    )
    cal = local_calendar(world.programme, day, day)
    assert cal.blackouts == {day: "Pelatihan lain"}
    assert cal.working == set()
    assert cal.holiday_on(day) == "Pelatihan lain"


def test_calendar_days_are_audited_and_duplicates_refused(frozen, world):
    day = add_calendar_day(
        date=datetime.date(2025, 8, 13),
        kind="blackout",
        reason="  Rapat  ",
        programme=world.programme,
        acting_user=world.organiser,
    )
    assert day.reason == "Rapat"
    assert day.created_by == world.organiser
    with pytest.raises(ScheduleError) as caught:
        add_calendar_day(
            date=datetime.date(2025, 8, 13),
            kind="working",
            reason="Lagi",
            programme=world.programme,
            acting_user=world.organiser,
        )
    assert caught.value.code == "day_exists"
    pk = day.pk
    remove_calendar_day(day, acting_user=world.organiser)
    assert not CalendarDay.objects.filter(pk=pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="programmes.calendarday", object_id=str(pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [
        ("calendar_day.added", world.organiser.pk),
        ("calendar_day.removed", world.organiser.pk),
    ]


def test_global_duplicates_are_refused_although_null_is_not_unique(frozen, world):
    add_calendar_day(date=TODAY, kind="blackout", reason="Banjir", acting_user=world.admin)
    with pytest.raises(ScheduleError):
        add_calendar_day(date=TODAY, kind="blackout", reason="Banjir", acting_user=world.admin)


@pytest.mark.parametrize(("kind", "reason"), [("nope", "x"), ("blackout", "   ")])
def test_bad_calendar_days_are_refused(frozen, world, kind, reason):
    with pytest.raises(ScheduleError):
        add_calendar_day(date=TODAY, kind=kind, reason=reason, acting_user=world.organiser)
    assert not CalendarDay.objects.exists()


def test_coach_booked_twice_is_reported(frozen, world, django_assert_max_num_queries):
    coach = world.coach.person
    # Group B at 10.00: overlaps the coach's session in group A (09.00-11.00).
    slots = [_slot(TODAY, 10), _slot(TODAY + datetime.timedelta(days=2), 10)]
    with django_assert_max_num_queries(3):
        conflicts = find_conflicts(slots, world.group_b, coach, "")
    coach_conflicts = [c for c in conflicts if c.kind == ConflictKind.COACH]
    assert [(c.slot, c.session_id) for c in coach_conflicts] == [(slots[0], world.session_a.pk)]


def test_venue_booked_twice_ignores_case_and_cancelled_sessions(frozen, world):
    slots = [_slot(TODAY, 10, 30)]
    conflicts = find_conflicts(slots, world.group_b, None, "  ruang RAPAT ")
    assert [(c.kind, c.session_id) for c in conflicts] == [(ConflictKind.VENUE, world.session_a.pk)]
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.CANCELLED)
    assert find_conflicts(slots, world.group_b, None, "Ruang Rapat") == []


def test_touching_sessions_do_not_conflict(frozen, world):
    slots = [_slot(TODAY, 11), _slot(TODAY, 7, 30)]
    assert find_conflicts(slots, world.group_b, world.coach.person, "Ruang Rapat") == []


def test_participant_in_two_sessions_at_once_is_reported(frozen, world):
    # The participant of group A also takes another programme whose group meets at 13.00.
    other_programme = world.programme.__class__.objects.create(
        title="Literasi Digital",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=TODAY,
        end_date=TODAY + datetime.timedelta(days=30),
    )
    other_group = Group.objects.create(programme=other_programme, name="X")
    person = world.participant.person
    Enrolment.objects.create(programme=other_programme, group=other_group, person=person)
    start = datetime.datetime.combine(TODAY, datetime.time(13), tzinfo=JAKARTA)
    busy = Session.objects.create(
        group=other_group, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    # A withdrawn enrolment elsewhere does not count.
    gone = Group.objects.create(programme=other_programme, name="Y")
    Enrolment.objects.create(
        programme=other_programme,
        group=gone,
        person=world.other_participant.person,
        status=Enrolment.Status.WITHDRAWN,
    )
    Session.objects.create(group=gone, starts_at=start, ends_at=start + datetime.timedelta(hours=1))

    conflicts = find_conflicts([_slot(TODAY, 14)], world.group_a, None, "")
    assert [(c.kind, c.session_id, c.people) for c in conflicts] == [
        (ConflictKind.PARTICIPANT, busy.pk, ("Participant",))
    ]
    assert find_conflicts([_slot(TODAY, 14)], world.group_b, None, "") == []


def test_no_slots_no_queries(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert find_conflicts([], world.group_a, None, "x") == []


def test_confirming_creates_the_sessions_once_with_audit(frozen, world):
    proposal = propose_for(_request(world))
    coach = world.coach.person
    Module.objects.create(programme=world.programme, order=2, title="Dokumen")
    created = create_sessions(
        world.group_a,
        proposal.slots,
        venue=" Aula BKPSDM ",
        online_url="",
        module_plan=ModulePlan.IN_ORDER,
        coach=coach,
        acting_user=world.organiser,
    )
    assert [s.starts_at for s in created] == [s.starts_at for s in proposal.slots]
    stored = list(world.group_a.sessions.filter(venue="Aula BKPSDM").order_by("starts_at"))
    assert len(stored) == 6
    assert [s.module.title if s.module else None for s in stored] == [
        "Email",
        "Dokumen",
        None,
        None,
        None,
        None,
    ]
    assert {s.coach_id for s in stored} == {coach.pk}
    audit = AuditEntry.objects.filter(action="session.created", actor=world.organiser)
    assert sorted(int(a.object_id) for a in audit) == sorted(s.pk for s in stored)

    again = create_sessions(
        world.group_a, proposal.slots, venue="Aula BKPSDM", acting_user=world.organiser
    )
    assert again == []
    assert world.group_a.sessions.count() == 7
    assert AuditEntry.objects.filter(action="session.created").count() == 6


def test_a_cancelled_session_does_not_block_a_new_one(frozen, world):
    slot = _slot(TODAY, 9, minutes=120)
    assert create_sessions(world.group_a, [slot], acting_user=world.organiser) == []
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.CANCELLED)
    assert len(create_sessions(world.group_a, [slot], acting_user=world.organiser)) == 1


def test_a_coach_of_another_group_is_refused(frozen, world):
    outsider = Person.objects.get(user=world.other_participant)
    with pytest.raises(ScheduleError) as caught:
        create_sessions(
            world.group_a, [_slot(TODAY, 13)], coach=outsider, acting_user=world.organiser
        )
    assert caught.value.code == "not_a_coach"
    assert world.group_a.sessions.count() == 1


def test_unknown_module_plan_is_refused(frozen, world):
    with pytest.raises(ScheduleError):
        create_sessions(
            world.group_a, [_slot(TODAY, 13)], module_plan="random", acting_user=world.organiser
        )
    assert not AuditEntry.objects.filter(action="session.created").exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"online_url": "javascript:alert(1)"}, "bad_url"),
        ({"venue": "x" * 201}, "bad_venue"),
    ],
)
def test_bad_venue_or_link_is_refused(frozen, world, kwargs, code):
    with pytest.raises(ScheduleError) as caught:
        create_sessions(world.group_a, [_slot(TODAY, 13)], **kwargs, acting_user=world.organiser)
    assert caught.value.code == code
    assert world.group_a.sessions.count() == 1


def test_a_finished_programme_gets_no_new_sessions(frozen, world):
    world.programme.status = "finished"
    world.programme.save(update_fields=["status"])
    with pytest.raises(ScheduleError) as caught:
        create_sessions(world.group_a, [_slot(TODAY, 13)], acting_user=world.organiser)
    assert caught.value.code == "programme_closed"
