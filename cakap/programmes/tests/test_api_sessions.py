"""/api/v1/sessions: scopes, date filters in WIB, plan, change, cancel, query counts."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cakap.core.formatting import JAKARTA
from cakap.core.models import AuditEntry
from cakap.people.tokens import issue_token
from cakap.programmes.models import Session
from conftest import client_for

PERSONAS = [
    "organiser",
    "coach",
    "participant",
    "other_participant",
    "leader",
    "leader_other",
    "admin",
]
SESSIONS_SEEN = {
    "organiser": {"A", "B"},
    "coach": {"A"},
    "participant": {"A"},
    "other_participant": {"B"},
    "leader": {"A"},
    "leader_other": set(),
    "admin": {"A", "B"},
}


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_session_list_and_detail_follow_the_scope(world, persona):
    client = client_for(getattr(world, persona))
    listed = client.get("/api/v1/sessions").json()
    assert {s["group"]["name"] for s in listed["items"]} == SESSIONS_SEEN[persona]
    for session in (world.session_a, world.session_b):
        response = client.get(f"/api/v1/sessions/{session.pk}")
        assert response.status_code == (
            200 if session.group.name in SESSIONS_SEEN[persona] else 404
        )


def test_anonymous_gets_401(world):
    assert client_for(None).get("/api/v1/sessions").status_code == 401
    assert client_for(None).get(f"/api/v1/sessions/{world.session_a.pk}").status_code == 401


def test_session_times_are_iso_with_the_wib_offset(world):
    body = client_for(world.participant).get(f"/api/v1/sessions/{world.session_a.pk}").json()
    starts = datetime.datetime.fromisoformat(body["starts_at"])
    assert body["starts_at"].endswith("T09:00:00+07:00")
    assert starts == world.session_a.starts_at
    assert body["title"] == "Email" and body["module"]["title"] == "Email"
    assert body["coach"]["full_name"] == "Coach"
    assert body["programme"] == {"id": world.programme.pk, "title": "Coaching Clinic"}
    assert body["venue"] == "Ruang Rapat"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=JAKARTA)


def test_sessions_filter_by_wib_dates_group_and_programme(world):
    today = world.session_a.starts_at.astimezone(JAKARTA).date()
    tomorrow = today + datetime.timedelta(days=1)
    # 06.30 WIB is still the previous day in UTC: the filter must use WIB days.
    early = Session.objects.create(
        group=world.group_a, starts_at=_at(tomorrow, 6), ends_at=_at(tomorrow, 8)
    )
    client = client_for(world.organiser)

    def ids(**params):
        return {s["id"] for s in client.get("/api/v1/sessions", params).json()["items"]}

    assert ids(**{"from": tomorrow.isoformat()}) == {early.pk}
    assert ids(to=today.isoformat()) == {world.session_a.pk, world.session_b.pk}
    assert ids(**{"from": today.isoformat(), "to": today.isoformat()}, group=world.group_a.pk) == {
        world.session_a.pk
    }
    assert ids(programme=world.programme.pk) == {world.session_a.pk, world.session_b.pk, early.pk}


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["organiser", "coach", "participant", "leader", "admin"])
def test_session_list_queries_do_not_grow_per_row(world, persona, django_assert_max_num_queries):
    client = client_for(getattr(world, persona))
    few = _count(client, "/api/v1/sessions")
    start = world.session_a.starts_at
    Session.objects.bulk_create(
        Session(
            group=group,
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=2),
            module=world.session_a.module,
            coach=world.session_a.coach,
        )
        for i in range(1, 16)
        for group in (world.group_a, world.group_b)
    )
    with django_assert_max_num_queries(8):
        client.get("/api/v1/sessions")
    assert _count(client, "/api/v1/sessions") == few


# ---------------------------------------------------------------- writes


def _new_session(world, **extra) -> dict[str, Any]:
    day = world.session_a.starts_at.astimezone(JAKARTA).date() + datetime.timedelta(days=2)
    return {
        "group_id": world.group_a.pk,
        "starts_at": _at(day, 9).isoformat(),
        "ends_at": _at(day, 11).isoformat(),
        "venue": "Aula Diskominfo",
        "topic": "Tanda tangan elektronik",
        **extra,
    }


def test_organiser_plans_a_session(world):
    payload = _new_session(
        world, module_id=world.session_a.module_id, coach_id=world.coach.person.pk
    )
    response = bearer(world.organiser).post(
        "/api/v1/sessions", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert session.starts_at == datetime.datetime.fromisoformat(payload["starts_at"])
    assert session.coach == world.coach.person and session.module == world.session_a.module
    assert session.status == "planned"
    assert AuditEntry.objects.filter(action="session.created", object_id=str(session.pk)).exists()


def test_times_in_utc_are_accepted_and_shown_in_wib(world):
    day = world.session_a.starts_at.astimezone(JAKARTA).date() + datetime.timedelta(days=3)
    payload = _new_session(
        world,
        starts_at=f"{day.isoformat()}T01:00:00Z",
        ends_at=f"{day.isoformat()}T03:00:00+00:00",
    )
    response = bearer(world.organiser).post(
        "/api/v1/sessions", payload, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["starts_at"] == f"{day.isoformat()}T08:00:00+07:00"


def test_a_coach_of_another_group_is_an_invalid_choice(world):
    response = bearer(world.organiser).post(
        "/api/v1/sessions",
        _new_session(world, group_id=world.group_b.pk, coach_id=world.coach.person.pk),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "coach_id"
    assert Session.objects.count() == 2


def test_a_session_ending_before_it_starts_names_the_field(world):
    payload = _new_session(world)
    payload["starts_at"], payload["ends_at"] = payload["ends_at"], payload["starts_at"]
    response = bearer(world.organiser).post(
        "/api/v1/sessions", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "ends_at"


@pytest.mark.parametrize(
    ("persona", "status"), [("coach", 403), ("participant", 403), ("leader_other", 422)]
)
def test_non_managers_cannot_plan_sessions(world, persona, status):
    response = client_for(getattr(world, persona)).post(
        "/api/v1/sessions", _new_session(world), content_type="application/json"
    )
    assert response.status_code == status
    assert Session.objects.count() == 2


def test_organiser_changes_a_session_and_clears_its_module(world):
    url = f"/api/v1/sessions/{world.session_a.pk}"
    response = bearer(world.organiser).patch(
        url, {"topic": "SRIKANDI", "module_id": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["module"] is None and response.json()["title"] == "SRIKANDI"
    world.session_a.refresh_from_db()
    assert world.session_a.topic == "SRIKANDI" and world.session_a.module is None
    entry = AuditEntry.objects.get(action="session.updated")
    assert entry.changes["topic"] == ["", "SRIKANDI"]


def test_a_held_session_can_be_marked(world):
    response = bearer(world.organiser).patch(
        f"/api/v1/sessions/{world.session_a.pk}",
        {"status": "held"},
        content_type="application/json",
    )
    assert response.status_code == 200
    world.session_a.refresh_from_db()
    assert world.session_a.status == "held"


def test_null_for_a_required_field_is_refused(world):
    response = bearer(world.organiser).patch(
        f"/api/v1/sessions/{world.session_a.pk}",
        {"starts_at": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"


@pytest.mark.parametrize(("persona", "status"), [("coach", 403), ("other_participant", 404)])
def test_non_managers_cannot_change_a_session(world, persona, status):
    response = client_for(getattr(world, persona)).patch(
        f"/api/v1/sessions/{world.session_a.pk}", {"topic": "x"}, content_type="application/json"
    )
    assert response.status_code == status
    world.session_a.refresh_from_db()
    assert world.session_a.topic == ""


def test_organiser_cancels_and_a_repeat_does_no_harm(world):
    client = bearer(world.organiser)
    url = f"/api/v1/sessions/{world.session_b.pk}/cancel"
    first = client.post(url, {"reason": "Libur daerah"}, content_type="application/json")
    second = client.post(url, {"reason": "Libur daerah"}, content_type="application/json")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "cancelled"
    world.session_b.refresh_from_db()
    assert world.session_b.status == "cancelled"
    assert world.session_b.status_reason == "Libur daerah"
    assert AuditEntry.objects.filter(action="session.cancelled").count() == 1


def test_a_cancelled_session_cannot_be_changed(world):
    client = bearer(world.organiser)
    client.post(
        f"/api/v1/sessions/{world.session_a.pk}/cancel",
        {"reason": "x"},
        content_type="application/json",
    )
    response = client.patch(
        f"/api/v1/sessions/{world.session_a.pk}", {"topic": "y"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "session_closed"


def test_organiser_moves_a_session_and_a_repeat_returns_the_same(world):
    day = world.session_a.starts_at.astimezone(JAKARTA).date() + datetime.timedelta(days=1)
    payload = {
        "starts_at": _at(day, 13).isoformat(),
        "ends_at": _at(day, 15).isoformat(),
        "reason": "Ruang dipakai",
    }
    client = bearer(world.organiser)
    url = f"/api/v1/sessions/{world.session_a.pk}/move"
    first = client.post(url, payload, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["starts_at"] == f"{day.isoformat()}T13:00:00+07:00"
    again = client.post(url, payload, content_type="application/json")
    assert again.json()["id"] == first.json()["id"]
    world.session_a.refresh_from_db()
    assert world.session_a.status == "moved"
    assert world.session_a.moved_to_id == first.json()["id"]
    assert AuditEntry.objects.filter(action="session.moved").count() == 1


def test_non_managers_cannot_move_a_session(world):
    day = world.session_a.starts_at.astimezone(JAKARTA).date() + datetime.timedelta(days=1)
    response = client_for(world.coach).post(
        f"/api/v1/sessions/{world.session_a.pk}/move",
        {"starts_at": _at(day, 13).isoformat(), "ends_at": _at(day, 15).isoformat(), "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    world.session_a.refresh_from_db()
    assert world.session_a.status == "planned"
