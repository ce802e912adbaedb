"""The coach's home: today's sessions and the next ones, each one tap from its check-in
screen; and calendar entries that open their sessions."""

import datetime

import pytest
import time_machine

from cakap.core.formatting import JAKARTA
from cakap.programmes.models import Session
from conftest import client_for

# Senin, 18 Agustus 2025, 15.00 WIB: session A (09.00 WIB) is over, and still today's.
NOW = datetime.datetime(2025, 8, 18, 8, 0, tzinfo=datetime.UTC)
HOME = "/programmes/my-schedule/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(world, group, days, hour=9, **fields):
    start = datetime.datetime(2025, 8, 18, hour, 0, tzinfo=JAKARTA) + datetime.timedelta(days=days)
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=2), **fields
    )


def _ids(sessions):
    return [s.pk for s in sessions]


def test_the_coach_lands_on_todays_and_the_next_sessions_with_their_check_in(frozen, world):
    yesterday = _at(world, world.group_a, -1)
    tomorrow = _at(world, world.group_a, 1)
    cancelled = _at(world, world.group_a, 2, status=Session.Status.CANCELLED)
    later = [_at(world, world.group_a, d) for d in (3, 4, 5)]
    other_group = _at(world, world.group_b, 1)
    client = client_for(world.coach)
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == HOME
    assert _ids(home.context["run_today"]) == [world.session_a.pk]
    assert _ids(home.context["run_next"]) == [tomorrow.pk, later[0].pk, later[1].pk]
    html = home.content.decode()
    for session in (world.session_a, tomorrow, later[0], later[1]):
        assert f'href="/attendance/sessions/{session.pk}/checkin/"' in html
        assert f'href="/attendance/sessions/{session.pk}/roll/"' in html
    for session in (yesterday, cancelled, later[2], other_group):
        assert f"/attendance/sessions/{session.pk}/checkin/" not in html
    assert "Sesi yang Anda dampingi" in html


def test_the_check_in_button_opens_the_coachs_check_in_screen(frozen, world):
    client = client_for(world.coach)
    client.get(HOME)
    response = client.get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["participant", "other_participant", "leader", "organiser"])
def test_who_coaches_no_group_gets_no_check_in_buttons(frozen, world, persona):
    response = client_for(getattr(world, persona)).get(HOME)
    assert response.context["run_today"] == [] and response.context["run_next"] == []
    assert "/checkin/" not in response.content.decode()


def test_the_coachs_home_costs_the_same_queries_whatever_the_sessions(
    frozen, world, django_assert_max_num_queries
):
    for d in range(1, 30):
        _at(world, world.group_a, d)
    client = client_for(world.coach)
    with django_assert_max_num_queries(8):
        response = client.get(HOME)
    assert len(response.context["run_next"]) == 3


@pytest.mark.parametrize("view", ["calendar/", "calendar/week/"])
def test_calendar_entries_link_to_their_sessions(frozen, world, view):
    response = client_for(world.participant).get(f"/programmes/{world.programme.pk}/{view}")
    html = response.content.decode()
    assert f'class="ev" href="/programmes/sessions/{world.session_a.pk}/"' in html
    assert f"/programmes/sessions/{world.session_b.pk}/" not in html  # not the participant's
    assert (
        client_for(world.participant).get(f"/programmes/sessions/{world.session_a.pk}/").status_code
        == 200
    )


def test_my_schedules_month_entries_link_to_their_sessions(frozen, world):
    html = client_for(world.coach).get(HOME).content.decode()
    assert f'class="ev" href="/programmes/sessions/{world.session_a.pk}/"' in html
