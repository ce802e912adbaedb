"""Every page of the audit trail opens, whatever the changes its entries hold."""

from cakap.core import audit
from cakap.core.models import AuditEntry
from conftest import client_for

PER_PAGE = 50


def _fill(world, n):
    """n entries about the programme, each by the organiser."""
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=world.organiser,
            action="update",
            object_type="programmes.programme",
            object_id=str(world.programme.pk),
            object_repr=str(world.programme),
            changes={"title": [f"Title {i}", f"Title {i + 1}"]},
        )
        for i in range(n)
    )


def test_page_three_shows_an_old_entry_whose_changed_field_is_named_items(world):
    # The oldest entry lands on page 3: adding items to an instrument records
    # {"items": [0, 8]}, and `changes.items` in a template reads that field, not the
    # dict's items (it answered 500 from page 3 of the demo's trail on).
    AuditEntry.objects.all().delete()
    audit.record(
        "add", world.programme, before={"items": 0}, after={"items": 8}, acting_user=world.admin
    )
    entry = AuditEntry.objects.get()
    AuditEntry.objects.filter(pk=entry.pk).update(at=entry.at.replace(year=2020))
    _fill(world, 2 * PER_PAGE + 3)
    client = client_for(world.admin)
    response = client.get("/audit/", {"page": 3})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<b>items</b>: 0 → 8" in body
    assert "Halaman 3 dari 3" in body


def test_each_page_of_the_trail_costs_the_same_queries(world, django_assert_max_num_queries):
    _fill(world, 3 * PER_PAGE)
    client = client_for(world.admin)
    client.get("/audit/")  # the session and the user are read once before counting
    for page in (1, 2, 3, 4):
        with django_assert_max_num_queries(8):
            assert client.get("/audit/", {"page": page}).status_code == 200
