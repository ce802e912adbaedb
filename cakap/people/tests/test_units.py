"""Units through the pages and the API: add, rename, move, merge and aliases, each
within the organiser's own subtree (administrators everywhere), audited."""

import pytest

from cakap.competence.models import Framework
from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, Unit, UnitAlias, User
from cakap.programmes.models import Programme
from conftest import in_english

URL = "/units/"


@pytest.fixture
def tree(world):
    """Under Dinas Kesehatan: Bidang Pelayanan with Seksi Rujukan below it, and an
    organiser whose role is anchored at Dinas Kesehatan."""
    bidang = Unit.objects.create(name="Bidang Pelayanan", parent=world.dinkes, kind="bidang")
    seksi = Unit.objects.create(name="Seksi Rujukan", parent=bidang)
    dinkes_organiser = User.objects.create_user(email="dinkes-org@example.test")
    RoleAssignment.objects.create(user=dinkes_organiser, role="organiser", unit=world.dinkes)
    return bidang, seksi, dinkes_organiser


def _api(client, method, path, body=None):
    return client.generic(method, f"/api/v1{path}", json_body(body), "application/json")


def json_body(body):
    import json

    return json.dumps(body or {})


def _fresh(unit):
    return Unit.objects.get(pk=unit.pk)


# ---------------------------------------------------------------- add


def test_organiser_adds_a_unit_below_a_unit_of_their_subtree(world, as_user):
    client = in_english(as_user(world.organiser))
    response = client.post(
        "/units/new/",
        {
            "name": "  Dinas   Sosial ",
            "short_name": "Dinsos",
            "kind": "dinas",
            "parent": world.regency.pk,
        },
    )
    unit = Unit.objects.get(name="Dinas Sosial")
    assert response.status_code == 302
    assert response["Location"] == f"/units/{unit.pk}/"
    assert unit.parent == world.regency
    assert unit.path == f"{world.regency.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_organiser_cannot_add_a_unit_outside_or_above_their_subtree(world, tree, as_user):
    _bidang, _seksi, dinkes_organiser = tree
    client = in_english(as_user(dinkes_organiser))
    before = Unit.objects.count()
    for parent in (world.regency.pk, world.kecamatan.pk, ""):
        response = client.post("/units/new/", {"name": "X", "kind": "dinas", "parent": parent})
        assert response.status_code == 200
    assert Unit.objects.count() == before
    response = _api(client, "POST", "/units", {"name": "X", "parent_id": world.kecamatan.pk})
    assert response.status_code == 422
    response = _api(client, "POST", "/units", {"name": "X", "parent_id": None})
    assert response.status_code == 403
    assert Unit.objects.count() == before


def test_duplicate_name_under_the_same_parent_is_refused_by_name(world, as_user):
    client = in_english(as_user(world.organiser))
    response = client.post(
        "/units/new/", {"name": "dinas kesehatan", "kind": "dinas", "parent": world.regency.pk}
    )
    assert "A unit with this name already exists there." in response.text
    assert Unit.objects.filter(name__iexact="dinas kesehatan").count() == 1


# ---------------------------------------------------------------- rename


def test_renaming_keeps_the_old_names_as_aliases(world, as_user):
    Unit.objects.filter(pk=world.diskominfo.pk).update(short_name="Kominfo")
    client = as_user(world.organiser)
    response = client.post(
        f"/units/{world.diskominfo.pk}/",
        {
            "name": "Dinas Komunikasi, Informatika dan Persandian",
            "short_name": "Diskominfotik",
            "kind": "dinas",
            "parent": world.regency.pk,
        },
    )
    assert response.status_code == 302
    unit = _fresh(world.diskominfo)
    assert (unit.name, unit.short_name) == (
        "Dinas Komunikasi, Informatika dan Persandian",
        "Diskominfotik",
    )
    assert sorted(unit.aliases.values_list("name", flat=True)) == ["Diskominfo", "Kominfo"]
    entry = AuditEntry.objects.get(action="unit.update", object_id=str(unit.pk))
    assert entry.changes["name"] == ["Diskominfo", "Dinas Komunikasi, Informatika dan Persandian"]


