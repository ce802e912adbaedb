"""Tasks that exist for the background tests: importable by path, as a worker needs."""

from cakap.core.background import background_task
from cakap.core.models import AuditEntry

# How many times each flaky task should still fail; the tests set it.
failures_left = {"flaky": 0}


@background_task(max_attempts=3)
def flaky(note: str) -> str:
    """Fails while failures_left says so, then writes one audit entry."""
    if failures_left["flaky"] > 0:
        failures_left["flaky"] -= 1
        raise ConnectionError("the mail server did not answer")
    AuditEntry.objects.create(
        action="test.flaky", object_type="test", object_id=note, object_repr=note
    )
    return note


@background_task()
def write_note(note: str) -> None:
    """Idempotent: a second run finds the entry and writes nothing."""
    AuditEntry.objects.get_or_create(
        action="test.note", object_type="test", object_id=note, defaults={"object_repr": note}
    )
