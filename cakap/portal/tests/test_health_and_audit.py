from cakap.core import audit
from cakap.core.models import AuditEntry
from conftest import client_for


def test_health_reads_the_database(world):
    response = client_for(None).get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_audit_trail_is_for_administrators_only(world):
    for persona in ["organiser", "coach", "participant", "leader"]:
        assert client_for(getattr(world, persona)).get("/audit/").status_code == 404
    assert client_for(None).get("/audit/").status_code == 302
    assert client_for(world.admin).get("/audit/").status_code == 200


def test_audit_trail_filters_by_object_type_and_shows_before_and_after(world):
    before = audit.snapshot(world.programme, ["title"])
    world.programme.title = "Renamed"
    audit.record(
        "update",
        world.programme,
        before=before,
        after=audit.snapshot(world.programme, ["title"]),
        acting_user=world.organiser,
    )
    audit.record("create", world.dinkes, acting_user=world.organiser)
    response = client_for(world.admin).get("/audit/", {"object_type": "programmes.programme"})
    body = response.content.decode()
    assert "Renamed" in body and "Coaching Clinic" in body
    assert "Dinas Kesehatan" not in body
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"title": ["Coaching Clinic", "Renamed"]}
    assert entry.actor == world.organiser


def test_audit_trail_shows_a_changed_field_named_like_a_dict_method(world):
    # Found by the scope sweep: adding items to an instrument records {"items": [0, 8]},
    # and the page read `changes.items` as that field, answering 500.
    audit.record(
        "add", world.programme, before={"items": 0}, after={"items": 8}, acting_user=world.organiser
    )
    response = client_for(world.admin).get("/audit/")
    assert response.status_code == 200
    assert "<b>items</b>: 0 → 8" in response.content.decode()
