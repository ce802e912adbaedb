"""'My attendance': each session's status and the participant's percentage."""

import datetime

import pytest

from cakap.attendance.services import set_status
from cakap.attendance.tests.roll_support import add_sessions, at_minutes, person_of, travel
from cakap.programmes.models import Session
from conftest import client_for, in_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(world):
    return f"/attendance/my/{world.programme.pk}/"


def test_a_participant_sees_each_session_and_the_percentage(world):
    world.programme.target_sessions = 0
    world.programme.save()
    me = person_of(world.participant)
    s2, _s3 = add_sessions(world, [2, 4])
    with travel(at_minutes(world, 5)):
        set_status(world.session_a, me, "hadir", acting_user=world.coach)
    with travel(at_minutes(world, 5) + datetime.timedelta(days=2)):
        set_status(s2, me, "sakit", reason="Demam", acting_user=world.coach)
        Session.objects.filter(pk__in=[world.session_a.pk, s2.pk]).update(status="held")
        response = in_english(client_for(world.participant)).get(url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Present" in body and "Sick" in body and "Upcoming" in body
    assert "50.0%" in body  # 1 of 2: sick does not count as attended
    assert "80%" in body  # the programme's target
    assert "need to attend 2 more sessions" in body  # target ceil(0.8 x 3) = 3
    assert response.context["mine"].standing.needed == 2


def test_the_index_goes_straight_to_the_only_programme(world):
    response = client_for(world.participant).get("/attendance/my/")
    assert response.status_code == 302 and response["Location"] == url(world)


def test_someone_without_programmes_sees_an_empty_list(world):
    response = client_for(world.leader).get("/attendance/my/")
    assert response.status_code == 200
    assert "tidak mengikuti program apa pun" in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "leader_other", "organiser", "coach", "admin"])
def test_only_participants_of_the_programme_have_a_page(world, persona):
    assert client_for(getattr(world, persona)).get(url(world)).status_code == 404


def test_each_participant_sees_their_own_group(world):
    with travel(at_minutes(world, 5)):
        set_status(world.session_a, person_of(world.participant), "hadir", acting_user=world.coach)
    response = client_for(world.other_participant).get(url(world))
    assert response.status_code == 200
    assert response.context["mine"].group == world.group_b
    assert [record for _session, record in response.context["mine"].sessions] == [None]


def test_anonymous_is_sent_to_login(world):
    response = client_for(None).get(url(world))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_upcoming_session_offers_an_absence_request(world):
    with travel(at_minutes(world, -120)):
        response = client_for(world.participant).get(url(world))
    assert f"/attendance/sessions/{world.session_a.pk}/absence/" in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_costs_the_same_whatever_the_number_of_sessions(
    world, size, django_assert_max_num_queries
):
    add_sessions(world, list(range(1, size + 1)))
    client = client_for(world.participant)
    with django_assert_max_num_queries(12):
        assert client.get(url(world)).status_code == 200
