"""The admin site lists programme models for administrators and audits its changes."""

import pytest

from cakap.core.models import AuditEntry
from conftest import client_for


@pytest.mark.parametrize(
    "model", ["programme", "module", "group", "enrolment", "session", "calendarday"]
)
def test_admin_lists_each_model(world, model):
    response = client_for(world.admin).get(f"/admin/programmes/{model}/")
    assert response.status_code == 200


def test_admin_change_is_audited(world):
    module = world.programme.modules.get()
    response = client_for(world.admin).post(
        f"/admin/programmes/module/{module.pk}/change/",
        {"programme": world.programme.pk, "order": 1, "title": "Email dinas", "summary": ""},
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title == "Email dinas"
    entry = AuditEntry.objects.get(action="module.admin_updated", object_id=str(module.pk))
    assert entry.actor == world.admin
    assert entry.changes == {"title": ["Email", "Email dinas"]}


def test_non_staff_cannot_use_the_admin(world):
    response = client_for(world.organiser).get("/admin/programmes/programme/")
    assert response.status_code == 302
