"""Session pages: plan, edit, cancel and move through the HTTP client."""

import datetime

from cakap.core.formatting import JAKARTA
from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes.models import Session
from conftest import client_for


def _wib(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JAKARTA)


def test_organiser_plans_a_session_in_wib(world):
    coach = Person.objects.get(user=world.coach)
    module = world.programme.modules.get()
    response = client_for(world.organiser).post(
        f"/programmes/groups/{world.group_a.pk}/sessions/new/",
        {
            "date": "2026-03-02",
            "start_time": "08:30",
            "end_time": "10:00",
            "venue": "Aula",
            "online_url": "",
            "module": module.pk,
            "topic": "",
            "coach": coach.pk,
        },
    )
    session = Session.objects.exclude(pk__in=[world.session_a.pk, world.session_b.pk]).get()
    assert response["Location"] == f"/programmes/sessions/{session.pk}/"
    assert session.starts_at == _wib(datetime.date(2026, 3, 2), 8, 30)
    assert session.ends_at == _wib(datetime.date(2026, 3, 2), 10)
    assert (session.coach, session.module, session.group) == (coach, module, world.group_a)


def test_end_before_start_is_shown_next_to_the_end_time(world):
    count = Session.objects.count()
    response = client_for(world.organiser).post(
        f"/programmes/groups/{world.group_a.pk}/sessions/new/",
        {"date": "2026-03-02", "start_time": "10:00", "end_time": "08:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_time"]
    assert Session.objects.count() == count


def test_only_the_groups_coaches_are_offered(world):
    response = client_for(world.organiser).get(
        f"/programmes/groups/{world.group_b.pk}/sessions/new/"
    )
    assert list(response.context["form"].fields["coach"].queryset) == []


def test_organiser_edits_a_session(world):
    session = world.session_a
    client = client_for(world.organiser)
    form = client.get(f"/programmes/sessions/{session.pk}/edit/").context["form"]
    assert form.initial["start_time"] == datetime.time(9, 0)
    day = session.starts_at.astimezone(JAKARTA).date()
    response = client.post(
        f"/programmes/sessions/{session.pk}/edit/",
        {
            "date": day.isoformat(),
            "start_time": "09:00",
            "end_time": "11:30",
            "venue": "Ruang Rapat Lt. 2",
            "online_url": "https://meet.example.test/abc",
            "module": session.module_id,
            "topic": "Email dinas",
            "coach": session.coach_id,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.venue == "Ruang Rapat Lt. 2"
    assert session.ends_at == _wib(day, 11, 30)
    assert session.topic == "Email dinas"
    assert AuditEntry.objects.filter(action="session.updated", object_id=str(session.pk)).exists()


def test_cancel_without_a_reason_shows_an_error(world):
    response = client_for(world.organiser).post(
        f"/programmes/sessions/{world.session_a.pk}/cancel/", {"cancel-reason": ""}
    )
    assert response.status_code == 200
    assert response.context["cancel_form"].errors["reason"]
    assert Session.objects.get(pk=world.session_a.pk).status == "planned"


def test_organiser_cancels_a_session(world):
    response = client_for(world.organiser).post(
        f"/programmes/sessions/{world.session_a.pk}/cancel/",
        {"cancel-reason": "Cuti bersama"},
        follow=True,
    )
    session = Session.objects.get(pk=world.session_a.pk)
    assert (session.status, session.status_reason) == ("cancelled", "Cuti bersama")
    body = response.content.decode()
    assert "Cuti bersama" in body
    assert "/cancel/" not in body  # a cancelled session offers no more actions


def test_organiser_moves_a_session(world):
    response = client_for(world.organiser).post(
        f"/programmes/sessions/{world.session_a.pk}/move/",
        {
            "move-date": "2026-03-03",
            "move-start_time": "13:00",
            "move-end_time": "15:00",
            "move-reason": "Rapat pimpinan",
        },
    )
    old = Session.objects.get(pk=world.session_a.pk)
    assert old.status == "moved"
    assert old.status_reason == "Rapat pimpinan"
    new = old.moved_to
    assert new is not None
    assert response["Location"] == f"/programmes/sessions/{new.pk}/"
    assert new.starts_at == _wib(datetime.date(2026, 3, 3), 13)
    page = client_for(world.participant).get(f"/programmes/sessions/{old.pk}/")
    assert f"/programmes/sessions/{new.pk}/" in page.content.decode()


def test_move_without_a_reason_changes_nothing(world):
    count = Session.objects.count()
    response = client_for(world.organiser).post(
        f"/programmes/sessions/{world.session_a.pk}/move/",
        {"move-date": "2026-03-03", "move-start_time": "13:00", "move-end_time": "15:00"},
    )
    assert response.context["move_form"].errors["reason"]
    assert Session.objects.count() == count


def test_the_groups_coach_finds_the_check_in_screen_and_roll_on_the_session(world):
    page = client_for(world.coach).get(f"/programmes/sessions/{world.session_a.pk}/")
    html = page.content.decode()
    assert f"/attendance/sessions/{world.session_a.pk}/checkin/" in html
    assert f"/attendance/sessions/{world.session_a.pk}/roll/" in html
    assert f"/programmes/sessions/{world.session_a.pk}/edit/" not in html  # not a manager


def test_a_participant_sees_no_check_in_screen_link(world):
    page = client_for(world.participant).get(f"/programmes/sessions/{world.session_a.pk}/")
    assert "/checkin/" not in page.content.decode()
