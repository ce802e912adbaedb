"""/api/v1/units, /api/v1/people and /api/v1/me: scopes, filters, writes, query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person, Unit
from cakap.people.tokens import issue_token
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
EVERYONE = {"Organiser", "Coach", "Participant", "Other", "Leader"}
# people_visible_to, persona by persona (see cakap/people/access.py)
PEOPLE_SEEN = {
    "organiser": EVERYONE,
    "coach": {"Coach", "Participant"},
    "participant": {"Participant", "Coach"},
    "other_participant": {"Other"},  # group B has no coach; group A's is not theirs
    "leader": {"Leader", "Participant"},
    "leader_other": {"Organiser"},
    "admin": EVERYONE,
}


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_list_shows_the_persona_scope(world, persona):
    response = client_for(getattr(world, persona)).get("/api/v1/people")
    assert names(response) == PEOPLE_SEEN[persona]
    assert response.json()["count"] == len(PEOPLE_SEEN[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_list_is_the_same_through_a_token(world, persona):
    response = bearer(getattr(world, persona)).get("/api/v1/people")
    assert names(response) == PEOPLE_SEEN[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(EVERYONE))
def test_person_detail_outside_scope_is_404(world, persona, name):
    person = Person.objects.get(name=name)
    response = client_for(getattr(world, persona)).get(f"/api/v1/people/{person.pk}")
    if name in PEOPLE_SEEN[persona]:
        assert response.status_code == 200
        assert response.json()["id"] == person.pk
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_person_detail_shows_the_nip_plain_and_grouped(world):
    person = Person.objects.get(name="Participant")
    body = client_for(world.organiser).get(f"/api/v1/people/{person.pk}").json()
    assert body["nip"] == "196803032000121003"
    assert body["nip_grouped"] == "19680303 200012 1 003"
    assert body["unit"] == {"id": world.dinkes.pk, "name": "Dinas Kesehatan", "short_name": ""}
    assert body["has_login"] is True


@pytest.mark.parametrize(
    "url", ["/api/v1/people", "/api/v1/units", "/api/v1/me", "/api/v1/people/1", "/api/v1/units/1"]
)
def test_anonymous_is_refused_with_401(world, url):
    response = client_for(None).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_people_filter_by_text_and_nip_digits(world):
    client = client_for(world.organiser)
    assert names(client.get("/api/v1/people", {"q": "partic"})) == {"Participant"}
    assert names(client.get("/api/v1/people", {"q": "1968 0303"})) == {"Participant"}
    assert names(client.get("/api/v1/people", {"q": "kesehatan"})) == {"Participant", "Leader"}


def test_people_filter_by_unit_includes_its_sub_units(world):
    client = client_for(world.organiser)
    ward = Unit.objects.create(name="Puskesmas", parent=world.dinkes)
    Person.objects.create(nip="198001012005011001", name="Nurse", unit=ward)
    assert names(client.get("/api/v1/people", {"unit": world.dinkes.pk})) == {
        "Participant",
        "Leader",
        "Nurse",
    }
    assert names(client.get("/api/v1/people", {"unit": ward.pk})) == {"Nurse"}


def test_people_filter_with_an_unknown_unit_names_the_field(world):
    response = client_for(world.organiser).get("/api/v1/people", {"unit": 999999})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit"]


def test_people_pages_are_bounded(world):
    client = client_for(world.admin)
    first = client.get("/api/v1/people", {"page_size": 2}).json()
    second = client.get("/api/v1/people", {"page_size": 2, "page": 2}).json()
    assert first["count"] == 5 and first["page_size"] == 2 and len(first["items"]) == 2
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in second["items"]})
    too_big = client.get("/api/v1/people", {"page_size": 10_000})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "page_size"


def _add_people(unit: Unit, n: int, start: int = 100) -> None:
    Person.objects.bulk_create(
        Person(nip=f"19700101200003{start + i:04d}", name=f"P{i}", unit=unit) for i in range(n)
    )


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["organiser", "admin", "coach", "leader"])
def test_people_list_queries_do_not_grow_per_row(world, persona, django_assert_max_num_queries):
    client = client_for(getattr(world, persona))
    few = _count_queries(client, "/api/v1/people")
    _add_people(world.dinkes, 30)
    with django_assert_max_num_queries(8):
        many = client.get("/api/v1/people")
    assert many.status_code == 200
    assert _count_queries(client, "/api/v1/people") == few


def test_units_list_and_detail(world):
    client = client_for(world.participant)
    body = client.get("/api/v1/units").json()
    assert body["count"] == 5
    assert body["items"][0] == {
        "id": world.regency.pk,
        "name": "Kabupaten Contoh",
        "short_name": "",
        "kind": "regency",
        "parent_id": None,
        "aliases": [],
    }
    children = client.get("/api/v1/units", {"parent": world.regency.pk}).json()
    assert children["count"] == 4
    assert client.get(f"/api/v1/units/{world.dinkes.pk}").json()["name"] == "Dinas Kesehatan"
    assert client.get("/api/v1/units/999999").status_code == 404


def test_units_list_queries_do_not_grow_per_row(world, django_assert_max_num_queries):
    client = client_for(world.leader_other)
    few = _count_queries(client, "/api/v1/units")
    for i in range(20):
        Unit.objects.create(name=f"Bidang {i}", parent=world.dinkes)
    with django_assert_max_num_queries(6):  # the aliases of the page's units: one query
        client.get("/api/v1/units")
    assert _count_queries(client, "/api/v1/units") == few


def test_me_names_the_caller_and_roles(world):
    body = bearer(world.leader).get("/api/v1/me").json()
    assert body["email"] == "leader@example.test"
    assert body["person"]["name"] == "Leader"
    assert body["roles"] == [
        {
            "role": "leader",
            "unit": {"id": world.dinkes.pk, "name": "Dinas Kesehatan", "short_name": ""},
        }
    ]
    assert bearer(world.leader_other).get("/api/v1/me").json()["person"] is None


# ---------------------------------------------------------------- writes

NEW_PERSON = {
    "nip": "19800101 200501 1 007",
    "name": "Budi Santoso",
    "title_prefix": "Dr.",
    "title_suffix": "M.Si.",
    "rank": "III/d",
    "position": "Kepala Bidang",
}


def test_organiser_adds_a_person_through_a_token(world):
    response = bearer(world.organiser).post(
        "/api/v1/people",
        {**NEW_PERSON, "unit_id": world.dinkes.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nip"] == "198001012005011007"
    assert body["nip_grouped"] == "19800101 200501 1 007"
    assert body["full_name"] == "Dr. Budi Santoso, M.Si."
    person = Person.objects.get(nip="198001012005011007")
    assert person.unit == world.dinkes and person.rank == "III/d"
    entry = AuditEntry.objects.get(object_type="people.person", object_id=str(person.pk))
    assert entry.actor == world.organiser


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "leader_other"])
def test_others_may_not_add_people(world, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/v1/people",
        {**NEW_PERSON, "unit_id": world.dinkes.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Person.objects.filter(name="Budi Santoso").exists()


def test_a_bad_nip_is_refused_naming_the_field(world):
    response = bearer(world.organiser).post(
        "/api/v1/people",
        {**NEW_PERSON, "nip": "19800101 200501 3 007", "unit_id": world.dinkes.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "nip" and body["code"] == "invalid_nip"
    assert body["message"]


def test_a_duplicate_nip_is_a_conflict(world):
    response = bearer(world.organiser).post(
        "/api/v1/people",
        {**NEW_PERSON, "nip": "196803032000121003", "unit_id": world.dinkes.pk},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_nip"
    assert Person.objects.filter(nip="196803032000121003").count() == 1


def test_missing_fields_are_named(world):
    response = bearer(world.organiser).post(
        "/api/v1/people", {"nip": "198001012005011007"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"name", "unit_id"}


def test_organiser_changes_a_person(world):
    person = Person.objects.get(name="Participant")
    response = bearer(world.organiser).patch(
        f"/api/v1/people/{person.pk}",
        {"position": "Sekretaris Dinas", "unit_id": world.kecamatan.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["position"] == "Sekretaris Dinas"
    person.refresh_from_db()
    assert person.position == "Sekretaris Dinas" and person.unit == world.kecamatan
    entry = AuditEntry.objects.filter(object_type="people.person", object_id=str(person.pk)).first()
    assert entry is not None and entry.actor == world.organiser
    assert entry.changes["position"] == ["", "Sekretaris Dinas"]


def test_a_visible_person_that_one_may_not_edit_is_403(world):
    person = Person.objects.get(name="Participant")
    response = bearer(world.coach).patch(
        f"/api/v1/people/{person.pk}", {"position": "X"}, content_type="application/json"
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.position == ""


def test_an_invisible_person_is_404_for_writes_too(world):
    person = Person.objects.get(name="Other")
    response = bearer(world.leader).patch(
        f"/api/v1/people/{person.pk}", {"position": "X"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_null_in_a_partial_update_is_refused(world):
    person = Person.objects.get(name="Participant")
    response = bearer(world.organiser).patch(
        f"/api/v1/people/{person.pk}", {"name": None}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