def test_organiser_may_rename_the_unit_their_role_is_anchored_at(world, tree, as_user):
    _bidang, _seksi, dinkes_organiser = tree
    client = as_user(dinkes_organiser)
    response = client.post(
        f"/units/{world.dinkes.pk}/",
        {"name": "Dinas Kesehatan dan KB", "kind": "dinas", "parent": world.regency.pk},
    )
    assert response.status_code == 302
    assert _fresh(world.dinkes).name == "Dinas Kesehatan dan KB"
    assert _fresh(world.dinkes).parent_id == world.regency.pk  # kept where it was


# ---------------------------------------------------------------- move


def test_moving_a_unit_recomputes_the_path_of_its_whole_subtree(world, tree, as_user):
    bidang, seksi, _organiser = tree
    Person.objects.create(nip="199001012015031004", name="Ani", unit=seksi)
    client = as_user(world.organiser)
    response = _api(client, "PATCH", f"/units/{bidang.pk}", {"parent_id": world.kecamatan.pk})
    assert response.status_code == 200
    assert response.json()["parent_id"] == world.kecamatan.pk
    bidang, seksi = _fresh(bidang), _fresh(seksi)
    assert bidang.path == f"{world.kecamatan.path}{bidang.pk}/"
    assert seksi.path == f"{bidang.path}{seksi.pk}/"
    assert set(world.kecamatan.subtree()) == {_fresh(world.kecamatan), bidang, seksi}
    assert Person.objects.filter(unit__path__startswith=world.kecamatan.path).count() == 2
    entry = AuditEntry.objects.get(action="unit.move", object_id=str(bidang.pk))
    assert entry.changes["parent_id"] == [world.dinkes.pk, world.kecamatan.pk]


def test_a_unit_cannot_move_under_itself_or_its_descendants(world, tree, as_user):
    bidang, seksi, _organiser = tree
    client = in_english(as_user(world.admin))
    for parent in (bidang, seksi):
        response = _api(client, "PATCH", f"/units/{bidang.pk}", {"parent_id": parent.pk})
        assert response.status_code == 400
        assert response.json()["code"] == "cycle"
    response = client.post(
        f"/units/{world.dinkes.pk}/",
        {"name": "Dinas Kesehatan", "kind": "dinas", "parent": seksi.pk},
    )
    assert response.status_code == 400
    assert _fresh(bidang).parent_id == world.dinkes.pk
    assert _fresh(world.dinkes).path == f"{world.regency.path}{world.dinkes.pk}/"


def test_organiser_cannot_move_a_unit_out_of_their_subtree(world, tree, as_user):
    bidang, _seksi, dinkes_organiser = tree
    client = as_user(dinkes_organiser)
    response = _api(client, "PATCH", f"/units/{bidang.pk}", {"parent_id": world.kecamatan.pk})
    assert response.status_code == 422
    response = client.post(
        f"/units/{bidang.pk}/", {"name": "Bidang Pelayanan", "kind": "bidang", "parent": ""}
    )
    assert response.status_code == 400
    assert _fresh(bidang).parent_id == world.dinkes.pk


def test_organiser_cannot_lift_the_unit_their_role_is_anchored_at(world, tree, as_user):
    bidang, _seksi, dinkes_organiser = tree
    client = as_user(dinkes_organiser)
    # To the top, or under its own unit (a cycle): never above its scope.
    for body in ({"parent_id": bidang.pk}, {"parent_id": world.kecamatan.pk}):
        response = _api(client, "PATCH", f"/units/{world.dinkes.pk}", body)
        assert response.status_code in (400, 403, 422)
    # Nor can they touch the unit above it.
    response = _api(client, "PATCH", f"/units/{world.regency.pk}", {"name": "Mine"})
    assert response.status_code == 403
    assert client.get(f"/units/{world.regency.pk}/").status_code == 404
    assert _fresh(world.dinkes).parent_id == world.regency.pk
    assert _fresh(world.regency).name == "Kabupaten Contoh"


# ---------------------------------------------------------------- merge


