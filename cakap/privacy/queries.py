"""Reads of a person's data: each app's part of it (its `personal_data` module), the
history of its processing (audit entries, their own actions, the reads of it), the log of
reads for administrators, and what retention would change now."""

import dataclasses
import datetime
import functools
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from cakap.attendance import personal_data as attendance_data
from cakap.core.models import AuditEntry
from cakap.core.personal_data import Table
from cakap.people import personal_data as people_data
from cakap.people.models import DataRead, Person, User
from cakap.programmes.models import Enrolment


@functools.cache
def parts() -> tuple[tuple[AppConfig, ModuleType], ...]:
    """Every installed app's `personal_data` module that exports something, in the order
    of INSTALLED_APPS: a new app adds its part by adding the module."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("cakap.") and module_has_submodule(
            config.module, "personal_data"
        ):
            module = import_module(f"{config.name}.personal_data")
            if hasattr(module, "export"):
                found.append((config, module))
    return tuple(found)


@dataclasses.dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclasses.dataclass
class Export:
    person: Person
    generated_at: datetime.datetime
    sections: list[Section]
    processing: list[Table]


def _who(user: User | None) -> str:
    """A reader or actor by name (an official acting in office), else their login."""
    if user is None:
        return str(_("the system"))
    person = getattr(user, "person", None)
    return person.full_name if person is not None else (user.display_name or user.email)


def audit_about(person: Person) -> QuerySet[AuditEntry]:
    """Audit entries about the person's own objects, as every app names them."""
    q = Q(pk__in=[])
    for _config, module in parts():
        for object_type, ids in module.audit_refs(person):
            keys = [str(pk) for pk in ids]
            if keys:
                q |= Q(object_type=object_type, object_id__in=keys)
    return AuditEntry.objects.filter(q)


def reads_of(person: Person) -> QuerySet[DataRead]:
    """Reads of the person's data: of their profile, records and documents, and of files
    of a programme or group while they were enrolled in it."""
    q = Q(person=person)
    for e in Enrolment.objects.filter(person=person).only(
        "programme_id", "group_id", "enrolled_at", "ended_at"
    ):
        during = Q(at__gte=e.enrolled_at)
        if e.ended_at is not None:
            during &= Q(at__lte=e.ended_at)
        q |= during & (
            Q(scope=DataRead.Scope.PROGRAMME, scope_id=e.programme_id)
            | Q(scope=DataRead.Scope.GROUP, scope_id=e.group_id)
        )
    return DataRead.objects.filter(q).select_related("reader__person").order_by("at", "pk")


