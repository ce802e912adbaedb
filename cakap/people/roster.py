"""Roster import: the XLSX and CSV lists of civil servants that BKPSDM keeps.

`read_roster` reads a file into a plan (every row with its cleaned values, its problems
and what importing it would do); `apply_roster` re-reads and saves every valid row in
one transaction through the services. The page and the `import_roster` command share
both, so they cannot disagree.

Blank optional cells never erase what is recorded: an update changes only the fields
the file fills in.
"""

import csv
import datetime
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import spreadsheets
from cakap.core.errors import DomainError
from cakap.core.text import NUL, NUL_MESSAGE, clean_text, has_nul
from cakap.people import services
from cakap.people.access import is_admin, scope_paths
from cakap.people.cleaning import name_and_titles, normalise_phone, parse_rank
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.people.nip import NipError, format_nip, parse_nip
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

__all__ = ["UnitIndex", "find_unit", "units_for_import"]  # the names other modules import

HEADER_SEARCH_ROWS = 20
MAX_FILE_BYTES = 10 * 1024 * 1024
UPLOAD_DIR = "roster-imports"


class RosterFileError(DomainError):
    """The file as a whole cannot be imported; nothing was changed."""


# --- Header recognition --------------------------------------------------------------------

# Normalised header (lower case, letters and digits only) -> field.
_HEADERS = {
    "no": "no",
    "nomor": "no",
    "nourut": "no",
    "nip": "nip",
    "nipbaru": "nip",
    "nomorindukpegawai": "nip",
    "nipnipppk": "nip",
    "nippppk": "nip",
    "nama": "name",
    "namalengkap": "name",
    "namapegawai": "name",
    "namaasn": "name",
    "namapeserta": "name",
    "namadangelar": "name",
    "namalengkapdangelar": "name",
    "name": "name",
    "fullname": "name",
    "gelar": "titles",
    "gelarakademik": "titles",
    "titles": "titles",
    "gelardepan": "title_prefix",
    "gelarbelakang": "title_suffix",
    "pangkatgol": "rank",
    "pangkatgolongan": "rank",
    "pangkatgolruang": "rank",
    "pangkatgolonganruang": "rank",
    "golongan": "rank",
    "golonganruang": "rank",
    "gol": "rank",
    "golruang": "rank",
    "pangkat": "rank",
    "rank": "rank",
    "jabatan": "position",
    "namajabatan": "position",
    "position": "position",
    "unitkerja": "unit",
    "unitkerjaopd": "unit",
    "opd": "unit",
    "skpd": "unit",
    "unit": "unit",
    "unitorganisasi": "unit",
    "instansi": "unit",
    "perangkatdaerah": "unit",
    "satuankerja": "unit",
    "satker": "unit",
    "nohp": "phone",
    "hp": "phone",
    "nomorhp": "phone",
    "nohandphone": "phone",
    "nohpwa": "phone",
    "nowa": "phone",
    "nowhatsapp": "phone",
    "whatsapp": "phone",
    "telepon": "phone",
    "telp": "phone",
    "notelp": "phone",
    "notelepon": "phone",
    "phone": "phone",
    "ponsel": "phone",
    "email": "email",
    "alamatemail": "email",
    "surel": "email",
}
# Tried in order when no exact match: "Nama Jabatan" is a position, "NIP (18 digit)" a NIP.
_HEADER_HINTS = (
    ("nip", "nip"),
    ("email", "email"),
    ("surel", "email"),
    ("gelar", "titles"),
    ("pangkat", "rank"),
    ("golongan", "rank"),
    ("jabatan", "position"),
    ("unitkerja", "unit"),
    ("opd", "unit"),
    ("skpd", "unit"),
    ("nohp", "phone"),
    ("telp", "phone"),
    ("telepon", "phone"),
    ("whatsapp", "phone"),
    ("nama", "name"),
)


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_field(text: str) -> str | None:
    """The field a column header names, or None for a column Cakap does not read."""
    key = _header_key(text)
    if not key:
        return None
    if key in _HEADERS:
        return _HEADERS[key]
    for hint, name in _HEADER_HINTS:
        if hint in key:
            return name
    return None


# --- Reading files -------------------------------------------------------------------------

Cell = object  # what a reader gives: text from CSV, typed values from a workbook


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    # The product's text rule; a NUL is refused per row (_parse_row), dropped here so
    # that the preview can show the rest of the cell.
    return " ".join(clean_text(text.replace(NUL, "")).split())


