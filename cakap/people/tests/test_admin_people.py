"""The admin site registers the people models for administrators, with search and
filters, shows no password or token hash, and grants and revokes roles through the
services, audited."""

import pytest

from cakap.core.models import AuditEntry
from cakap.people import tokens
from cakap.people.models import ApiToken, RoleAssignment, User
from conftest import client_for

MODELS = ["unit", "person", "user", "roleassignment", "apitoken"]


@pytest.mark.parametrize("model", MODELS)
def test_every_people_model_is_listed_searched_and_opened_by_the_administrator(world, model):
    token, _key = tokens.issue_token(world.participant, "Skrip", acting_user=None)
    admin = client_for(world.admin)
    listing = admin.get(f"/admin/people/{model}/", {"q": "a"})
    assert listing.status_code == 200
    assert listing.context["cl"].search_fields  # searchable
    objects = {
        "unit": world.dinkes.pk,
        "person": world.participant.person.pk,
        "user": world.participant.pk,
        "roleassignment": RoleAssignment.objects.get(user=world.leader).pk,
        "apitoken": token.pk,
    }
    page = admin.get(f"/admin/people/{model}/{objects[model]}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert world.participant.password not in body
    assert "argon2" not in body
    assert token.key_hash not in body
    assert world.participant.feed_token not in body


def test_the_admin_site_is_closed_to_organisers(world):
    for path in ("/admin/people/user/", "/admin/people/roleassignment/add/"):
        response = client_for(world.organiser).get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_role_added_in_the_admin_is_granted_through_the_service(world):
    admin = client_for(world.admin)
    response = admin.post(
        "/admin/people/roleassignment/add/",
        {"user": world.coach.pk, "role": "organiser", "unit": world.diskominfo.pk},
    )
    assert response.status_code == 302
    role = RoleAssignment.objects.get(user=world.coach, role="organiser")
    assert role.granted_by == world.admin
    assert AuditEntry.objects.filter(action="role.grant", object_id=str(role.pk)).exists()
    revoked = admin.post(
        "/admin/people/roleassignment/",
        {"action": "revoke_selected", "_selected_action": [role.pk]},
    )
    assert revoked.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoke", object_id=str(role.pk)).exists()


def test_a_login_changed_in_the_admin_is_audited_without_its_secrets(world):
    admin = client_for(world.admin)
    user = world.participant
    response = admin.post(
        f"/admin/people/user/{user.pk}/change/",
        {
            "email": user.email,
            "display_name": "Peserta",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.is_staff
    entry = AuditEntry.objects.get(action="user.admin_updated", object_id=str(user.pk))
    assert entry.changes["is_staff"] == [False, True]
    assert "password" not in entry.changes and "feed_token" not in entry.changes


def test_tokens_are_revoked_in_the_admin_not_edited(world):
    token, _key = tokens.issue_token(world.participant, "Skrip", acting_user=None)
    admin = client_for(world.admin)
    assert admin.get("/admin/people/apitoken/add/").status_code == 403
    admin.post(
        "/admin/people/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert User.objects.filter(pk=world.participant.pk).exists()
