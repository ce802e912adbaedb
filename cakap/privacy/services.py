"""Retention's writes: anonymising people with no activity past the configured age, and
dropping check-in positions, phone ids, refused check-ins and log-in records past
theirs (settings.RETENTION_DAYS). Run by `manage.py apply_retention`."""

import datetime

from django.db import transaction
from django.utils import timezone

from cakap.attendance import personal_data as attendance_data
from cakap.core import audit
from cakap.core.models import AuditEntry
from cakap.people import personal_data as people_data
from cakap.people.models import Person, User
from cakap.privacy.queries import RetentionPlan, audit_about, cutoffs, parts, people_to_anonymise

# Keys of audit changes whose values say who someone is or why they were away; an
# anonymised person's entries keep the keys and lose the values.
PERSONAL_KEYS = frozenset(
    {
        *people_data.IDENTIFYING_FIELDS,
        "reason",
        "decision_note",
        "end_reason",
        "document",
        "device_id",
        "latitude",
        "longitude",
        "accuracy_m",
    }
)


def _scrub_audit(person: Person, names: list[str], replacement: str) -> None:
    """Take the person's identity out of the audit entries about their objects."""
    for entry in audit_about(person):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        scrubbed = {
            key: ([None, None] if isinstance(value, list) else None)
            if key in PERSONAL_KEYS
            else value
            for key, value in changes.items()
        }
        text, note = entry.object_repr, entry.note
        for name in names:
            if name:
                text = text.replace(name, replacement)
                note = note.replace(name, replacement)
        AuditEntry.objects.filter(pk=entry.pk).update(
            changes=scrubbed, object_repr=text[:255], note=note[:255]
        )


def anonymise_person(person: Person, *, acting_user: User | None) -> None:
    """Replace who `person` is everywhere Cakap keeps it (every app's `anonymise`, and
    the audit entries about their objects), keeping the rows that reports count."""
    with transaction.atomic():
        names = [person.full_name, person.name, person.nip, person.nip_grouped]
        if person.user is not None:
            names.append(person.user.email)
        for _config, module in parts():
            anonymise = getattr(module, "anonymise", None)
            if anonymise is not None:
                anonymise(person, acting_user=acting_user)
        _scrub_audit(person, names, person.name)
        audit.record(
            "person.anonymise",
            person,
            before={"anonymised_at": None},
            after=audit.snapshot(person, ["anonymised_at"]),
            note="retention",
            acting_user=acting_user,
        )


def apply_retention(
    *, now: datetime.datetime | None = None, acting_user: User | None = None
) -> RetentionPlan:
    """Anonymise people with no activity since the people age and drop the details
    past their own ages; returns what was done. A second run finds nothing more."""
    now = now or timezone.now()
    at = cutoffs(now)
    done = RetentionPlan(now=now, cutoffs=at, people=[])
    with transaction.atomic():
        candidates = people_to_anonymise(at["people"]).select_related("user")
        for person in candidates.select_for_update(of=("self",)):
            anonymise_person(person, acting_user=acting_user)
            done.people.append(person.pk)
        done.positions = attendance_data.clear_positions_before(at["positions"])
        done.device_ids = attendance_data.clear_device_ids_before(at["device_ids"])
        done.refused_check_ins = attendance_data.drop_refused_check_ins_before(
            at["refused_check_ins"]
        )
        done.login_records = people_data.drop_login_records_before(at["login_records"])
    return done
