"""No GET changes state: every page and API read, opened by every persona at a moment
when a session's window has closed and a test is open, leaves the database as it was
(the session store, login throttling and a token's last use aside: dbstate.py)."""

import pytest

from cakap.attendance.tests.roll_support import at_minutes, travel
from cakap.competence.services import start_attempt
from cakap.competence.tests.helpers import make_quiz
from cakap.core.tests.dbstate import database_state
from conftest import client_for

PERSONAS = ["admin", "organiser", "coach", "participant", "other_participant", "leader"]


def _pages(world, quiz, attempt):
    programme, group, session = world.programme, world.group_a, world.session_a
    person = world.participant.person
    instrument, administration = quiz.instrument, quiz.pre
    return [
        "/",
        "/audit/",
        "/people/",
        f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/",
        f"/people/{world.coach.person.pk}/",
        "/people/import/",
        "/units/",
        "/programmes/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/edit/",
        f"/programmes/{programme.pk}/modules/new/",
        f"/programmes/{programme.pk}/groups/new/",
        f"/programmes/groups/{group.pk}/",
        f"/programmes/groups/{group.pk}/sessions/new/",
        f"/programmes/sessions/{session.pk}/",
        f"/programmes/sessions/{session.pk}/edit/",
        "/programmes/my-schedule/",
        f"/programmes/{programme.pk}/calendar/",
        f"/programmes/{programme.pk}/calendar/week/",
        f"/programmes/{programme.pk}/calendar/days/",
        f"/programmes/{programme.pk}/schedule/generate/",
        "/attendance/checkin/",
        "/attendance/card/",
        f"/attendance/sessions/{session.pk}/checkin/",
        f"/attendance/sessions/{session.pk}/checkin/code/",
        f"/attendance/sessions/{session.pk}/checkin/roll/",
        f"/attendance/sessions/{session.pk}/checkin/search/?q=Part",
        f"/attendance/programmes/{programme.pk}/links/",
        f"/attendance/programmes/{programme.pk}/links/print/",
        f"/attendance/programmes/{programme.pk}/refusals/",
        f"/attendance/sessions/{session.pk}/roll/",
        f"/attendance/sessions/{session.pk}/absence/",
        "/attendance/absence/",
        "/attendance/my/",
        f"/attendance/my/{programme.pk}/",
        f"/attendance/recap/groups/{group.pk}/",
        f"/attendance/recap/groups/{group.pk}/export.xlsx",
        f"/attendance/recap/programmes/{programme.pk}/",
        f"/attendance/risk/programmes/{programme.pk}/",
        "/competence/",
        f"/competence/programmes/{programme.pk}/",
        f"/competence/instruments/{instrument.pk}/",
        f"/competence/instruments/{instrument.pk}/results/",
        f"/competence/instruments/{instrument.pk}/groups/{group.pk}/heatmap/",
        f"/competence/instruments/{instrument.pk}/people/{person.pk}/",
        f"/competence/administrations/{administration.pk}/",
        f"/competence/administrations/{administration.pk}/items/",
        f"/competence/take/{administration.pk}/",
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/programmes",
        "/api/v1/groups",
        "/api/v1/enrolments",
        "/api/v1/sessions",
        f"/api/v1/attendance/sessions/{session.pk}/records",
        "/api/v1/attendance/absence-requests",
        "/api/v1/competence/administrations",
        "/api/v1/competence/submissions",
        f"/api/v1/competence/instruments/{instrument.pk}/results",
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_api_read_changes_the_database(world, literacy, persona):
    with travel(at_minutes(world, 75)):  # session A's window has closed, unclosed
        quiz = make_quiz(world, literacy, time_limit=30)
        attempt = start_attempt(quiz.pre, acting_user=world.other_participant)
        client = client_for(getattr(world, persona))
        before = database_state()
        for path in _pages(world, quiz, attempt):
            response = client.get(path)
            assert response.status_code < 500, path
            assert database_state() == before, path
