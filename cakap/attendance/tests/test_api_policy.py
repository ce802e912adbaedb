"""/api/v1/attendance/: a programme's check-in rules and a session's venue, read by whoever
sees them and set by the programme's organisers, with the page's rules and audit."""

import pytest
from django.test import Client

from cakap.attendance.models import AttendancePolicy, SessionVenue
from cakap.attendance.tests.roll_support import at_minutes, travel
from cakap.core.models import AuditEntry
from cakap.people.tokens import issue_token
from cakap.programmes.models import Session

pytestmark = pytest.mark.django_db

API = "/api/v1/attendance"

RULES = {
    "opens_before_min": 15,
    "closes_after_min": 45,
    "late_after_min": 5,
    "code_period_s": 30,
    "code_grace_s": 20,
    "location_mode": "required",
    "latitude": -1.456789,
    "longitude": 101.234567,
    "radius_m": 150,
    "shared_device": "hold",
}
VENUE = {
    "venue": "Aula Kantor Camat",
    "address": "Jl. Pendidikan 2",
    "online_url": "",
    "latitude": -1.5,
    "longitude": 101.1,
    "radius_m": 100,
    "opens_before_min": 10,
    "closes_after_min": None,
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def put(user, path, body, **headers):
    return bearer(user).put(f"{API}{path}", body, content_type="application/json", **headers)


def changes_audited() -> bool:
    """Whether a policy, venue or session change was audited (issuing the test's token
    is audited too)."""
    actions = ("attendance_policy.updated", "session_venue.updated", "session.updated")
    return AuditEntry.objects.filter(action__in=actions).exists()


def policy_path(world) -> str:
    return f"/programmes/{world.programme.pk}/policy"


def venue_path(world) -> str:
    return f"/sessions/{world.session_a.pk}/venue"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coach", 200), ("participant", 200), ("leader", 200), ("leader_other", 404)],
)
def test_the_rules_are_read_by_whoever_sees_the_programme(world, persona, status):
    response = bearer(getattr(world, persona)).get(f"{API}{policy_path(world)}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["saved"] is False and body["opens_before_min"] == 30
        assert body["latitude"] is None and body["location_mode"] == "off"


def test_the_organiser_sets_the_rules_and_a_repeat_changes_nothing(world):
    first = put(world.organiser, policy_path(world), RULES)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["saved"] is True and body["latitude"] == -1.456789
    policy = AttendancePolicy.objects.get(programme=world.programme)
    assert (policy.late_after_min, policy.code_grace_s, policy.radius_m) == (5, 20, 150)
    assert str(policy.longitude) == "101.234567"
    again = put(world.organiser, policy_path(world), RULES)
    assert again.status_code == 200 and again.json() == body
    assert AuditEntry.objects.filter(action="attendance_policy.updated").count() == 1


@pytest.mark.parametrize("persona", ["coach", "participant", "leader"])
def test_who_sees_the_programme_but_does_not_organise_it_cannot_set_its_rules(world, persona):
    response = put(getattr(world, persona), policy_path(world), RULES)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not AttendancePolicy.objects.exists() and not changes_audited()


def test_the_rules_of_a_programme_out_of_sight_answer_404(world):
    assert put(world.leader_other, policy_path(world), RULES).status_code == 404
    assert not AttendancePolicy.objects.exists()


def test_lateness_outside_the_window_is_refused_with_its_field(world):
    response = put(
        world.organiser,
        policy_path(world),
        {**RULES, "late_after_min": 50},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "late_after_close" and body["field"] == "late_after_min"
    assert "jendela presensi" in body["message"]
    assert not AttendancePolicy.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"radius_m": 1}, "radius_m"),
        ({"opens_before_min": -1}, "opens_before_min"),
        ({"location_mode": "sometimes"}, "location_mode"),
    ],
)
def test_out_of_range_values_answer_422_naming_the_field(world, changes, field):
    response = put(world.organiser, policy_path(world), {**RULES, **changes})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not AttendancePolicy.objects.exists()


def test_a_missing_field_is_named_rather_than_reset(world):
    body = {k: v for k, v in RULES.items() if k != "shared_device"}
    response = put(world.organiser, policy_path(world), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shared_device"


def test_half_a_point_is_refused(world):
    response = put(world.organiser, policy_path(world), {**RULES, "longitude": None})
    assert response.status_code == 400 and response.json()["field"] == "longitude"


def test_the_code_cannot_change_through_the_api_while_a_check_in_is_open(world):
    with travel(at_minutes(world, 5)):
        response = put(world.organiser, policy_path(world), {**RULES, "code_period_s": 60})
    assert response.status_code == 409 and response.json()["code"] == "code_change_while_open"
    assert not AttendancePolicy.objects.exists()


def test_a_sessions_venue_is_read_with_its_effective_window(world):
    put(world.organiser, policy_path(world), RULES)
    response = bearer(world.participant).get(f"{API}{venue_path(world)}")
    assert response.status_code == 200
    body = response.json()
    assert body["venue"] == "Ruang Rapat" and body["opens_before_min"] is None
    assert body["check_in_opens_at"].endswith("08:45:00+07:00")
    assert body["late_after"].endswith("09:05:00+07:00")
    assert body["place"] == {
        "latitude": -1.456789,
        "longitude": 101.234567,
        "radius_m": 150,
        "source": "programme",
    }


def test_the_organiser_sets_a_sessions_venue(world):
    response = put(world.organiser, venue_path(world), VENUE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["check_in_opens_at"].endswith("08:50:00+07:00")
    assert body["place"]["source"] == "session" and body["address"] == "Jl. Pendidikan 2"
    assert Session.objects.get(pk=world.session_a.pk).venue == "Aula Kantor Camat"
    venue = SessionVenue.objects.get(session=world.session_a)
    assert venue.radius_m == 100 and venue.opens_before_min == 10
    assert AuditEntry.objects.filter(action="session_venue.updated").count() == 1
    assert put(world.organiser, venue_path(world), VENUE).status_code == 200
    assert AuditEntry.objects.filter(action="session_venue.updated").count() == 1


@pytest.mark.parametrize("persona", ["coach", "participant"])
def test_a_coach_or_participant_cannot_set_a_sessions_venue(world, persona):
    response = put(getattr(world, persona), venue_path(world), VENUE)
    assert response.status_code == 403
    assert not SessionVenue.objects.exists()
    assert Session.objects.get(pk=world.session_a.pk).venue == "Ruang Rapat"


def test_another_groups_participant_does_not_see_the_session(world):
    assert put(world.other_participant, venue_path(world), VENUE).status_code == 404
    assert bearer(world.other_participant).get(f"{API}{venue_path(world)}").status_code == 404


def test_a_bad_meeting_link_is_refused_and_nothing_is_written(world):
    response = put(world.organiser, venue_path(world), {**VENUE, "online_url": "not a link"})
    assert response.status_code == 400 and response.json()["field"] == "online_url"
    assert not SessionVenue.objects.exists()
    assert not changes_audited()


def test_the_schema_describes_the_operations(world):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/attendance/programmes/{programme_id}/policy"]) == {"get", "put"}
    assert set(paths["/api/v1/attendance/sessions/{session_id}/venue"]) == {"get", "put"}
    policy_in = schema["components"]["schemas"]["PolicyIn"]
    assert policy_in["properties"]["latitude"]["anyOf"][0]["maximum"] == 90
    assert set(policy_in["required"]) == set(RULES)
