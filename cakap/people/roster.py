"""Roster import: the XLSX and CSV lists of civil servants that BKPSDM keeps.

Reading the file and cleaning its cells is `roster_reading`'s; here: `read_roster` reads a
file into a plan (every row with its cleaned values, its problems
and what importing it would do); `apply_roster` re-reads and saves every valid row in
one transaction through the services. The page and the `import_roster` command share
both, so they cannot disagree.

Blank optional cells never erase what is recorded: an update changes only the fields
the file fills in.
"""

import datetime
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.core.errors import DomainError
from cakap.people import services
from cakap.people.access import is_admin, scope_paths
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.people.nip import format_nip
from cakap.people.roster_headers import header_field
from cakap.people.roster_reading import (
    FIELD_LABELS,
    HEADER_SEARCH_ROWS,
    MAX_FILE_BYTES,
    NotAPerson,
    RosterFileError,
    clean_row,
    read_table,
)
from cakap.people.roster_targets import EnrolmentReport, find_target
from cakap.people.roster_units import (
    UnitIndex,
    UnknownUnit,
    find_unit,
    note_unknown,
    resolve,
    unit_index,
    units_for_import,
    with_suggestions,
)

# The names other modules import from here.
__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_FILE_BYTES",
    "RosterFileError",
    "UnitIndex",
    "find_unit",
    "header_field",
    "units_for_import",
]

UPLOAD_DIR = "roster-imports"


# --- Plan ----------------------------------------------------------------------------------


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"


# The person fields an import may write, in the order they are shown.
IMPORTED_FIELDS = (
    "name",
    "title_prefix",
    "title_suffix",
    "rank",
    "position",
    "unit",
    "phone",
    "email",
)


@dataclass
class RosterRow:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    action: str = Action.SKIP
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    unit: Unit | None = None
    person: Person | None = None
    dropped: list[str] = field(default_factory=list)  # optional values left out, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def nip_grouped(self) -> str:
        return format_nip(self.values.get("nip", ""))

    @property
    def full_name(self) -> str:
        name = f"{self.values.get('title_prefix', '')} {self.values.get('name', '')}".strip()
        suffix = self.values.get("title_suffix", "")
        return f"{name}, {suffix}" if suffix else name

    @property
    def change_list(self) -> list[tuple[str, str, str]]:
        return [(str(FIELD_LABELS[k]), old, new) for k, (old, new) in self.changes.items()]


@dataclass
class RosterPlan:
    rows: list[RosterRow]
    columns: dict[str, str]
    ignored_columns: list[str]
    header_line: int
    header_last_line: int = 0
    not_people: list[NotAPerson] = field(default_factory=list)  # totals, signatures, notes
    # Unit names of the file that name no single unit, with suggestions (roster_units).
    unknown_units: list[UnknownUnit] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            a: self.count(a) for a in (Action.CREATE, Action.UPDATE, Action.UNCHANGED, Action.SKIP)
        }

    @property
    def with_values_left_out(self) -> int:
        """Rows to import that leave out an optional value (a bad phone, an email)."""
        return sum(1 for r in self.rows if r.dropped and r.action != Action.SKIP)

    @property
    def has_changes(self) -> bool:
        return any(r.action in (Action.CREATE, Action.UPDATE) for r in self.rows)


def parse_file(data: bytes, filename: str) -> RosterPlan:
    """Every data row of the file with its cleaned values and the problems that need no
    database (`roster_reading`). Raises RosterFileError when the file as a whole cannot
    be read."""
    table = read_table(data, filename)
    rows: list[RosterRow] = []
    first_line_of: dict[str, int] = {}
    for table_row in table.rows:
        cleaned = clean_row(table_row)
        parsed = RosterRow(
            line=table_row.line,
            values=cleaned.values,
            problems=cleaned.problems,
            dropped=cleaned.dropped,
        )
        nip = cleaned.values["nip"]
        if cleaned.nip_valid:
            if nip in first_line_of:
                parsed.problems.insert(
                    0,
                    str(_("This NIP is already on row %(row)d; only that row is imported."))
                    % {"row": first_line_of[nip]},
                )
            else:
                first_line_of[nip] = table_row.line
        rows.append(parsed)
    return RosterPlan(
        rows=rows,
        columns=table.columns,
        ignored_columns=table.ignored_columns,
        header_line=table.header_line,
        header_last_line=table.header_last_line,
        not_people=table.not_people,
    )


# --- Units and existing people -------------------------------------------------------------


def _display(name: str, value: object) -> str:
    if isinstance(value, Unit):
        return value.name
    return "" if name == "unit" else str(value or "")


