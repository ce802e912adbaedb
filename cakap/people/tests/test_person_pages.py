"""Organisers add and edit people and browse the unit tree; everyone else gets 404."""

import pytest

from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, Unit, User
from conftest import PASSWORD, client_for, in_english


def form_data(world, **overrides):
    data = {
        "nip": "19900101 201503 1 004",
        "title_prefix": "Dr.",
        "name": "Budi Santoso",
        "title_suffix": "M.Si.",
        "employee_type": "pns",
        "rank": "III/c",
        "position": "Kepala Bidang",
        "job_level": "III",
        "unit": world.dinkes.pk,
        "phone": "+62 812 3456 7890",
        "email": "budi@example.go.id",
    }
    data.update(overrides)
    return data


def test_organiser_adds_a_person(world):
    client = client_for(world.organiser)
    assert client.get("/people/new/").status_code == 200
    response = client.post("/people/new/", form_data(world))
    person = Person.objects.get(nip="199001012015031004")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.full_name == "Dr. Budi Santoso, M.Si."
    assert person.phone == "081234567890"
    assert AuditEntry.objects.filter(action="person.create", actor=world.organiser).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "19900101 201503 1 004" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nip", "19901301 201503 1 004", "not a real birth date"),
        ("nip", "196803032000121003", "Another person already has this NIP."),
        ("phone", "12345", "9 to 14 digits"),
        ("name", "", "This field is required."),
    ],
)
def test_bad_input_is_shown_on_the_field_and_saves_nothing(world, field, value, message):
    client = client_for(world.organiser)
    before = Person.objects.count()
    response = in_english(client).post("/people/new/", form_data(world, **{field: value}))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert Person.objects.count() == before


def test_unit_outside_scope_is_not_offered(world):
    elsewhere = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    client = client_for(world.organiser)
    response = client.post("/people/new/", form_data(world, unit=elsewhere.pk))
    assert "unit" in response.context["form"].errors
    assert not Person.objects.filter(nip="199001012015031004").exists()


def test_edit_form_shows_grouped_nip_and_saves_changes(world):
    person = world.participant.person
    client = client_for(world.organiser)
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert 'value="19680303 200012 1 003"' in page
    data = form_data(world, nip="19680303.200012.1.003", name="Participant Baru")
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.nip == "196803032000121003"
    assert person.name == "Participant Baru"
    entry = AuditEntry.objects.get(action="person.update", object_id=str(person.pk))
    assert entry.changes["name"] == ["Participant", "Participant Baru"]
    assert "nip" not in entry.changes


def test_detail_offers_edit_only_to_who_may_edit(world):
    person = world.participant.person
    assert "/edit/" in client_for(world.organiser).get(f"/people/{person.pk}/").content.decode()
    assert "/edit/" not in client_for(world.leader).get(f"/people/{person.pk}/").content.decode()


def test_unit_tree_nests_units_under_their_parents(world):
    Unit.objects.create(name="Bidang Aplikasi", parent=world.diskominfo, kind=Unit.Kind.BIDANG)
    response = in_english(client_for(world.organiser)).get("/units/")
    html = response.content.decode()
    assert response.status_code == 200
    regency, diskominfo, bidang = (
        html.index("Kabupaten Contoh"),
        html.index("Diskominfo"),
        html.index("Bidang Aplikasi"),
    )
    assert regency < diskominfo < bidang
    # Bidang sits in a list nested inside Diskominfo's item: three levels deep.
    assert html[:bidang].count('<ul class="unit-tree">') == 3


def test_unit_tree_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(20):
        Unit.objects.create(name=f"Bidang {i}", parent=world.dinkes, kind=Unit.Kind.BIDANG)
    client = client_for(world.organiser)
    with django_assert_max_num_queries(6):
        client.get("/units/")


def test_person_list_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(20):
        Person.objects.create(nip=f"1990010120150310{i:02d}", name=f"P{i}", unit=world.dinkes)
    client = client_for(world.organiser)
    with django_assert_max_num_queries(6):
        client.get("/people/")


# --- Scope: every page refuses what is out of scope with 404 ---------------------------------

NOT_ORGANISERS = ["coach", "participant", "other_participant", "leader", "leader_other"]


@pytest.mark.parametrize("persona", NOT_ORGANISERS)
@pytest.mark.parametrize("url", ["/people/", "/people/new/", "/units/", "/people/import/"])
def test_organiser_pages_are_404_for_everyone_else(world, persona, url):
    client = client_for(getattr(world, persona))
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize(
    "url", ["/people/", "/people/new/", "/units/", "/people/1/", "/people/1/edit/"]
)
def test_anonymous_is_sent_to_login(world, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("persona", "target", "sees"),
    [
        ("organiser", "participant", True),
        ("organiser", "other_participant", True),
        ("admin", "other_participant", True),
        ("participant", "participant", True),
        ("participant", "other_participant", False),
        ("participant", "leader", False),
        ("coach", "participant", True),  # coaches group A
        ("coach", "other_participant", False),  # group B
        ("leader", "participant", True),  # same unit
        ("leader", "other_participant", False),
        ("leader_other", "participant", False),
        ("other_participant", "participant", False),
    ],
)
def test_person_detail_is_scoped(world, persona, target, sees):
    person = getattr(world, target).person
    response = client_for(getattr(world, persona)).get(f"/people/{person.pk}/")
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    ("persona", "target", "edits"),
    [
        ("organiser", "participant", True),
        ("admin", "other_participant", True),
        ("participant", "participant", False),
        ("coach", "participant", False),
        ("leader", "participant", False),
        ("leader_other", "participant", False),
    ],
)
def test_person_edit_is_scoped(world, persona, target, edits):
    person = getattr(world, target).person
    client = client_for(getattr(world, persona))
    assert client.get(f"/people/{person.pk}/edit/").status_code == (200 if edits else 404)
    response = client.post(f"/people/{person.pk}/edit/", form_data(world, name="Hacked"))
    assert response.status_code == (302 if edits else 404)
    person.refresh_from_db()
    assert (person.name == "Hacked") is edits


def test_missing_person_is_404(world):
    client = client_for(world.organiser)
    assert client.get("/people/999999/").status_code == 404
    assert client.get("/people/999999/edit/").status_code == 404


def test_organiser_of_one_unit_sees_and_edits_only_that_unit(world):
    user = User.objects.create_user(email="kec-org@example.test", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role="organiser", unit=world.kecamatan)
    client = client_for(user)
    listing = client.get("/people/").content.decode()
    assert "Other" in listing and "Participant" not in listing
    dinkes_person = world.participant.person
    assert client.get(f"/people/{dinkes_person.pk}/").status_code == 404
    assert client.get(f"/people/{dinkes_person.pk}/edit/").status_code == 404
    response = client.post("/people/new/", form_data(world, unit=world.dinkes.pk))
    assert "unit" in response.context["form"].errors
    assert not Person.objects.filter(nip="199001012015031004").exists()
