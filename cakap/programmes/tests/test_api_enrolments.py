"""/api/v1/enrolments: scopes, filters, enrol, move, withdraw, query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.people.tokens import issue_token
from cakap.programmes.models import Enrolment
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
# enrolments_visible_to, by the name of the enrolled person
ENROLMENTS_SEEN = {
    "organiser": {"Participant", "Other"},
    "coach": {"Participant"},
    "participant": {"Participant"},
    "other_participant": {"Other"},
    "leader": {"Participant"},
    "leader_other": set(),
    "admin": {"Participant", "Other"},
}


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def enrolment_of(name: str) -> Enrolment:
    return Enrolment.objects.get(person__name=name, status="active")


@pytest.mark.parametrize("persona", PERSONAS)
def test_enrolment_list_and_detail_follow_the_scope(world, persona):
    client = client_for(getattr(world, persona))
    listed = client.get("/api/v1/enrolments").json()
    assert {e["person"]["full_name"] for e in listed["items"]} == ENROLMENTS_SEEN[persona]
    for name in ("Participant", "Other"):
        response = client.get(f"/api/v1/enrolments/{enrolment_of(name).pk}")
        assert response.status_code == (200 if name in ENROLMENTS_SEEN[persona] else 404)


def test_anonymous_gets_401(world):
    assert client_for(None).get("/api/v1/enrolments").status_code == 401
    url = f"/api/v1/enrolments/{enrolment_of('Participant').pk}"
    assert client_for(None).get(url).status_code == 401


def test_enrolment_shows_person_unit_group_and_times(world):
    body = client_for(world.coach).get(f"/api/v1/enrolments/{enrolment_of('Participant').pk}")
    body = body.json()
    assert body["person"]["nip_grouped"] == "19680303 200012 1 003"
    assert body["unit"]["name"] == "Dinas Kesehatan"
    assert body["group"] == {"id": world.group_a.pk, "name": "A"}
    assert body["status"] == "active"
    assert body["enrolled_at"].endswith("+07:00")
    assert body["ended_at"] is None


def test_enrolments_filter_by_programme_group_and_status(world):
    client = client_for(world.organiser)
    Enrolment.objects.filter(group=world.group_b).update(status="withdrawn")
    assert client.get("/api/v1/enrolments", {"programme": world.programme.pk}).json()["count"] == 2
    assert client.get("/api/v1/enrolments", {"group": world.group_a.pk}).json()["count"] == 1
    assert client.get("/api/v1/enrolments", {"status": "withdrawn"}).json()["count"] == 1
    both = {"group": world.group_a.pk, "status": "withdrawn"}
    assert client.get("/api/v1/enrolments", both).json()["count"] == 0


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["organiser", "coach", "leader", "admin"])
def test_enrolment_list_queries_do_not_grow_per_row(world, persona, django_assert_max_num_queries):
    client = client_for(getattr(world, persona))
    few = _count(client, "/api/v1/enrolments")
    for i in range(25):
        person = Person.objects.create(
            nip=f"19700101200003{i:04d}", name=f"P{i}", unit=world.dinkes
        )
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)
    with django_assert_max_num_queries(8):
        client.get("/api/v1/enrolments")
    assert _count(client, "/api/v1/enrolments") == few


# ---------------------------------------------------------------- writes


@pytest.fixture
def newcomer(world) -> Person:
    return Person.objects.create(nip="198001012005011007", name="Newcomer", unit=world.dinkes)


def test_organiser_enrols_and_a_repeat_returns_the_same(world, newcomer):
    client = bearer(world.organiser)
    payload = {"group_id": world.group_a.pk, "person_id": newcomer.pk}
    first = client.post("/api/v1/enrolments", payload, content_type="application/json")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/enrolments", payload, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    enrolment = Enrolment.objects.get(person=newcomer)
    assert enrolment.group == world.group_a and enrolment.status == "active"
    assert AuditEntry.objects.filter(action="enrolment.created").count() == 1


@pytest.mark.parametrize("persona", ["coach", "participant", "leader"])
def test_non_managers_cannot_enrol(world, newcomer, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/v1/enrolments",
        {"group_id": world.group_a.pk, "person_id": newcomer.pk},
        content_type="application/json",
    )
    assert response.status_code in (403, 422)
    assert not Enrolment.objects.filter(person=newcomer).exists()


def test_a_group_one_cannot_see_is_an_invalid_choice(world, newcomer):
    response = client_for(world.leader_other).post(
        "/api/v1/enrolments",
        {"group_id": world.group_a.pk, "person_id": newcomer.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "group_id"


def test_organiser_moves_a_participant(world):
    old = enrolment_of("Participant")
    response = bearer(world.organiser).post(
        f"/api/v1/enrolments/{old.pk}/move",
        {"to_group_id": world.group_b.pk, "reason": "Jadwal bentrok"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    new = enrolment_of("Participant")
    assert response.json()["id"] == new.pk and new.group == world.group_b
    old.refresh_from_db()
    assert old.status == "moved" and old.end_reason == "Jadwal bentrok"
    assert AuditEntry.objects.filter(action="enrolment.moved", object_id=str(old.pk)).exists()


def test_moving_into_the_same_group_is_refused(world):
    old = enrolment_of("Participant")
    response = bearer(world.organiser).post(
        f"/api/v1/enrolments/{old.pk}/move",
        {"to_group_id": world.group_a.pk, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "same_group"
    assert response.json()["field"] == "to_group_id"


def test_organiser_withdraws_and_a_repeat_does_no_harm(world):
    enrolment = enrolment_of("Other")
    client = bearer(world.organiser)
    url = f"/api/v1/enrolments/{enrolment.pk}/withdraw"
    first = client.post(url, {"reason": "Pensiun"}, content_type="application/json")
    second = client.post(url, {"reason": "Pensiun"}, content_type="application/json")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "withdrawn"
    assert second.json()["ended_at"].endswith("+07:00")
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn" and enrolment.end_reason == "Pensiun"
    assert AuditEntry.objects.filter(action="enrolment.withdrawn").count() == 1


@pytest.mark.parametrize(("persona", "status"), [("coach", 403), ("other_participant", 404)])
def test_non_managers_cannot_withdraw(world, persona, status):
    enrolment = enrolment_of("Participant")
    response = client_for(getattr(world, persona)).post(
        f"/api/v1/enrolments/{enrolment.pk}/withdraw",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == status
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
