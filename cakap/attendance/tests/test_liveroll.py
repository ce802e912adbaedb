"""The coach's check-in screen: who may open it, the rotating code, the live roll and its
cost, approvals, search and card scans."""

import datetime

import pytest
import time_machine
from django.conf import settings

from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AttendancePolicy, AttendanceRecord, Method, Status
from cakap.attendance.phones import card_token
from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at_minutes(world, minutes):
    return world.session_a.starts_at + datetime.timedelta(minutes=minutes)


def participant_person(world):
    return Person.objects.get(user=world.participant)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coach", 200),
        ("organiser", 200),
        ("admin", 200),
        ("participant", 404),
        ("other_participant", 404),
        ("leader", 404),
        ("leader_other", 404),
    ],
)
@pytest.mark.parametrize("suffix", ["", "code/", "roll/", "search/?q=Par"])
def test_only_the_groups_coaches_and_organisers_open_the_screen(world, who, status, suffix):
    client = client_for(getattr(world, who))
    assert (
        client.get(f"/attendance/sessions/{world.session_a.pk}/checkin/{suffix}").status_code
        == status
    )


def test_anonymous_is_sent_to_sign_in(world):
    answer = client_for(None).get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_coach_of_another_group_gets_404(world):
    client = client_for(world.coach)
    assert client.get(f"/attendance/sessions/{world.session_b.pk}/checkin/").status_code == 404


def test_the_screen_shows_the_current_code_and_its_link(world):
    at = at_minutes(world, -5)
    code = make_code(world.session_a.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
    with time_machine.travel(at, tick=False):
        page = client_for(world.coach).get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    body = page.content.decode()
    assert f"{code[:3]} {code[3:]}" in body
    assert f"/attendance/c/{world.session_a.pk}/{code}/" in body
    assert "<svg" in body and 'hx-trigger="every 3s' in body


def test_the_code_changes_with_the_period_of_the_policy(world):
    AttendancePolicy.objects.create(programme=world.programme, code_period_s=60)
    at = at_minutes(world, -5)
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/code/"
    with time_machine.travel(at, tick=False):
        first = client_for(world.coach).get(url).content.decode()
    code = make_code(world.session_a.pk, slot_at(at.timestamp(), 60), settings.SECRET_KEY)
    assert code in first
    with time_machine.travel(at + datetime.timedelta(seconds=60), tick=False):
        second = client_for(world.coach).get(url).content.decode()
    assert code not in second


def test_the_roll_shows_who_is_in_late_and_missing(world):
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/roll/"
    coach = client_for(world.coach)
    before = coach.get(url).content.decode()
    pk = participant_person(world).pk
    assert f'class="roll-missing" data-person="{pk}"' in before
    from cakap.attendance.services import apply_status

    apply_status(
        world.session_a, participant_person(world), Status.TERLAMBAT, Method.MANUAL,
        checked_in_at=at_minutes(world, 14), minutes_late=14, acting_user=world.coach,
    )  # fmt: skip
    after = coach.get(url).content.decode()
    assert f'class="roll-late" data-person="{pk}"' in after


def _crowd(world, n):
    from cakap.people.models import Unit

    unit = Unit.objects.get(pk=world.dinkes.pk)
    for i in range(n):
        person = Person.objects.create(
            nip=f"19700101200001{1000 + i:04d}"[:18], name=f"P{i}", unit=unit
        )
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)
        if i % 2:
            AttendanceRecord.objects.create(
                session=world.session_a, person=person, status=Status.HADIR, method=Method.CODE
            )


def test_the_roll_costs_the_same_queries_whatever_the_roster_size(world, django_assert_num_queries):
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/roll/"
    coach = client_for(world.coach)
    coach.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        coach.get(url)
    _crowd(world, 40)
    with django_assert_num_queries(len(small)):
        body = coach.get(url).content.decode()
    assert body.count('class="roll-in"') == 20
    with CaptureQueriesContext(connection) as page_small:
        coach.get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    _crowd_more = 30
    from cakap.people.models import Unit

    unit = Unit.objects.get(pk=world.kecamatan.pk)
    for i in range(_crowd_more):
        person = Person.objects.create(
            nip=f"19710101200001{2000 + i:04d}"[:18], name=f"Q{i}", unit=unit
        )
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)
    with django_assert_num_queries(len(page_small)):
        coach.get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    print(f"live roll fragment: {len(small)} queries; full screen: {len(page_small)} queries")