def _is_blank(row: list[Cell]) -> bool:
    return all(_cell_text(v) == "" for v in row)


def _xlsx_sheets(data: bytes, limit: int) -> Iterator[list[tuple[int, list[Cell]]]]:
    try:
        sheets = spreadsheets.read_workbook(data, max_rows=limit)
    except spreadsheets.DamagedWorkbookError as exc:
        raise RosterFileError(exc.code, exc.message) from None
    for sheet in sheets:
        lines = [(n, list(values)) for n, values in sheet.rows if not _is_blank(list(values))]
        if len(lines) > limit:
            raise _too_many_rows()
        yield lines


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_tables(data: bytes, limit: int) -> Iterator[list[tuple[int, list[Cell]]]]:
    if b"\x00" in data[:4096]:
        raise RosterFileError(
            "file_type", _("This file is not a CSV text file. Upload an .xlsx or .csv file.")
        )
    text = _decode(data)
    # Excel writes ";" where the decimal separator is a comma (Indonesian settings), "," or
    # tab elsewhere: each is tried and the one that yields a header row wins.
    for delimiter in (";", "\t", ","):
        lines: list[tuple[int, list[Cell]]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            # ";;;" read with another delimiter is one cell of separators: still blank.
            if _is_blank([cell.strip(";,\t") for cell in row]):
                continue
            lines.append((reader.line_num, list(row)))
            if len(lines) > limit:
                raise _too_many_rows()
        yield lines


def _too_many_rows() -> RosterFileError:
    return RosterFileError(
        "too_many_rows",
        _("The file has more than %(max)d rows. Split it into smaller files.")
        % {"max": settings.IMPORT_MAX_ROWS},
    )


# --- Plan ----------------------------------------------------------------------------------


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"


FIELD_LABELS: dict[str, Promise] = {
    "nip": _("NIP"),
    "name": _("Name"),
    "title_prefix": _("Title before name"),
    "title_suffix": _("Title after name"),
    "rank": _("Pangkat/Gol"),
    "position": _("Position"),
    "unit": _("Unit"),
    "phone": _("Phone"),
    "email": _("Email"),
}
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
    def has_changes(self) -> bool:
        return any(r.action in (Action.CREATE, Action.UPDATE) for r in self.rows)


def _find_header(lines: list[tuple[int, list[Cell]]]) -> tuple[int, dict[int, str]] | None:
    for index, (_line, row) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        mapping: dict[int, str] = {}
        for col, value in enumerate(row):
            name = header_field(_cell_text(value))
            if name and name not in mapping.values():
                mapping[col] = name
        if "nip" in mapping.values() and "name" in mapping.values():
            return index, mapping
    return None


def _is_numbering_row(row: list[Cell]) -> bool:
    """The '1 2 3 4 ...' row that Indonesian forms put under the header."""
    texts = [_cell_text(v) for v in row if _cell_text(v)]
    return len(texts) >= 3 and texts == [str(i) for i in range(1, len(texts) + 1)]


def _nip_value(raw: Cell) -> tuple[str, str | None]:
    """The NIP text of a cell and a problem if the cell cannot hold a true NIP."""
    if isinstance(raw, float) and raw >= 1e15:
        return _cell_text(raw), str(
            _(
                "NIP: Excel stored this NIP as a number and lost its last digits. "
                "Format the NIP column as text and type the NIP again."
            )
        )
    # A leading apostrophe is how people force Excel to keep a number as text.
    return _cell_text(raw).lstrip("'’"), None


def _parse_row(line: int, row: list[Cell], mapping: dict[int, str]) -> RosterRow:
    cells: dict[str, Cell] = {
        name: row[col] if col < len(row) else None for col, name in mapping.items()
    }
    text = {name: _cell_text(value) for name, value in cells.items()}
    result = RosterRow(line=line)
    problems = result.problems
    values = result.values
    for name, value in cells.items():
        if isinstance(value, str) and has_nul(value):
            problems.append(f"{FIELD_LABELS.get(name, name)}: {NUL_MESSAGE}")

    nip_text, nip_problem = _nip_value(cells.get("nip"))
    values["nip"] = nip_text
    if nip_problem:
        problems.append(nip_problem)
    else:
        try:
            values["nip"] = parse_nip(nip_text).digits
        except NipError as err:
            problems.append(f"NIP: {err.message}")

    titles = " ".join(t for t in (text.get("title_prefix", ""), text.get("titles", "")) if t)
    prefix, name, suffix = name_and_titles(text.get("name", ""), titles)
    if text.get("title_suffix"):
        suffix = ", ".join(s for s in (suffix, text["title_suffix"]) if s)
    values.update(name=name, title_prefix=prefix, title_suffix=suffix)
    if not name:
        problems.append(str(_("Name is missing.")))
    for key, limit in (("name", 150), ("title_prefix", 60), ("title_suffix", 60)):
        if len(values[key]) > limit:
            problems.append(
                str(_("%(field)s is longer than %(n)d characters."))
                % {"field": FIELD_LABELS[key], "n": limit}
            )

    rank_text = text.get("rank", "")
    rank = parse_rank(rank_text)
    values["rank"] = rank or ""
    if rank is None:
        problems.append(
            str(_("Pangkat/Gol “%(value)s” is not a known rank (write it like III/c)."))
            % {"value": rank_text}
        )

    values["position"] = text.get("position", "")
    if len(values["position"]) > 200:
        problems.append(
            str(_("%(field)s is longer than %(n)d characters."))
            % {"field": FIELD_LABELS["position"], "n": 200}
        )
    values["unit"] = text.get("unit", "")

    phone_text = text.get("phone", "")
    phone = normalise_phone(phone_text)
    values["phone"] = phone if phone is not None else phone_text
    if phone is None:
        problems.append(
            str(_("Phone “%(value)s” is not a phone number of 9 to 14 digits."))
            % {"value": phone_text}
        )

    email = text.get("email", "").lower()
    values["email"] = email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(str(_("Email “%(value)s” is not a valid address.")) % {"value": email})
    return result


def _read_lines(
    data: bytes, filename: str
) -> tuple[list[tuple[int, list[Cell]]], int, dict[int, str]]:
    """The non-blank lines of the first table with a NIP and Nama header."""
    if not data:
        raise RosterFileError("empty", _("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError(
            "too_large",
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
        )
    limit = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    name = filename.lower()
    tables: Iterable[list[tuple[int, list[Cell]]]]
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            "xls_format",
            _("This is an old Excel .xls file. Save it as .xlsx or CSV and upload it again."),
        )
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        tables = _xlsx_sheets(data, limit)
    elif name.endswith((".csv", ".txt")):
        tables = _csv_tables(data, limit)
    else:
        raise RosterFileError(
            "file_type",
            _("“%(name)s” is not an Excel workbook (.xlsx) or a CSV file.") % {"name": filename},
        )
    seen_any = False
    for lines in tables:
        seen_any = seen_any or bool(lines)
        found = _find_header(lines)
        if found:
            index, mapping = found
            data_lines = lines[index + 1 :]
            if len(data_lines) > settings.IMPORT_MAX_ROWS:
                raise _too_many_rows()
            return lines, index, mapping
    if not seen_any:
        raise RosterFileError("empty", _("The file has no rows."))
    raise RosterFileError(
        "no_header",
        _(
            "No header row with both a NIP and a Nama column was found in the first "
            "%(n)d rows. Add a header row with at least NIP and Nama."
        )
        % {"n": HEADER_SEARCH_ROWS},
    )


def parse_file(data: bytes, filename: str) -> RosterPlan:
    """Every data row of the file with its cleaned values and the problems that need no
    database. Raises RosterFileError when the file as a whole cannot be read."""
    lines, index, mapping = _read_lines(data, filename)
    header = lines[index][1]
    rows: list[RosterRow] = []
    first_line_of: dict[str, int] = {}
    read_cols = [col for col, name in mapping.items() if name != "no"]
    for line, row in lines[index + 1 :]:
        # Forms often come pre-numbered: a row with only its "No" filled in is blank.
        if _is_numbering_row(row) or all(
            col >= len(row) or not _cell_text(row[col]) for col in read_cols
        ):
            continue
        parsed = _parse_row(line, row, mapping)
        nip = parsed.values.get("nip", "")
        if nip and not any(p.startswith("NIP") for p in parsed.problems):
            if nip in first_line_of:
                parsed.problems.insert(
                    0,
                    str(_("This NIP is already on row %(row)d; only that row is imported."))
                    % {"row": first_line_of[nip]},
                )
            else:
                first_line_of[nip] = line
        rows.append(parsed)
    columns = {name: _cell_text(header[col]) for col, name in mapping.items()}
    ignored = [
        _cell_text(v) for col, v in enumerate(header) if col not in mapping and _cell_text(v)
    ]
    return RosterPlan(
        rows=rows, columns=columns, ignored_columns=ignored, header_line=lines[index][0]
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