def _kind_label(object_type: str) -> str:
    """ "competence.attempt" as the model names itself in the active language."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _dash(value: object) -> object:
    return "—" if value in (None, "") else value


def _changes_text(entry: AuditEntry) -> str:
    return "; ".join(
        f"{field}: {_dash(before)} → {_dash(after)}" for field, before, after in entry.change_list()
    )


def processing_of(person: Person) -> list[Table]:
    """The history of the processing of the person's data: changes to it (audit), what
    they did themself (action and kind of object only: the objects may be other
    people's), and who read it."""
    about = audit_about(person).select_related("actor__person").order_by("at", "pk")
    tables = [
        Table(
            "audit_entries",
            _("Changes to your data (audit trail)"),
            [
                ("at", _("time")),
                ("action", _("action")),
                ("object", _("object")),
                ("changes", _("changes")),
                ("by", _("by")),
            ],
            [
                {
                    "at": e.at,
                    "action": e.action,
                    "object": f"{_kind_label(e.object_type)} #{e.object_id}",
                    "changes": _changes_text(e),
                    "by": _who(e.actor),
                }
                for e in about
            ],
        )
    ]
    if person.user_id is not None:
        actions = (
            AuditEntry.objects.filter(actor_id=person.user_id)
            .order_by("at", "pk")
            .values_list("at", "action", "object_type")
        )
        tables.append(
            Table(
                "own_actions",
                _("What you did in Cakap"),
                [("at", _("time")), ("action", _("action")), ("object_type", _("object type"))],
                [{"at": at, "action": a, "object_type": _kind_label(t)} for at, a, t in actions],
            )
        )
    tables.append(
        Table(
            "reads",
            _("Who read your data"),
            [
                ("at", _("time")),
                ("reader", _("read by")),
                ("what", _("what")),
                ("scope", _("scope")),
                ("detail", _("detail")),
            ],
            [
                {
                    "at": r.at,
                    "reader": _who(r.reader),
                    "what": r.get_kind_display(),
                    "scope": r.scope_label or r.get_scope_display(),
                    "detail": r.detail,
                }
                for r in reads_of(person)
            ],
        )
    )
    return tables


def export_of(person: Person) -> Export:
    """Everything Cakap holds about `person`, app by app, and its processing history."""
    person = Person.objects.select_related("unit", "user").get(pk=person.pk)
    sections = [
        Section(config.label, str(config.verbose_name), module.export(person))
        for config, module in parts()
    ]
    return Export(person, timezone.now(), sections, processing_of(person))


# --- The log of reads, for administrators ----------------------------------------------


@dataclasses.dataclass
class ReadFilters:
    reader: str = ""
    person: str = ""
    kind: str = ""
    scope: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def read_log(reads: QuerySet[DataRead], filters: ReadFilters) -> QuerySet[DataRead]:
    """The reads in `reads` (already scoped) matching `filters`, newest first."""
    found = reads.select_related("reader", "person")
    if filters.reader:
        found = found.filter(
            Q(reader__email__icontains=filters.reader)
            | Q(reader__person__name__icontains=filters.reader)
        )
    if filters.person:
        digits = "".join(ch for ch in filters.person if ch.isdigit())
        cond = Q(person__name__icontains=filters.person)
        if len(digits) >= 4:
            cond |= Q(person__nip__contains=digits)
        found = found.filter(cond)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.scope:
        found = found.filter(scope=filters.scope)
    if filters.since is not None:
        found = found.filter(at__date__gte=filters.since)
    if filters.until is not None:
        found = found.filter(at__date__lte=filters.until)
    return found.order_by("-at", "-pk")


# --- Retention ----------------------------------------------------------------------------


@dataclasses.dataclass
class RetentionPlan:
    """What retention changes at `now`: the people to anonymise and, per age limit, how
    many rows it clears or drops; `cutoffs` are the times before which each applies."""

    now: datetime.datetime
    cutoffs: dict[str, datetime.datetime]
    people: list[int]
    positions: int = 0
    device_ids: int = 0
    refused_check_ins: int = 0
    login_records: int = 0


def cutoffs(now: datetime.datetime) -> dict[str, datetime.datetime]:
    return {
        name: now - datetime.timedelta(days=days) for name, days in settings.RETENTION_DAYS.items()
    }


def people_to_anonymise(since: datetime.datetime) -> QuerySet[Person]:
    """People not yet anonymised with no activity in any app since `since`."""
    found = Person.objects.filter(anonymised_at__isnull=True, created_at__lt=since)
    for _config, module in parts():
        active = getattr(module, "active_since", None)
        if active is not None:
            found = found.exclude(pk__in=active(since).values("pk"))
    return found.order_by("pk")


def retention_plan(now: datetime.datetime | None = None) -> RetentionPlan:
    """What `apply_retention` would do now, counted without changing anything."""
    now = now or timezone.now()
    at = cutoffs(now)
    return RetentionPlan(
        now=now,
        cutoffs=at,
        people=list(people_to_anonymise(at["people"]).values_list("pk", flat=True)),
        positions=attendance_data.positions_before(at["positions"]).count(),
        device_ids=sum(qs.count() for qs in attendance_data.device_ids_before(at["device_ids"])),
        refused_check_ins=attendance_data.refused_check_ins_before(at["refused_check_ins"]).count(),
        login_records=sum(
            qs.count() for qs in people_data.login_records_before(at["login_records"])
        ),
    )
