"""Organisers grant and revoke the coach, organiser and leader roles within their own
subtree only, never above it, never outside it, never administrator; administrators do
everything; every grant and revoke is audited (decision 81)."""

import json

import pytest

from cakap.core.models import AuditEntry
from cakap.people import services
from cakap.people.models import Person, RoleAssignment, Unit, User
from conftest import PASSWORD, client_for, in_english


@pytest.fixture
def sub(world):
    """An organiser over Dinas Kesehatan only, and a colleague of that office with a
    login and no role."""
    organiser = User.objects.create_user(email="sub-organiser@example.test", password=PASSWORD)
    Person.objects.create(
        nip="198101012006041011", name="Sub Organiser", unit=world.dinkes, user=organiser
    )
    RoleAssignment.objects.create(user=organiser, role="organiser", unit=world.dinkes)
    colleague = Person.objects.create(
        nip="198202022007042012",
        name="Rekan Dinkes",
        unit=world.dinkes,
        user=User.objects.create_user(email="rekan@example.test", password=PASSWORD),
    )
    return organiser, colleague


def _roles(person):
    return set(RoleAssignment.objects.filter(user__person=person).values_list("role", "unit__name"))


def _post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_organiser_grants_a_coach_role_and_it_is_audited(world):
    person = world.participant.person
    organiser = in_english(client_for(world.organiser))
    response = organiser.post(
        f"/people/{person.pk}/roles/grant/",
        {"role": "coach", "unit": world.regency.pk},
        follow=True,
    )
    assert "Participant is now Coach over Kabupaten Contoh." in response.content.decode()
    role = RoleAssignment.objects.get(user=world.participant, role="coach")
    assert role.unit == world.regency and role.granted_by == world.organiser
    entry = AuditEntry.objects.get(action="role.grant")
    assert entry.actor == world.organiser and entry.object_id == str(role.pk)
    assert entry.changes["role"] == [None, "coach"]
    # Granting it again changes nothing and writes no second entry.
    organiser.post(f"/people/{person.pk}/roles/grant/", {"role": "coach", "unit": world.regency.pk})
    assert AuditEntry.objects.filter(action="role.grant").count() == 1


def test_a_coach_role_makes_its_holder_a_coach_candidate_of_programmes_below(world):
    person = world.participant.person  # of Dinas Kesehatan, not the coaching unit
    page = client_for(world.organiser).get(f"/programmes/groups/{world.group_b.pk}/")
    assert page.status_code == 200
    candidates = page.context["coaches_form"].fields["coaches"].queryset
    assert person not in candidates
    services.grant_role(person, "coach", world.regency, acting_user=world.organiser)
    page = client_for(world.organiser).get(f"/programmes/groups/{world.group_b.pk}/")
    assert person in page.context["coaches_form"].fields["coaches"].queryset


def test_an_organiser_cannot_grant_administrator_rights(world):
    person = world.participant.person
    organiser = in_english(client_for(world.organiser))
    for target in (person, world.organiser.person):
        organiser.post(
            f"/people/{target.pk}/roles/grant/", {"role": "admin", "unit": world.regency.pk}
        )
        api = _post_json(
            organiser,
            f"/api/v1/people/{target.pk}/roles",
            {"role": "admin", "unit_id": world.regency.pk},
        )
        assert api.status_code == 403
        assert api.json()["code"] == "admin_only"
    assert not RoleAssignment.objects.filter(role="admin").exists()
    assert not User.objects.filter(is_staff=True).exclude(pk=world.admin.pk).exists()
    assert not User.objects.filter(is_superuser=True).exclude(pk=world.admin.pk).exists()
    assert not AuditEntry.objects.filter(action="role.grant").exists()


def test_nobody_is_made_staff_or_superuser_through_the_api(world):
    organiser = client_for(world.organiser)
    me = world.organiser.person
    response = organiser.patch(
        f"/api/v1/people/{me.pk}",
        json.dumps({"is_staff": True, "is_superuser": True}),
        content_type="application/json",
    )
    assert response.status_code in (200, 422)
    _post_json(organiser, f"/api/v1/people/{me.pk}/login", {"email": "x@example.test"})
    world.organiser.refresh_from_db()
    assert not world.organiser.is_staff and not world.organiser.is_superuser
    assert world.organiser.email == "organiser@example.test"


def test_an_organiser_cannot_grant_a_role_above_or_outside_their_subtree(world, sub):
    organiser, colleague = sub
    client = in_english(client_for(organiser))
    elsewhere = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    for role, unit in [
        ("organiser", world.regency),  # above
        ("leader", world.kecamatan),  # beside
        ("coach", elsewhere),  # another regency
    ]:
        api = _post_json(
            client, f"/api/v1/people/{colleague.pk}/roles", {"role": role, "unit_id": unit.pk}
        )
        assert api.status_code == 403, (role, unit)
        assert api.json()["code"] == "unit_out_of_scope"
        page = client.post(
            f"/people/{colleague.pk}/roles/grant/", {"role": role, "unit": unit.pk}, follow=True
        )
        assert page.status_code == 200
    assert _roles(colleague) == set()
    # Within it: the office itself.
    ok = _post_json(
        client,
        f"/api/v1/people/{colleague.pk}/roles",
        {"role": "leader", "unit_id": world.dinkes.pk},
    )
    assert ok.status_code == 201 and ok.json()["unit"]["id"] == world.dinkes.pk
    assert _roles(colleague) == {("leader", "Dinas Kesehatan")}


