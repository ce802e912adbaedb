"""/api/v1/programmes and /api/v1/groups: scopes, filters, writes, query counts."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person, Unit
from cakap.people.tokens import issue_token
from cakap.programmes.models import Enrolment, Group, Module, Programme
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
SEES_PROGRAMME = {p: p != "leader_other" for p in PERSONAS}
GROUPS_SEEN = {
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


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# ---------------------------------------------------------------- programmes


@pytest.mark.parametrize("persona", PERSONAS)
def test_programme_list_and_detail_follow_the_scope(world, persona):
    client = client_for(getattr(world, persona))
    listed = client.get("/api/v1/programmes").json()
    detail = client.get(f"/api/v1/programmes/{world.programme.pk}")
    if SEES_PROGRAMME[persona]:
        assert [p["id"] for p in listed["items"]] == [world.programme.pk]
        assert detail.status_code == 200
    else:
        assert listed == {"items": [], "count": 0, "page": 1, "page_size": 50}
        assert detail.status_code == 404
        assert detail.json()["code"] == "not_found"


def test_programme_detail_carries_units_targets_and_modules(world):
    Module.objects.create(programme=world.programme, order=2, title="SRIKANDI")
    body = bearer(world.participant).get(f"/api/v1/programmes/{world.programme.pk}").json()
    assert body["title"] == "Coaching Clinic"
    assert body["status"] == "running"
    assert body["organiser_unit"]["name"] == "BKPSDM"
    assert body["coaching_unit"]["name"] == "Diskominfo"
    assert body["target_sessions"] == 12
    assert [m["title"] for m in body["modules"]] == ["Email", "SRIKANDI"]
    assert body["created_at"].endswith("+07:00")
    assert datetime.date.fromisoformat(body["start_date"]) == world.programme.start_date


def test_anonymous_gets_401(world):
    for url in ("/api/v1/programmes", f"/api/v1/programmes/{world.programme.pk}", "/api/v1/groups"):
        assert client_for(None).get(url).status_code == 401


def test_programmes_filter_by_status(world):
    client = client_for(world.admin)
    assert client.get("/api/v1/programmes", {"status": "running"}).json()["count"] == 1
    assert client.get("/api/v1/programmes", {"status": "draft"}).json()["count"] == 0
    bad = client.get("/api/v1/programmes", {"status": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"


def _more_programmes(world, n: int) -> None:
    for i in range(n):
        programme = Programme.objects.create(
            title=f"P{i}",
            organiser_unit=world.bkpsdm,
            coaching_unit=world.diskominfo,
            start_date=world.programme.start_date,
            end_date=world.programme.end_date,
        )
        Module.objects.create(programme=programme, title="M")
        group = Group.objects.create(programme=programme, name="G")
        group.coaches.add(world.coach.person)
        Enrolment.objects.create(
            programme=programme, group=group, person=Person.objects.get(name="Participant")
        )


@pytest.mark.parametrize("persona", ["organiser", "coach", "participant", "leader", "admin"])
def test_programme_list_queries_do_not_grow_per_row(world, persona, django_assert_max_num_queries):
    client = client_for(getattr(world, persona))
    few = count_queries(client, "/api/v1/programmes")
    _more_programmes(world, 12)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/programmes")
    assert response.json()["count"] == 13
    assert count_queries(client, "/api/v1/programmes") == few


NEW_PROGRAMME = {
    "title": "Klinik SRIKANDI",
    "learning_form": "coaching",
    "start_date": "2027-01-04",
    "end_date": "2027-01-29",
    "target_sessions": 12,
    "min_attendance_pct": 80,
    "jp_credit": 10,
}


def test_organiser_creates_a_programme(world):
    response = bearer(world.organiser).post(
        "/api/v1/programmes",
        {
            **NEW_PROGRAMME,
            "organiser_unit_id": world.bkpsdm.pk,
            "coaching_unit_id": world.diskominfo.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    programme = Programme.objects.get(title="Klinik SRIKANDI")
    assert response.json()["id"] == programme.pk
    assert programme.status == "draft" and programme.jp_credit == 10
    entry = AuditEntry.objects.get(action="programme.created", object_id=str(programme.pk))
    assert entry.actor == world.organiser


def test_a_programme_outside_the_organiser_scope_is_refused(world):
    elsewhere = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    response = bearer(world.organiser).post(
        "/api/v1/programmes",
        {**NEW_PROGRAMME, "organiser_unit_id": elsewhere.pk, "coaching_unit_id": elsewhere.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert not Programme.objects.filter(title="Klinik SRIKANDI").exists()


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "leader_other"])
def test_only_organisers_create_programmes(world, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/v1/programmes",
        {
            **NEW_PROGRAMME,
            "organiser_unit_id": world.bkpsdm.pk,
            "coaching_unit_id": world.diskominfo.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Programme.objects.filter(title="Klinik SRIKANDI").exists()


def test_dates_in_the_wrong_order_name_the_field(world):
    response = bearer(world.organiser).post(
        "/api/v1/programmes",
        {
            **NEW_PROGRAMME,
            "end_date": "2026-12-01",
            "organiser_unit_id": world.bkpsdm.pk,
            "coaching_unit_id": world.diskominfo.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "end_date"


def test_organiser_changes_a_programme(world):
    response = bearer(world.organiser).patch(
        f"/api/v1/programmes/{world.programme.pk}",
        {"status": "finished", "jp_credit": 8},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    world.programme.refresh_from_db()
    assert world.programme.status == "finished" and world.programme.jp_credit == 8
    entry = AuditEntry.objects.get(action="programme.updated")
    assert entry.changes["status"] == ["running", "finished"]


def test_a_forbidden_status_change_is_a_conflict(world):
    response = bearer(world.organiser).patch(
        f"/api/v1/programmes/{world.programme.pk}",
        {"status": "draft"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "status_transition"
    world.programme.refresh_from_db()
    assert world.programme.status == "running"


@pytest.mark.parametrize(("persona", "status"), [("coach", 403), ("leader_other", 404)])
def test_non_managers_cannot_change_a_programme(world, persona, status):
    response = client_for(getattr(world, persona)).patch(
        f"/api/v1/programmes/{world.programme.pk}",
        {"title": "Hacked"},
        content_type="application/json",
    )
    assert response.status_code == status
    world.programme.refresh_from_db()
    assert world.programme.title == "Coaching Clinic"


# ---------------------------------------------------------------- groups


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_and_detail_follow_the_scope(world, persona):
    client = client_for(getattr(world, persona))
    listed = client.get("/api/v1/groups").json()
    assert {g["name"] for g in listed["items"]} == GROUPS_SEEN[persona]
    for group in (world.group_a, world.group_b):
        response = client.get(f"/api/v1/groups/{group.pk}")
        assert response.status_code == (200 if group.name in GROUPS_SEEN[persona] else 404)


def test_group_shows_coaches_and_active_participants(world):
    Enrolment.objects.filter(group=world.group_b).update(status="withdrawn")
    client = client_for(world.organiser)
    a = client.get(f"/api/v1/groups/{world.group_a.pk}").json()
    assert a["coaches"] == [
        {
            "id": world.coach.person.pk,
            "nip": "198502022010011002",
            "nip_grouped": "19850202 201001 1 002",
            "full_name": "Coach",
        }
    ]
    assert a["participant_count"] == 1
    assert a["programme"] == {"id": world.programme.pk, "title": "Coaching Clinic"}
    assert client.get(f"/api/v1/groups/{world.group_b.pk}").json()["participant_count"] == 0


def test_groups_filter_by_programme(world):
    client = client_for(world.organiser)
    assert client.get("/api/v1/groups", {"programme": world.programme.pk}).json()["count"] == 2
    assert client.get("/api/v1/groups", {"programme": 999999}).json()["count"] == 0


@pytest.mark.parametrize("persona", ["organiser", "coach", "leader", "admin"])
def test_group_list_queries_do_not_grow_per_row(world, persona, django_assert_max_num_queries):
    client = client_for(getattr(world, persona))
    few = count_queries(client, "/api/v1/groups")
    _more_programmes(world, 12)
    with django_assert_max_num_queries(8):
        client.get("/api/v1/groups")
    assert count_queries(client, "/api/v1/groups") == few


def test_organiser_creates_a_group_with_coaches(world):
    coach = world.coach.person
    response = bearer(world.organiser).post(
        f"/api/v1/programmes/{world.programme.pk}/groups",
        {"name": "C", "coach_ids": [coach.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    group = Group.objects.get(programme=world.programme, name="C")
    assert list(group.coaches.all()) == [coach]
    assert response.json()["coaches"][0]["id"] == coach.pk
    assert AuditEntry.objects.filter(action="group.created", object_id=str(group.pk)).exists()


def test_a_taken_group_name_is_a_conflict(world):
    response = bearer(world.organiser).post(
        f"/api/v1/programmes/{world.programme.pk}/groups",
        {"name": "a"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json() | {"message": ""} == {
        "code": "group_name_taken",
        "field": "name",
        "message": "",
    }
    assert Group.objects.filter(programme=world.programme).count() == 2


def test_an_unknown_coach_is_named(world):
    response = bearer(world.organiser).post(
        f"/api/v1/programmes/{world.programme.pk}/groups",
        {"name": "C", "coach_ids": [999999]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "coach_ids"
    assert not Group.objects.filter(name="C").exists()


@pytest.mark.parametrize(("persona", "status"), [("participant", 403), ("leader_other", 404)])
def test_non_managers_cannot_create_groups(world, persona, status):
    response = client_for(getattr(world, persona)).post(
        f"/api/v1/programmes/{world.programme.pk}/groups",
        {"name": "C"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert not Group.objects.filter(name="C").exists()


# ---------------------------------------------------------------- modules


def test_organiser_adds_and_changes_modules(world):
    client = bearer(world.organiser)
    url = f"/api/v1/programmes/{world.programme.pk}/modules"
    response = client.post(url, {"title": "SRIKANDI"}, content_type="application/json")
    assert response.status_code == 201, response.content
    module = Module.objects.get(programme=world.programme, title="SRIKANDI")
    assert response.json() == {"id": module.pk, "order": 2, "title": "SRIKANDI", "summary": ""}
    response = client.patch(
        f"{url}/{module.pk}", {"summary": "Surat elektronik"}, content_type="application/json"
    )
    assert response.status_code == 200
    module.refresh_from_db()
    assert module.summary == "Surat elektronik"
    assert AuditEntry.objects.filter(action="module.added", object_id=str(module.pk)).exists()
    assert AuditEntry.objects.filter(action="module.updated", object_id=str(module.pk)).exists()


@pytest.mark.parametrize(("persona", "status"), [("coach", 403), ("leader_other", 404)])
def test_non_managers_cannot_add_modules(world, persona, status):
    response = client_for(getattr(world, persona)).post(
        f"/api/v1/programmes/{world.programme.pk}/modules",
        {"title": "X"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert world.programme.modules.count() == 1


def test_a_module_of_another_programme_is_404(world):
    other = Programme.objects.create(
        title="Other",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    module = Module.objects.create(programme=other, title="M")
    response = bearer(world.organiser).patch(
        f"/api/v1/programmes/{world.programme.pk}/modules/{module.pk}",
        {"title": "Y"},
        content_type="application/json",
    )
    assert response.status_code == 404
