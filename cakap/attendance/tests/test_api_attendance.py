"""/api/v1/attendance/: scopes, status changes, closing, absence requests, check-in."""

import pytest
from django.conf import settings
from django.test import Client

from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AbsenceRequest, AttendanceRecord, Method, Status
from cakap.attendance.phones import new_device_id
from cakap.attendance.services import set_status
from cakap.attendance.tests.roll_support import add_participants, at_minutes, person_of, travel
from cakap.people.tokens import issue_token
from cakap.programmes.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


API = "/api/v1/attendance"
DEVICE = new_device_id()


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def mark(world, status="hadir", **kwargs):
    with travel(at_minutes(world, 5)):
        return set_status(
            world.session_a, person_of(world.participant), status, **kwargs, acting_user=world.coach
        )


# Who sees the participant's record of session A (records_visible_to).
SEES_RECORD = {
    "organiser": True,
    "coach": True,
    "participant": True,
    "other_participant": False,
    "leader": True,
    "leader_other": False,
    "admin": True,
}


@pytest.mark.parametrize(("persona", "sees"), sorted(SEES_RECORD.items()))
def test_a_record_is_scoped(world, persona, sees):
    record = mark(world)
    response = bearer(getattr(world, persona)).get(f"{API}/records/{record.pk}")
    assert response.status_code == (200 if sees else 404)
    if sees:
        body = response.json()
        assert body["status"] == "hadir" and body["person"]["id"] == record.person_id
        assert [c["to_status"] for c in body["changes"]] == ["hadir"]
    else:
        assert response.json()["code"] == "not_found"


def test_anonymous_gets_401(world):
    response = Client().get(f"{API}/sessions/{world.session_a.pk}/records")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_participant_sees_only_their_own_record_in_a_session(world):
    mark(world)
    others = add_participants(world, 2)
    with travel(at_minutes(world, 5)):
        set_status(world.session_a, others[0], Status.HADIR, acting_user=world.coach)
    mine = bearer(world.participant).get(f"{API}/sessions/{world.session_a.pk}/records").json()
    assert [r["person"]["full_name"] for r in mine["items"]] == ["Participant"]
    coach = bearer(world.coach).get(f"{API}/sessions/{world.session_a.pk}/records").json()
    assert coach["count"] == 2
    other = bearer(world.other_participant).get(f"{API}/sessions/{world.session_a.pk}/records")
    assert other.status_code == 404


def test_records_of_a_participant(world):
    mark(world)
    person = person_of(world.participant)
    response = bearer(world.leader).get(
        f"{API}/people/{person.pk}/records", {"programme": world.programme.pk}
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["items"]] == ["hadir"]
    assert bearer(world.leader_other).get(f"{API}/people/{person.pk}/records").status_code == 404


def test_the_coach_sets_a_status_and_the_trail_keeps_it(world):
    person = person_of(world.participant)
    url = f"{API}/sessions/{world.session_a.pk}/records/{person.pk}"
    client = bearer(world.coach)
    with travel(at_minutes(world, 5)):
        response = client.put(url, {"status": "izin"}, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "reason_required"
        response = client.put(
            url, {"status": "izin", "reason": "Duka"}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    record = AttendanceRecord.objects.get(session=world.session_a, person=person)
    assert (record.status, record.reason, record.method) == (Status.IZIN, "Duka", Method.API)
    assert [c["actor"] for c in response.json()["changes"]] == [str(world.coach)]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("participant", 403), ("leader", 403), ("other_participant", 404), ("leader_other", 404)],
)
def test_others_may_not_set_a_status(world, persona, status):
    person = person_of(world.participant)
    with travel(at_minutes(world, 5)):
        response = bearer(getattr(world, persona)).put(
            f"{API}/sessions/{world.session_a.pk}/records/{person.pk}",
            {"status": "hadir"},
            content_type="application/json",
        )
    assert response.status_code == status
    assert response.json()["code"] == ("forbidden" if status == 403 else "not_found")
    assert not AttendanceRecord.objects.exists()