def test_merge_moves_everything_that_names_the_unit_and_keeps_its_names(world, tree, as_user):
    bidang, seksi, dinkes_organiser = tree
    Unit.objects.filter(pk=world.diskominfo.pk).update(short_name="Kominfo")
    old = Unit.objects.create(name="Kantor Informasi Lama", short_name="KIL", parent=world.regency)
    child = Unit.objects.create(name="Seksi Data", parent=old)
    person = Person.objects.create(nip="199001012015031004", name="Ani", unit=old)
    leader = User.objects.create_user(email="lead@example.test")
    RoleAssignment.objects.create(user=leader, role="leader", unit=old)
    programme = Programme.objects.create(
        title="P",
        organiser_unit=old,
        coaching_unit=old,
        start_date="2026-01-05",
        end_date="2026-02-05",
    )
    framework = Framework.objects.create(code="X", name="X", builtin=False, owner_unit=old)
    UnitAlias(unit=old, name="Kantor Info").save()
    client = in_english(as_user(world.organiser))
    assert client.get(f"/units/{old.pk}/merge/").status_code == 200
    response = client.post(
        f"/units/{old.pk}/merge/", {"into": world.diskominfo.pk, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=old.pk).exists()
    into = world.diskominfo
    assert Person.objects.get(pk=person.pk).unit == into
    assert _fresh(child).parent == into and _fresh(child).path == f"{into.path}{child.pk}/"
    assert RoleAssignment.objects.get(user=leader).unit == into
    programme.refresh_from_db()
    assert (programme.organiser_unit, programme.coaching_unit) == (into, into)
    assert Framework.objects.get(pk=framework.pk).owner_unit == into
    assert sorted(into.aliases.values_list("name", flat=True)) == [
        "KIL",
        "Kantor Info",
        "Kantor Informasi Lama",
    ]
    entry = AuditEntry.objects.get(action="unit.merge", object_id=str(into.pk))
    assert entry.changes["merged_unit_id"][0] == old.pk
    assert entry.changes["moved"][1]["people.person.unit"] == [person.pk]


def test_merging_a_duplicate_role_keeps_one(world, as_user):
    old = Unit.objects.create(name="Lama", parent=world.regency)
    leader = User.objects.create_user(email="lead@example.test")
    RoleAssignment.objects.create(user=leader, role="leader", unit=old)
    RoleAssignment.objects.create(user=leader, role="leader", unit=world.dinkes)
    response = _api(
        as_user(world.admin), "POST", f"/units/{old.pk}/merge", {"into_id": world.dinkes.pk}
    )
    assert response.status_code == 200
    assert list(RoleAssignment.objects.filter(user=leader).values_list("unit", flat=True)) == [
        world.dinkes.pk
    ]


def test_merge_into_its_own_descendant_is_refused(world, tree, as_user):
    bidang, seksi, _organiser = tree
    client = in_english(as_user(world.admin))
    response = _api(client, "POST", f"/units/{bidang.pk}/merge", {"into_id": seksi.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "merge_into_own"
    response = _api(client, "POST", f"/units/{bidang.pk}/merge", {"into_id": bidang.pk})
    assert response.status_code == 400
    assert Unit.objects.filter(pk__in=[bidang.pk, seksi.pk]).count() == 2
    assert not AuditEntry.objects.filter(action="unit.merge").exists()


def test_merge_with_a_child_of_the_same_name_on_both_sides_is_refused(world, as_user):
    old = Unit.objects.create(name="Lama", parent=world.regency)
    Unit.objects.create(name="Bidang Umum", parent=old)
    Unit.objects.create(name="Bidang Umum", parent=world.dinkes)
    client = in_english(as_user(world.organiser))
    response = _api(client, "POST", f"/units/{old.pk}/merge", {"into_id": world.dinkes.pk})
    assert response.status_code == 409
    assert "“Bidang Umum”" in response.json()["message"]
    assert Unit.objects.filter(pk=old.pk).exists()


def test_organiser_cannot_merge_outside_their_subtree_nor_their_anchor(world, tree, as_user):
    bidang, seksi, dinkes_organiser = tree
    client = as_user(dinkes_organiser)
    # Their anchor into a unit of theirs is into its own descendant; into a unit
    # outside their subtree is not a choice; a unit outside is not theirs.
    response = _api(client, "POST", f"/units/{world.dinkes.pk}/merge", {"into_id": bidang.pk})
    assert response.status_code == 400
    response = _api(client, "POST", f"/units/{bidang.pk}/merge", {"into_id": world.kecamatan.pk})
    assert response.status_code == 422
    response = _api(client, "POST", f"/units/{world.kecamatan.pk}/merge", {"into_id": seksi.pk})
    assert response.status_code == 403
    response = client.post(
        f"/units/{bidang.pk}/merge/", {"into": world.regency.pk, "confirm": "on"}
    )
    assert response.status_code == 400
    assert Unit.objects.filter(pk__in=[world.dinkes.pk, bidang.pk, world.kecamatan.pk]).count() == 3
    assert RoleAssignment.objects.get(user=dinkes_organiser).unit == world.dinkes


def test_merge_needs_the_confirmation(world, as_user):
    old = Unit.objects.create(name="Lama", parent=world.regency)
    response = as_user(world.organiser).post(f"/units/{old.pk}/merge/", {"into": world.dinkes.pk})
    assert response.status_code == 400
    assert Unit.objects.filter(pk=old.pk).exists()


# ---------------------------------------------------------------- aliases


def test_alias_is_added_once_and_removed(world, as_user):
    client = as_user(world.organiser)
    first = _api(client, "POST", f"/units/{world.dinkes.pk}/aliases", {"name": "Dinkes"})
    again = _api(client, "POST", f"/units/{world.dinkes.pk}/aliases", {"name": " DINKES "})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert list(world.dinkes.aliases.values_list("name", flat=True)) == ["Dinkes"]
    assert _api(client, "GET", f"/units/{world.dinkes.pk}").json()["aliases"] == ["Dinkes"]
    response = client.post(
        f"/units/{world.dinkes.pk}/aliases/remove/", {"alias": first.json()["id"]}
    )
    assert response.status_code == 302
    assert not world.dinkes.aliases.exists()
    assert AuditEntry.objects.filter(action="unit.alias_remove").count() == 1
    # Retrying the removal does no harm.
    assert (
        client.post(
            f"/units/{world.dinkes.pk}/aliases/remove/", {"alias": first.json()["id"]}
        ).status_code
        == 302
    )


def test_an_alias_names_one_unit(world, as_user):
    client = in_english(as_user(world.organiser))
    _api(client, "POST", f"/units/{world.dinkes.pk}/aliases", {"name": "Dinkes"})
    response = _api(client, "POST", f"/units/{world.kecamatan.pk}/aliases", {"name": "din-kes"})
    assert response.status_code == 409
    assert response.json()["message"] == "“din-kes” already names Dinas Kesehatan."
    response = client.post(f"/units/{world.kecamatan.pk}/aliases/", {"alias": "Diskominfo"})
    assert response.status_code == 400
    assert "already names Diskominfo" in response.text
    assert not world.kecamatan.aliases.exists()


def test_organiser_cannot_change_aliases_outside_their_subtree(world, tree, as_user):
    _bidang, _seksi, dinkes_organiser = tree
    UnitAlias(unit=world.kecamatan, name="Kec Satu").save()
    client = as_user(dinkes_organiser)
    alias = world.kecamatan.aliases.get()
    assert (
        _api(client, "POST", f"/units/{world.kecamatan.pk}/aliases", {"name": "K"}).status_code
        == 403
    )
    assert (
        _api(client, "DELETE", f"/units/{world.kecamatan.pk}/aliases/{alias.pk}").status_code == 403
    )
    assert (
        client.post(f"/units/{world.kecamatan.pk}/aliases/remove/", {"alias": alias.pk}).status_code
        == 404
    )
    assert world.kecamatan.aliases.count() == 1


# ---------------------------------------------------------------- pages


def test_unit_tree_links_only_the_units_one_manages(world, tree, as_user):
    _bidang, _seksi, dinkes_organiser = tree
    html = as_user(dinkes_organiser).get(URL).text
    assert f'href="/units/{world.dinkes.pk}/"' in html
    assert f'href="/units/{world.kecamatan.pk}/"' not in html
    assert 'href="/units/new/"' in html


def test_unit_pages_speak_indonesian_by_default(world, as_user):
    html = as_user(world.organiser).get(f"/units/{world.dinkes.pk}/").text
    assert "Nama lain dalam daftar" in html
    assert "Other names in rosters" not in html


def test_unit_tree_costs_a_fixed_number_of_queries(world, as_user, django_assert_max_num_queries):
    client = as_user(world.organiser)
    client.get(URL)
    for i in range(20):
        Unit.objects.create(name=f"Bidang {i}", parent=world.dinkes)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
