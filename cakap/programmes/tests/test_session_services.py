"""Session services: aware times, the group's coach and programme's module, cancel and move."""

import datetime

import pytest

from cakap.core.formatting import JAKARTA
from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes import services
from cakap.programmes.models import Module, Programme, Session

DAY = datetime.date(2026, 3, 2)


def _at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JAKARTA)


def _coach(world):
    return Person.objects.get(user=world.coach)


def test_create_session_stores_utc_and_audits(world):
    module = world.programme.modules.get()
    session = services.create_session(
        world.group_a,
        starts_at=_at(8, 30),
        ends_at=_at(10),
        venue="Aula",
        module=module,
        coach=_coach(world),
        acting_user=world.organiser,
    )
    session.refresh_from_db()
    assert session.starts_at == _at(8, 30)
    assert session.starts_at.utcoffset() == datetime.timedelta(0)
    assert session.status == Session.Status.PLANNED
    entry = AuditEntry.objects.get(action="session.created", object_id=str(session.pk))
    assert entry.changes["venue"] == [None, "Aula"]


def test_naive_times_are_refused(world):
    count = Session.objects.count()
    with pytest.raises(services.SessionError) as exc:
        services.create_session(
            world.group_a,
            starts_at=datetime.datetime(2026, 3, 2, 8, 0),
            ends_at=_at(10),
            acting_user=world.organiser,
        )
    assert exc.value.code == "naive_datetime"
    assert Session.objects.count() == count


@pytest.mark.parametrize("end", [8, 7])
def test_a_session_must_end_after_it_starts(world, end):
    with pytest.raises(services.SessionError) as exc:
        services.create_session(
            world.group_a, starts_at=_at(8), ends_at=_at(end), acting_user=world.organiser
        )
    assert exc.value.code == "ends_before_start"
    assert exc.value.field == "ends_at"


def test_module_of_another_programme_is_refused(world):
    other = Programme.objects.create(
        title="Other",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=DAY,
        end_date=DAY,
    )
    module = Module.objects.create(programme=other, title="Elsewhere")
    with pytest.raises(services.SessionError) as exc:
        services.create_session(
            world.group_a,
            starts_at=_at(8),
            ends_at=_at(9),
            module=module,
            acting_user=world.organiser,
        )
    assert exc.value.code == "module_other_programme"


def test_coach_must_coach_the_group(world):
    with pytest.raises(services.SessionError) as exc:
        services.create_session(
            world.group_b,
            starts_at=_at(8),
            ends_at=_at(9),
            coach=_coach(world),
            acting_user=world.organiser,
        )
    assert exc.value.code == "coach_not_in_group"


def test_bad_link_is_refused(world):
    with pytest.raises(services.SessionError) as exc:
        services.create_session(
            world.group_a,
            starts_at=_at(8),
            ends_at=_at(9),
            online_url="not a url",
            acting_user=world.organiser,
        )
    assert exc.value.code == "invalid"
    assert exc.value.field == "online_url"


def test_update_session_records_before_and_after(world):
    session = world.session_a
    services.update_session(
        session, venue="Aula Kantor Bupati", topic="Email", acting_user=world.organiser
    )
    session.refresh_from_db()
    assert session.venue == "Aula Kantor Bupati"
    entry = AuditEntry.objects.get(action="session.updated", object_id=str(session.pk))
    assert entry.changes["venue"] == ["Ruang Rapat", "Aula Kantor Bupati"]


def test_update_session_validates_times(world):
    session = world.session_a
    with pytest.raises(services.SessionError) as exc:
        services.update_session(session, ends_at=session.starts_at, acting_user=world.organiser)
    assert exc.value.code == "ends_before_start"
    session.refresh_from_db()
    assert session.ends_at > session.starts_at


def test_update_session_may_mark_it_held_but_not_cancelled(world):
    session = world.session_a
    services.update_session(session, status="held", acting_user=world.organiser)
    assert Session.objects.get(pk=session.pk).status == "held"
    with pytest.raises(services.SessionError) as exc:
        services.update_session(session, status="cancelled", acting_user=world.organiser)
    assert exc.value.code == "status_transition"


def test_cancel_needs_a_reason(world):
    with pytest.raises(services.SessionError) as exc:
        services.cancel_session(world.session_a, "", acting_user=world.organiser)
    assert exc.value.code == "reason_required"
    assert Session.objects.get(pk=world.session_a.pk).status == "planned"


def test_cancel_keeps_the_reason_and_is_idempotent(world):
    session = world.session_a
    services.cancel_session(session, "Libur cuti bersama", acting_user=world.organiser)
    services.cancel_session(
        Session.objects.get(pk=session.pk), "again", acting_user=world.organiser
    )
    session.refresh_from_db()
    assert (session.status, session.status_reason) == ("cancelled", "Libur cuti bersama")
    assert AuditEntry.objects.filter(action="session.cancelled").count() == 1


def test_a_cancelled_session_cannot_be_edited_or_moved(world):
    session = world.session_a
    services.cancel_session(session, "Libur", acting_user=world.organiser)
    with pytest.raises(services.SessionError) as exc:
        services.update_session(session, venue="x", acting_user=world.organiser)
    assert exc.value.code == "session_closed"
    with pytest.raises(services.SessionError) as exc:
        services.move_session(
            session, starts_at=_at(8), ends_at=_at(9), reason="x", acting_user=world.organiser
        )
    assert exc.value.code == "not_planned"


def test_move_keeps_the_old_session_and_points_to_the_new(world):
    session = world.session_a
    new = services.move_session(
        session,
        starts_at=_at(13),
        ends_at=_at(15),
        reason="Rapat pimpinan",
        acting_user=world.organiser,
    )
    session.refresh_from_db()
    assert session.status == Session.Status.MOVED
    assert session.status_reason == "Rapat pimpinan"
    assert session.moved_to == new
    assert new.status == Session.Status.PLANNED
    assert (new.venue, new.module_id, new.coach_id) == (
        session.venue,
        session.module_id,
        session.coach_id,
    )
    entry = AuditEntry.objects.get(action="session.moved", object_id=str(session.pk))
    assert entry.changes["status"] == ["planned", "moved"]
    assert entry.changes["moved_to_id"] == [None, new.pk]


def test_repeating_a_move_returns_the_same_new_session(world):
    session = world.session_a
    first = services.move_session(
        session, starts_at=_at(13), ends_at=_at(15), reason="Rapat", acting_user=world.organiser
    )
    again = services.move_session(
        Session.objects.get(pk=session.pk),
        starts_at=_at(13),
        ends_at=_at(15),
        reason="Rapat",
        acting_user=world.organiser,
    )
    assert again.pk == first.pk
    assert Session.objects.filter(group=world.group_a).count() == 2


def test_move_with_bad_times_writes_nothing(world):
    session = world.session_a
    count = Session.objects.count()
    with pytest.raises(services.SessionError) as exc:
        services.move_session(
            session, starts_at=_at(15), ends_at=_at(13), reason="Rapat", acting_user=world.organiser
        )
    assert exc.value.code == "ends_before_start"
    assert Session.objects.count() == count
    session.refresh_from_db()
    assert session.status == "planned"


def test_move_needs_a_reason(world):
    with pytest.raises(services.SessionError) as exc:
        services.move_session(
            world.session_a,
            starts_at=_at(13),
            ends_at=_at(15),
            reason="",
            acting_user=world.organiser,
        )
    assert exc.value.code == "reason_required"