def plan_against_database(
    actor: User | None,
    plan: RosterPlan,
    unit_default: Unit | None = None,
    unit_map: Mapping[str, Unit] | None = None,
) -> RosterPlan:
    """Match units and existing people, and decide each row's action. `unit_map` is the
    organiser's mapping of this file's unit names ({unit_key: unit}), tried first."""
    index = unit_index(actor)
    unknown: dict[str, UnknownUnit] = {}
    nips = [r.values["nip"] for r in plan.rows if r.values.get("nip")]
    existing = {p.nip: p for p in Person.objects.filter(nip__in=nips).select_related("unit")}
    editable_paths = (
        None
        if actor is None or is_admin(actor)
        else scope_paths(actor, RoleAssignment.Role.ORGANISER)
    )
    for row in plan.rows:
        unit_text = row.values.get("unit", "")
        person = existing.get(row.values.get("nip", ""))
        if unit_text:
            unit, found = resolve(index, unit_text, unit_map)
            if unit is not None:
                row.unit = unit
                row.values["unit"] = unit.name
            elif found:
                note_unknown(unknown, unit_text, row.line, found)
                row.problems.append(
                    str(_("Unit “%(value)s” matches several units: %(units)s. Use the full name."))
                    % {"value": unit_text, "units": ", ".join(u.name for u in found)}
                )
            else:
                note_unknown(unknown, unit_text, row.line, [])
                row.problems.append(
                    str(_("Unit “%(value)s” is not known, or is outside your units."))
                    % {"value": unit_text}
                )
        elif person is None and unit_default is not None:
            row.unit = unit_default
            row.values["unit"] = unit_default.name
        elif person is None:
            row.problems.append(str(_("Unit is missing.")))
        if (
            person is not None
            and editable_paths is not None
            and not any(person.unit.path.startswith(p) for p in editable_paths)
        ):
            row.problems.append(
                str(_("A person with this NIP belongs to a unit outside your units."))
            )
        if row.problems:
            row.action = Action.SKIP
            continue
        if person is None:
            row.action = Action.CREATE
            continue
        row.person = person
        for name in IMPORTED_FIELDS:
            new: Any = row.unit if name == "unit" else row.values.get(name, "")
            if not new:
                continue  # a blank cell keeps what is recorded
            old = getattr(person, name)
            if (old.pk if name == "unit" else old) != (new.pk if name == "unit" else new):
                row.changes[name] = (_display(name, old), _display(name, new))
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    plan.unknown_units = with_suggestions(index, unknown)
    return plan


def read_roster(
    actor: User | None,
    data: bytes,
    filename: str,
    unit_default: Unit | None = None,
    unit_map: Mapping[str, Unit] | None = None,
) -> RosterPlan:
    """Read a roster file and say, row by row, what importing it would do."""
    return plan_against_database(actor, parse_file(data, filename), unit_default, unit_map)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # What enrolling the imported people did, when the import was into a group.
    enrolment: EnrolmentReport | None = None


def _enrol_imported(
    target_key: str, people: list[Person], *, acting_user: User | None
) -> EnrolmentReport:
    """Enrol the imported people into the chosen target (a group), through its app."""
    found = find_target(acting_user, target_key)
    if found is None:
        raise RosterFileError(
            "unknown_target",
            _("The chosen group is not one you can enrol people into. Nothing was imported."),
        )
    source, _target = found
    try:
        return source.enrol(target_key, people, acting_user=acting_user)
    except DomainError as err:
        raise RosterFileError(
            err.code,
            _("Enrolment: %(message)s Nothing was imported.") % {"message": err.message},
        ) from err


def apply_roster(
    data: bytes,
    filename: str,
    unit_default: Unit | None = None,
    *,
    acting_user: User | None,
    unit_map: Mapping[str, Unit] | None = None,
    target: str = "",
) -> ImportResult:
    """Import every row without problems in one transaction; rows with problems are skipped.
    With a `target` (a group's key, roster_targets), everyone imported, added, updated or
    unchanged, is enrolled into it in the same transaction.

    The file is planned again here, against the database as it is now, so a preview that
    has gone stale cannot overwrite changes made since.
    """
    result = ImportResult()
    imported: list[Person] = []
    with transaction.atomic():
        plan = read_roster(acting_user, data, filename, unit_default, unit_map)
        for row in plan.rows:
            try:
                if row.action == Action.CREATE:
                    assert row.unit is not None
                    # Cells of the file, by field name: the service checks each.
                    extra: dict[str, Any] = {
                        k: row.values[k]
                        for k in IMPORTED_FIELDS
                        if k not in ("name", "unit") and row.values.get(k)
                    }
                    created = services.create_person(
                        nip=row.values["nip"],
                        name=row.values["name"],
                        unit=row.unit,
                        **extra,
                        acting_user=acting_user,
                    )
                    imported.append(created)
                    result.created += 1
                elif row.action == Action.UPDATE:
                    assert row.person is not None
                    fields: dict[str, Any] = {
                        k: (row.unit if k == "unit" else row.values[k]) for k in row.changes
                    }
                    services.update_person(row.person, **fields, acting_user=acting_user)
                    imported.append(row.person)
                    result.updated += 1
                elif row.action == Action.UNCHANGED:
                    assert row.person is not None
                    imported.append(row.person)
                    result.unchanged += 1
                else:
                    result.skipped += 1
            except DomainError as err:
                raise RosterFileError(
                    err.code,
                    _("Row %(row)d: %(message)s Nothing was imported.")
                    % {"row": row.line, "message": err.message},
                ) from err
        if target:
            result.enrolment = _enrol_imported(target, imported, acting_user=acting_user)
    return result


# --- Uploads kept between preview and confirmation ------------------------------------------


STALE_UPLOAD_AGE = datetime.timedelta(days=1)


def _purge_stale_uploads() -> None:
    """Uploads previewed but never confirmed nor cancelled hold personal data: drop them."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - STALE_UPLOAD_AGE
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def stash_upload(data: bytes) -> str:
    """Keep an uploaded file in storage (shared by every app server); returns its token."""
    _purge_stale_uploads()
    token = secrets.token_urlsafe(18)
    default_storage.save(f"{UPLOAD_DIR}/{token}", ContentFile(data))
    return token


def load_upload(token: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{16,64}", token or ""):
        return None
    path = f"{UPLOAD_DIR}/{token}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        content: bytes = handle.read()
    return content


def discard_upload(token: str) -> None:
    if re.fullmatch(r"[A-Za-z0-9_\-]{16,64}", token or ""):
        default_storage.delete(f"{UPLOAD_DIR}/{token}")