def test_search_finds_participants_of_the_group_by_name_or_nip(world):
    base = f"/attendance/sessions/{world.session_a.pk}/checkin/search/"
    coach = client_for(world.coach)
    assert "Participant" in coach.get(base, {"q": "partic"}).content.decode()
    assert "Participant" in coach.get(base, {"q": "19680303 200012 1 003"}).content.decode()
    assert "Other" not in coach.get(base, {"q": "Other"}).content.decode()  # group B


def test_coach_marks_a_participant_from_the_search(world):
    coach = client_for(world.coach)
    answer = coach.post(
        f"/attendance/sessions/{world.session_a.pk}/checkin/mark/",
        {"person": participant_person(world).pk},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and answer["HX-Trigger"] == "roll-changed"
    record = AttendanceRecord.objects.get(session=world.session_a)
    assert record.method == Method.COACH_SEARCH and record.recorded_by == world.coach


def test_coach_scans_a_card(world):
    coach = client_for(world.coach)
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/card/"
    answer = coach.post(url, {"token": card_token(participant_person(world))}).json()
    assert answer["ok"] and "Participant" in answer["message"]
    assert AttendanceRecord.objects.get(session=world.session_a).method == Method.COACH_SCAN
    forged = coach.post(url, {"token": "P1:forged"}).json()
    assert not forged["ok"]
    stranger = Person.objects.get(user=world.other_participant)
    refused = coach.post(url, {"token": card_token(stranger)}).json()
    assert not refused["ok"]
    assert not AttendanceRecord.objects.filter(person=stranger).exists()


def test_participant_cannot_post_to_the_coach_endpoints(world):
    client = client_for(world.participant)
    pk = world.session_a.pk
    token = card_token(participant_person(world))
    assert (
        client.post(f"/attendance/sessions/{pk}/checkin/card/", {"token": token}).status_code == 404
    )
    mark = client.post(f"/attendance/sessions/{pk}/checkin/mark/", {"person": 1})
    assert mark.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_coach_approves_a_held_check_in_from_the_roll(world):
    from cakap.attendance.services import apply_status

    record, _ = apply_status(
        world.session_a, participant_person(world), Status.HADIR, Method.CODE,
        checked_in_at=at_minutes(world, 1), pending=True, flag="shared_device",
        acting_user=world.participant,
    )  # fmt: skip
    coach = client_for(world.coach)
    roll = coach.get(f"/attendance/sessions/{world.session_a.pk}/checkin/roll/").content.decode()
    assert "roll-pending" in roll
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/records/{record.pk}/decide/"
    assert client_for(world.participant).post(url, {"decision": "approve"}).status_code == 404
    answer = coach.post(url, {"decision": "approve"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "roll-pending" not in answer.content.decode()
    record.refresh_from_db()
    assert not record.pending and record.changes.count() == 2


def test_refused_attempts_and_flags_show_on_the_roll(world):
    from cakap.attendance.services import apply_status

    with time_machine.travel(at_minutes(world, 1), tick=False):
        client_for(world.other_participant).post(f"/attendance/c/{world.session_a.pk}/ABCDEF/")
    apply_status(
        world.session_a, participant_person(world), Status.HADIR, Method.CODE,
        checked_in_at=at_minutes(world, 1), flag="outside_area", acting_user=world.participant,
    )  # fmt: skip
    roll = client_for(world.coach).get(f"/attendance/sessions/{world.session_a.pk}/checkin/roll/")
    body = roll.content.decode()
    assert 'data-reason="not_enrolled"' in body and "Other" in body
    assert "outside_area" not in body.split("roll-in", 1)[1].split("</li>")[0]


def test_a_card_from_another_group_names_nobody(world):
    coach = client_for(world.coach)
    url = f"/attendance/sessions/{world.session_a.pk}/checkin/card/"
    stranger = Person.objects.get(user=world.other_participant)
    answer = coach.post(url, {"token": card_token(stranger)}).json()
    assert not answer["ok"]
    assert stranger.name not in answer["message"]
    marked = coach.post(
        f"/attendance/sessions/{world.session_a.pk}/checkin/mark/", {"person": stranger.pk}
    )
    assert stranger.name not in marked.content.decode()
    assert not AttendanceRecord.objects.filter(person=stranger).exists()