def test_an_organiser_cannot_grant_a_role_to_someone_outside_their_subtree(world, sub):
    organiser, _colleague = sub
    outsider = world.other_participant.person  # of Kecamatan Satu
    client = client_for(organiser)
    page = client.post(
        f"/people/{outsider.pk}/roles/grant/", {"role": "coach", "unit": world.dinkes.pk}
    )
    assert page.status_code == 404
    api = _post_json(
        client, f"/api/v1/people/{outsider.pk}/roles", {"role": "coach", "unit_id": world.dinkes.pk}
    )
    assert api.status_code == 404
    assert _roles(outsider) == set()


def test_a_person_without_a_login_gets_no_role(world):
    person = Person.objects.create(nip="199001012015031004", name="Baru", unit=world.dinkes)
    response = in_english(client_for(world.organiser)).post(
        f"/people/{person.pk}/roles/grant/", {"role": "coach", "unit": world.dinkes.pk}, follow=True
    )
    assert "Baru has no login yet; give them one first." in response.content.decode()
    assert not RoleAssignment.objects.filter(role="coach").exists()


def test_nobody_revokes_their_own_organiser_role(world):
    me = world.organiser.person
    mine = RoleAssignment.objects.get(user=world.organiser, role="organiser")
    client = in_english(client_for(world.organiser))
    page = client.post(f"/people/{me.pk}/roles/revoke/", {"role": mine.pk}, follow=True)
    assert "You cannot revoke your own Organiser role" in page.content.decode()
    api = client.delete(f"/api/v1/people/{me.pk}/roles/{mine.pk}")
    assert api.status_code == 403 and api.json()["code"] == "own_role"
    assert RoleAssignment.objects.filter(pk=mine.pk).exists()
    assert not AuditEntry.objects.filter(action="role.revoke").exists()
    # Nor does the page offer it.
    assert f'name="role" value="{mine.pk}"' not in client.get(f"/people/{me.pk}/").content.decode()


def test_an_organiser_revokes_a_role_of_their_subtree_and_it_is_audited(world, sub):
    _sub_organiser, colleague = sub
    role = services.grant_role(colleague, "leader", world.dinkes, acting_user=world.organiser)
    client = in_english(client_for(world.organiser))
    page = client.post(f"/people/{colleague.pk}/roles/revoke/", {"role": role.pk}, follow=True)
    assert "Rekan Dinkes is no longer Leader over Dinas Kesehatan." in page.content.decode()
    assert _roles(colleague) == set()
    entry = AuditEntry.objects.get(action="role.revoke")
    assert entry.actor == world.organiser and entry.object_id == str(role.pk)
    assert entry.changes["role"] == ["leader", None]
    # A retry changes nothing (the role is gone: 404 on the page and the API).
    assert (
        client.post(f"/people/{colleague.pk}/roles/revoke/", {"role": role.pk}).status_code == 404
    )
    assert AuditEntry.objects.filter(action="role.revoke").count() == 1


def test_an_organiser_cannot_revoke_a_role_above_their_subtree(world, sub):
    organiser, colleague = sub
    above = services.grant_role(colleague, "leader", world.regency, acting_user=world.admin)
    other_organiser = services.grant_role(
        colleague, "organiser", world.dinkes, acting_user=world.admin
    )
    client = client_for(organiser)
    assert (
        client.post(f"/people/{colleague.pk}/roles/revoke/", {"role": above.pk}).status_code == 404
    )
    api = client.delete(f"/api/v1/people/{colleague.pk}/roles/{above.pk}")
    assert api.status_code == 403
    assert RoleAssignment.objects.filter(pk=above.pk).exists()
    # A peer's role over the same office is within the subtree.
    assert (
        client.delete(f"/api/v1/people/{colleague.pk}/roles/{other_organiser.pk}").status_code
        == 204
    )
    assert not RoleAssignment.objects.filter(pk=other_organiser.pk).exists()


def test_an_administrator_grants_and_revokes_any_role(world):
    person = world.coach.person
    admin = client_for(world.admin)
    granted = _post_json(
        admin, f"/api/v1/people/{person.pk}/roles", {"role": "admin", "unit_id": world.regency.pk}
    )
    assert granted.status_code == 201
    role_id = granted.json()["id"]
    listed = admin.get(f"/api/v1/people/{person.pk}/roles").json()
    assert [r["role"] for r in listed] == ["admin"]
    assert admin.delete(f"/api/v1/people/{person.pk}/roles/{role_id}").status_code == 204
    assert not RoleAssignment.objects.filter(user=world.coach).exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["role.grant", "role.revoke"]


def test_the_role_list_shows_the_scope_only_in_a_fixed_number_of_queries(
    world, sub, django_assert_max_num_queries
):
    organiser, colleague = sub
    services.grant_role(colleague, "coach", world.dinkes, acting_user=organiser)
    for i in range(12):  # logins without a person (shown by email), and people
        user = User.objects.create_user(email=f"k{i}@example.test")
        if i % 2:
            Person.objects.create(
                nip=f"1980010120050110{i + 10}", name=f"K{i}", unit=world.dinkes, user=user
            )
        RoleAssignment.objects.create(user=user, role="leader", unit=world.dinkes)
    client = in_english(client_for(organiser))
    with django_assert_max_num_queries(8):
        page = client.get("/roles/")
    body = page.content.decode()
    assert "Rekan Dinkes" in body and "Sub Organiser" in body
    assert "Organiser" in body
    # Roles over units above or beside the office are not listed.
    assert "Kabupaten Contoh" not in body and "BKPSDM" not in body
    assert page.context["page"].paginator.count == 15
    coaches = client.get("/roles/", {"role": "coach"}).context["page"].paginator.count
    assert coaches == 1
    with django_assert_max_num_queries(6):
        api = client.get("/api/v1/roles")
    assert api.json()["count"] == 15
    assert client_for(world.participant).get("/roles/").status_code == 404
    assert client_for(world.coach).get("/api/v1/roles").status_code == 403