def test_an_unknown_status_is_a_validation_error(world):
    person = person_of(world.participant)
    response = bearer(world.coach).put(
        f"{API}/sessions/{world.session_a.pk}/records/{person.pk}",
        {"status": "present"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


def test_closing_through_the_api(world):
    with travel(at_minutes(world, 30)):
        response = bearer(world.organiser).post(f"{API}/sessions/{world.session_a.pk}/close")
        again = bearer(world.organiser).post(f"{API}/sessions/{world.session_a.pk}/close")
    assert response.status_code == 200
    assert response.json() == {
        "session_id": world.session_a.pk,
        "made_alpa": 1,
        "session_status": "held",
    }
    assert again.json()["made_alpa"] == 0
    assert AttendanceRecord.objects.get(session=world.session_a).status == Status.ALPA
    assert Session.objects.get(pk=world.session_a.pk).status == Session.Status.HELD
    refused = bearer(world.participant).post(f"{API}/sessions/{world.session_a.pk}/close")
    assert refused.status_code == 403


def test_absence_request_and_decision(world):
    with travel(at_minutes(world, -90)):
        response = bearer(world.participant).post(
            f"{API}/absence-requests",
            {"session_id": world.session_a.pk, "status": "sakit", "reason": "Demam"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        again = bearer(world.participant).post(
            f"{API}/absence-requests",
            {"session_id": world.session_a.pk, "status": "sakit", "reason": "Demam"},
            content_type="application/json",
        )
        assert again.status_code == 409 and again.json()["code"] == "already_pending"
        request_id = response.json()["id"]
        coach = bearer(world.coach).post(
            f"{API}/absence-requests/{request_id}/decision",
            {"approve": True},
            content_type="application/json",
        )
        assert coach.status_code == 403
        decided = bearer(world.organiser).post(
            f"{API}/absence-requests/{request_id}/decision",
            {"approve": True, "note": "Semoga lekas sembuh"},
            content_type="application/json",
        )
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert AbsenceRequest.objects.get().state == "approved"
    record = AttendanceRecord.objects.get(session=world.session_a)
    assert (record.status, record.method) == (Status.SAKIT, Method.EXCUSE)
    listed = bearer(world.other_participant).get(f"{API}/absence-requests").json()
    assert listed["count"] == 0
    assert bearer(world.participant).get(f"{API}/absence-requests").json()["count"] == 1


def test_an_absence_for_a_session_out_of_scope_names_the_field(world):
    with travel(at_minutes(world, -90)):
        response = bearer(world.other_participant).post(
            f"{API}/absence-requests",
            {"session_id": world.session_a.pk, "status": "izin", "reason": "Duka"},
            content_type="application/json",
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "session_id"


def test_check_in_by_code_then_again(world):
    moment = at_minutes(world, 3)
    code = make_code(world.session_a.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)
    body = {"session_id": world.session_a.pk, "code": code, "device_id": DEVICE}
    with travel(moment):
        first = bearer(world.participant).post(
            f"{API}/check-in", body, content_type="application/json"
        )
        second = bearer(world.participant).post(
            f"{API}/check-in", body, content_type="application/json"
        )
    assert first.status_code == 201, first.content
    assert first.json()["record"]["status"] == "hadir" and first.json()["created"] is True
    assert second.status_code == 200 and second.json()["created"] is False
    assert AttendanceRecord.objects.filter(session=world.session_a).count() == 1


def test_a_repeated_check_in_reads_the_session_once_after_the_scope(
    world, django_assert_num_queries
):
    moment = at_minutes(world, 3)
    code = make_code(world.session_a.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)
    body = {"session_id": world.session_a.pk, "code": code, "device_id": DEVICE}
    client = bearer(world.participant)
    with travel(moment):
        client.post(f"{API}/check-in", body, content_type="application/json")
        # The token with its user and their person, then the session with all the
        # check-in reads of this person (their record among it): nothing read twice. An
        # enrolled participant sees the session, so the scope is read only for others.
        with django_assert_num_queries(2):
            again = client.post(f"{API}/check-in", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False


def test_a_wrong_code_is_refused_with_its_reason(world):
    with travel(at_minutes(world, 3)):
        response = bearer(world.participant).post(
            f"{API}/check-in",
            {"session_id": world.session_a.pk, "code": "ZZZZZZ", "device_id": DEVICE},
            content_type="application/json",
        )
    assert response.status_code == 400 and response.json()["code"] == "bad_code"
    assert not AttendanceRecord.objects.exists()


def test_the_coach_checks_a_participant_in(world):
    person = person_of(world.participant)
    url = f"{API}/sessions/{world.session_a.pk}/check-in/{person.pk}"
    with travel(at_minutes(world, 15)):
        refused = bearer(world.participant).post(url, {}, content_type="application/json")
        response = bearer(world.coach).post(
            url, {"method": "coach_scan"}, content_type="application/json"
        )
    assert refused.status_code == 403
    assert response.status_code == 201, response.content
    record = AttendanceRecord.objects.get(session=world.session_a, person=person)
    assert (record.status, record.method) == (Status.TERLAMBAT, Method.COACH_SCAN)


def test_the_endpoints_are_in_the_schema(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/attendance/sessions/{session_id}/records",
        "/api/v1/attendance/sessions/{session_id}/records/{person_id}",
        "/api/v1/attendance/people/{person_id}/records",
        "/api/v1/attendance/records/{record_id}",
        "/api/v1/attendance/sessions/{session_id}/close",
        "/api/v1/attendance/absence-requests",
        "/api/v1/attendance/absence-requests/{request_id}/decision",
        "/api/v1/attendance/check-in",
        "/api/v1/attendance/sessions/{session_id}/check-in/{person_id}",
    ):
        assert path in paths, path


@pytest.mark.parametrize("size", [5, 40])
def test_session_records_cost_the_same_whatever_the_roster(
    world, size, django_assert_max_num_queries
):
    people = add_participants(world, size)
    with travel(at_minutes(world, 5)):
        for p in people:
            set_status(world.session_a, p, Status.HADIR, acting_user=world.coach)
    client = bearer(world.coach)
    with django_assert_max_num_queries(12):
        response = client.get(f"{API}/sessions/{world.session_a.pk}/records", {"page_size": 200})
    assert response.json()["count"] == size
