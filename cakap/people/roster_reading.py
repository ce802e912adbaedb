"""Reading roster files as BKPSDM keeps them: where the table is, and what each cell says.

No database here. `read_table` finds the header (one row, or two where a merged cell
such as "Kontak" stands over "No HP" and "Email"), the rows of people under it, and the
rows that are not people: a total ("Jumlah"), a signature block ("Mengetahui,",
"Kepala Dinas ...", a name over "NIP. ..."), notes after blank rows, a merged cell across
the table. `clean_row` turns one row into the values an import writes, with the problems
that stop the row and the optional values (phone, email) that are left out so that the
rest of the row can be imported.

What the preview shows is what the file holds: a NIP that Excel turned into a number is
shown as that number (1.97505052000031E+17) and named as such, never "repaired" into
digits the file does not contain.
"""

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import spreadsheets
from cakap.core.errors import DomainError
from cakap.core.spreadsheets import ErrorValue, FormulaWithoutValue
from cakap.core.text import NUL, NUL_MESSAGE, clean_text, has_nul
from cakap.people.cleaning import name_and_titles, normalise_phone, parse_rank
from cakap.people.nip import NipError, parse_nip
from cakap.people.roster_headers import header_field

HEADER_SEARCH_ROWS = 20
MAX_FILE_BYTES = 10 * 1024 * 1024
EMAIL_MAX_LENGTH = 254  # Person.email's column


class RosterFileError(DomainError):
    """The file as a whole cannot be imported; nothing was changed."""


FIELD_LABELS: dict[str, Promise] = {
    "nip": _("NIP"),
    "name": _("Name"),
    "title_prefix": _("Title before name"),
    "title_suffix": _("Title after name"),
    "titles": _("Titles"),
    "rank": _("Pangkat/Gol"),
    "position": _("Position"),
    "unit": _("Unit"),
    "phone": _("Phone"),
    "email": _("Email"),
}
# Fields a row can be imported without: a bad value is left out, not the person.
OPTIONAL_FIELDS = ("phone", "email")


# --- Cells ---------------------------------------------------------------------------------

# What a reader gives: text from CSV; numbers, dates, text, FormulaWithoutValue and
# ErrorValue from a workbook.
Cell = object
Line = tuple[int, list[Cell]]  # a row's number in the file and its cells


def number_text(value: float) -> str:
    """A number as the file holds it: whole numbers up to 15 digits as digits, larger
    ones (which Excel keeps to 15 digits) in scientific notation, as Excel shows them,
    so that no digit appears that the file does not hold."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)  # the shortest text that reads back as this very number
    if "e" not in text and abs(value) >= 1e15:
        # 1234567890123456.0 -> 1.234567890123456E+15: the same digits, as Excel shows it
        sign = "-" if text.startswith("-") else ""
        digits = text.lstrip("-").split(".")[0]
        rest = digits[1:].rstrip("0")
        text = f"{sign}{digits[0]}{'.' if rest else ''}{rest}e+{len(digits) - 1}"
    return text.upper()


def cell_text(value: Cell) -> str:
    """A cell as text, cleaned by the product's text rule."""
    if value is None:
        return ""
    if isinstance(value, FormulaWithoutValue):
        return value.formula
    if isinstance(value, ErrorValue):
        return value.code
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    # The product's text rule; a NUL is refused per row (clean_row), dropped here so
    # that the preview can show the rest of the cell.
    return " ".join(clean_text(text.replace(NUL, "")).split())


def _is_blank(row: Iterable[Cell]) -> bool:
    return all(cell_text(v) == "" for v in row)


def _at(row: list[Cell], col: int | None) -> Cell:
    return row[col] if col is not None and col < len(row) else None


# --- Reading files -------------------------------------------------------------------------


def _too_many_rows() -> RosterFileError:
    return RosterFileError(
        "too_many_rows",
        _("The file has more than %(max)d rows. Split it into smaller files.")
        % {"max": settings.IMPORT_MAX_ROWS},
    )


def _xlsx_sheets(data: bytes, limit: int) -> Iterator[list[Line]]:
    try:
        sheets = spreadsheets.read_workbook(data, max_rows=limit, mark_formulas=True)
    except spreadsheets.DamagedWorkbookError as exc:
        raise RosterFileError(exc.code, exc.message) from None
    for sheet in sheets:
        lines = [(n, list(values)) for n, values in sheet.rows if not _is_blank(values)]
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


# `="0812..."`: how a CSV keeps Excel from turning a cell into a number.
_EXCEL_TEXT = re.compile(r'^\s*="(.*)"\s*$', re.DOTALL)


def _csv_cell(text: str) -> str:
    found = _EXCEL_TEXT.match(text)
    return found.group(1) if found else text


def _csv_tables(data: bytes, limit: int) -> Iterator[list[Line]]:
    if b"\x00" in data[:4096]:
        raise RosterFileError(
            "file_type", _("This file is not a CSV text file. Upload an .xlsx or .csv file.")
        )
    text = _decode(data)
    # Excel writes ";" where the decimal separator is a comma (Indonesian settings), "," or
    # tab elsewhere: each is tried and the one that yields a header row wins.
    for delimiter in (";", "\t", ","):
        lines: list[Line] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            # ";;;" read with another delimiter is one cell of separators: still blank.
            if _is_blank([cell.strip(";,\t") for cell in row]):
                continue
            lines.append((reader.line_num, [_csv_cell(cell) for cell in row]))
            if len(lines) > limit:
                raise _too_many_rows()
        yield lines


def _tables(data: bytes, filename: str) -> Iterable[list[Line]]:
    """The non-blank lines of each sheet (or, for CSV, of each way to split the text)."""
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
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            "xls_format",
            _("This is an old Excel .xls file. Save it as .xlsx or CSV and upload it again."),
        )
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _xlsx_sheets(data, limit)
    if name.endswith((".csv", ".txt")):
        return _csv_tables(data, limit)
    raise RosterFileError(
        "file_type",
        _("“%(name)s” is not an Excel workbook (.xlsx) or a CSV file.") % {"name": filename},
    )


# --- The header ----------------------------------------------------------------------------


@dataclass
class Header:
    """The header of the table: one row, or two where merged cells group columns."""

    first: int  # index in the lines of its first row
    last: int  # and of its last
    fields: dict[int, str]  # column -> field, for the columns Cakap reads
    labels: dict[int, str]  # column -> its header as the file writes it ("Kontak / No HP")


def _named(row: list[Cell]) -> dict[int, str]:
    """Column -> field, for each cell of `row` that names one."""
    found = {}
    for col, value in enumerate(row):
        name = header_field(cell_text(value))
        if name:
            found[col] = name
    return found


def _first_column(named: dict[int, str], name: str) -> int | None:
    return min((col for col, n in named.items() if n == name), default=None)


def _is_upper_header(upper: list[Cell], main: list[Cell]) -> bool:
    """A row above the header that groups it: a label that names no field stands over
    header cells (such as "Identitas" over "NIP" and "Nama"), and a cell merged down
    over both rows names a field over a column the header leaves empty ("Unit Kerja")."""
    named = _named(upper)
    main_named = _named(main)
    filled = [col for col, v in enumerate(upper) if cell_text(v)]
    groups = any(col not in named and col in main_named for col in filled)
    return groups and any(not cell_text(_at(main, col)) for col in named)


def _is_lower_header(lower: list[Cell], main: dict[int, str]) -> bool:
    """A row under the header that names the columns a merged cell groups ("No HP" and
    "Email" under "Kontak"): its NIP and name cells are empty (merged down from above),
    so it cannot be a person."""
    if cell_text(_at(lower, _first_column(main, "nip"))) or cell_text(
        _at(lower, _first_column(main, "name"))
    ):
        return False
    return bool(_named(lower)) and not _is_numbering_row(lower)


def _band_labels(band: list[list[Cell]]) -> dict[int, list[str]]:
    """Each column's header texts, top to bottom. A group label (a cell over named
    columns) is carried right over the columns it was merged across: a merged cell
    holds its text in its first column only."""
    width = max(len(row) for row in band)
    texts = [[cell_text(_at(row, col)) for col in range(width)] for row in band]
    for level in range(len(band) - 1):
        below = texts[level + 1 :]
        group = ""
        for col in range(width):
            has_below = any(row[col] for row in below)
            if texts[level][col]:
                group = texts[level][col] if has_below else ""
            elif group and has_below:
                texts[level][col] = group
            else:
                group = ""
    return {
        col: [row[col] for row in texts if row[col]]
        for col in range(width)
        if any(row[col] for row in texts)
    }


def _band_fields(band: list[list[Cell]]) -> tuple[dict[int, str], dict[int, str]]:
    """The fields (column -> field) and labels (column -> header text) of header rows."""
    fields: dict[int, str] = {}
    labels: dict[int, str] = {}
    for col, texts in _band_labels(band).items():
        labels[col] = " / ".join(texts)
        # The lowest text that names a field says what the column is: "No HP" under
        # "Kontak"; "No" over "Urut" together.
        name = next((n for n in map(header_field, reversed(texts)) if n), None)
        if name is None and len(texts) > 1:
            name = header_field(" ".join(texts))
        if name and name not in fields.values():
            fields[col] = name
    return fields, labels


def _is_split_header(top: list[Cell], bottom: list[Cell]) -> bool:
    """Two rows that only together name the NIP and the name column ("NIP" merged down
    beside "Identitas" over "Nama" and "Gelar"). Under a header cell of the top row that
    names the NIP or the name column, the bottom row is empty: a value there would make
    it a person's row."""
    if {"nip", "name"} <= set(_named(bottom).values()) or _is_numbering_row(bottom):
        return False
    if len([v for v in top if cell_text(v)]) < 2 or not _named(bottom):
        return False
    fields, _labels = _band_fields([top, bottom])
    needed = [col for col, name in fields.items() if name in ("nip", "name")]
    top_named = _named(top)
    return len(needed) == 2 and not any(
        top_named.get(col) == fields[col] and cell_text(_at(bottom, col)) for col in needed
    )


def find_header(lines: list[Line]) -> Header | None:
    """The first row in the first `HEADER_SEARCH_ROWS` that has a NIP and a name column,
    with the row above or below when they belong to it; or the first two rows that only
    together have both."""
    for index, (line, row) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        main = _named(row)
        above = lines[index - 1] if index > 0 else None
        below = lines[index + 1] if index + 1 < len(lines) else None
        if {"nip", "name"} <= set(main.values()):
            first = last = index
            if above and above[0] == line - 1 and _is_upper_header(above[1], row):
                first = index - 1
            if below and below[0] == line + 1 and _is_lower_header(below[1], main):
                last = index + 1
        elif below and below[0] == line + 1 and _is_split_header(row, below[1]):
            first, last = index, index + 1
        else:
            continue
        fields, labels = _band_fields([lines[i][1] for i in range(first, last + 1)])
        return Header(first=first, last=last, fields=fields, labels=labels)
    return None


def _is_numbering_row(row: list[Cell]) -> bool:
    """The '1 2 3 4 ...' row that Indonesian forms put under the header."""
    return _is_numbering([cell_text(v) for v in row])


def _is_numbering(texts: list[str]) -> bool:
    filled = [t for t in texts if t]
    return len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]


# --- Where the table ends ------------------------------------------------------------------

_TOTAL = re.compile(r"^(jumlah|total|sub ?total|grand ?total|rekapitulasi|rekap)\b")
_MONTHS = "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
# The words a signature block, a note or a closing line starts with.
_FOOTER = re.compile(
    r"^(mengetahui|menyetujui|disetujui|diketahui|dibuat|disusun|diperiksa|ditetapkan"
    r"|yang (membuat|menyerahkan|menerima|bertanda)|a\.\s?n\.|an\.|pl[th]\.|pj\.|ttd\b"
    r"|tanda tangan|kepala\b|sekretaris\b|bupati\b|wakil (bupati|wali)|wali ?kota\b"
    r"|gubernur\b|camat\b|lurah\b|wali nagari\b|ketua\b|tembusan|catatan|keterangan"
    r"|ket\s*[.:]|nb\s*[.:]|n\.b\.|sumber\b|demikian|dicetak|diunduh"
    # "NIP. 19690615 199203 1 006", "NIP :" under a signature
    r"|nip\b"
    # "Padang Aro, 4 Desember 2026", "Padang Aro,      Desember 2026"
    rf"|[^\d,]*,\s*(\d{{1,2}}\s+)?({_MONTHS})\s+\d{{4}}$)"
)
_DIGIT_RUN = re.compile(r"\d")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")


def _nip_shaped(value: Cell) -> bool:
    """Whether a NIP cell holds something meant as a NIP, right or wrong."""
    if isinstance(value, FormulaWithoutValue | ErrorValue):
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return abs(value) >= 1e8
    text = cell_text(value)
    if text.lower().startswith("nip"):
        return False  # "NIP. 1969...": the NIP line under a signature
    return bool(_SCIENTIFIC.match(text)) or len(_DIGIT_RUN.findall(text)) >= 9


def _footer_text(texts: list[str]) -> bool:
    return any(_FOOTER.match(t.lower()) for t in texts)


@dataclass
class TableRow:
    """A row of the table: its number in the file and its cells by field."""

    line: int
    cells: dict[str, Cell]


@dataclass
class NotAPerson:
    """A row under (or inside) the table that is not a person: a total, a signature, a note."""

    line: int
    text: str


NOT_A_PERSON_TEXT_MAX = 80


def _not_a_person(line: int, texts: list[str]) -> NotAPerson:
    text = " · ".join(texts)
    if len(text) > NOT_A_PERSON_TEXT_MAX:
        text = text[: NOT_A_PERSON_TEXT_MAX - 1] + "…"
    return NotAPerson(line=line, text=text)


def split_rows(
    lines: list[Line], fields: dict[int, str]
) -> tuple[list[TableRow], list[NotAPerson]]:
    """The lines under the header: the people's rows, and the rows that are not people.

    The table ends at its last row with a NIP and a name. Under it, a row is not a
    person when it opens a signature block or a note (two cells at most, starting
    "Mengetahui,", "Kepala ...", "NIP. ...", "Catatan", a place and a date...), comes
    after blank rows (two cells at most), is one cell in the table's first column (a
    merged cell across the table), or follows such a row. Anywhere, a total row
    ("Jumlah", "Total") without a NIP is not a person. Rows that fill no column Cakap
    reads are left out as blank, as before.
    """
    nip_col = _first_column(fields, "nip")
    name_col = _first_column(fields, "name")
    read_cols = [col for col, name in fields.items() if name != "no"]
    left = min(fields)
    texts = [[cell_text(v) for v in row] for _line, row in lines]
    last_person = max(
        (
            i
            for i, (_line, row) in enumerate(lines)
            if _nip_shaped(_at(row, nip_col)) and cell_text(_at(row, name_col))
        ),
        default=-1,
    )
    rows: list[TableRow] = []
    not_people: list[NotAPerson] = []
    footer = False
    previous_line = None
    for i, (line, row) in enumerate(lines):
        filled = [(col, t) for col, t in enumerate(texts[i]) if t]
        gap = previous_line is not None and line > previous_line + 1
        previous_line = line
        values = [t for _col, t in filled]
        if not values or _is_numbering(texts[i]):
            continue
        if _TOTAL.match(values[0].lower()) and not _nip_shaped(_at(row, nip_col)):
            not_people.append(_not_a_person(line, values))
            continue
        if i > last_person and not footer:
            few = len(filled) <= 2
            # Words typed in a cell; not a formula, whose text is not shown in the sheet.
            wordy = any(
                isinstance(v, str) and not v.startswith("=") and any(c.isalpha() for c in v)
                for v in row
            )
            footer = (
                (few and _footer_text(values))
                or (few and gap and wordy)
                or (len(filled) == 1 and filled[0][0] <= left and wordy)
            )
        if footer:
            not_people.append(_not_a_person(line, values))
            continue
        # Forms often come pre-numbered: a row with only its "No" filled in is blank.
        if all(col >= len(texts[i]) or not texts[i][col] for col in read_cols):
            continue
        rows.append(TableRow(line=line, cells={n: _at(row, col) for col, n in fields.items()}))
    return rows, not_people


@dataclass
class RosterTable:
    """What a roster file holds: its header, its people's rows, its rows that are not people."""

    header_line: int
    header_last_line: int
    columns: dict[str, str]  # field -> the header that named it
    ignored_columns: list[str]
    rows: list[TableRow]
    not_people: list[NotAPerson] = field(default_factory=list)


def read_table(data: bytes, filename: str) -> RosterTable:
    """The first table with a NIP and a name header in the file (XLSX or CSV). Raises
    RosterFileError when the file as a whole cannot be read."""
    seen_any = False
    for lines in _tables(data, filename):
        seen_any = seen_any or bool(lines)
        header = find_header(lines)
        if header is None:
            continue
        below = lines[header.last + 1 :]
        if len(below) > settings.IMPORT_MAX_ROWS:
            raise _too_many_rows()
        rows, not_people = split_rows(below, header.fields)
        return RosterTable(
            header_line=lines[header.first][0],
            header_last_line=lines[header.last][0],
            columns={name: header.labels[col] for col, name in header.fields.items()},
            ignored_columns=[
                label for col, label in header.labels.items() if col not in header.fields
            ],
            rows=rows,
            not_people=not_people,
        )
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


# --- Cleaning a row ------------------------------------------------------------------------

_AS_TEXT_ADVICE = _(
    "Format the NIP column as Text, enter the NIPs again from the original list, and save "
    "or export the file again."
)


def _nip_as_number(shown: str) -> str:
    message = _(
        "NIP: Excel turned this NIP into a number (%(value)s) and kept only its first 15 "
        "digits; the others are lost."
    ) % {"value": shown}
    return f"{message} {_AS_TEXT_ADVICE}"


FORMULA_MAX = 40


def _formula_problem(label: str, value: FormulaWithoutValue | ErrorValue) -> str:
    if isinstance(value, ErrorValue):
        return str(
            _(
                "%(field)s: the cell shows the Excel error %(error)s instead of a value. "
                "Correct it in the file and upload it again."
            )
        ) % {"field": label, "error": value.code}
    formula = value.formula
    if len(formula) > FORMULA_MAX:
        formula = formula[: FORMULA_MAX - 1] + "…"
    return str(
        _(
            "%(field)s: the cell holds a formula (%(formula)s) whose result is not saved "
            "in the file. Open the file in Excel or LibreOffice, let it calculate and save "
            "it, or paste the column as values, and upload it again."
        )
    ) % {"field": label, "formula": formula}


@dataclass
class NipReading:
    shown: str  # what the preview shows: the file's text, or its digits when valid
    digits: str | None  # the 18 digits, when the cell holds a valid NIP
    problem: str | None


def read_nip(raw: Cell) -> NipReading:
    """The NIP a cell holds, or why it holds none. Never guesses digits."""
    if isinstance(raw, FormulaWithoutValue | ErrorValue):
        return NipReading(cell_text(raw), None, _formula_problem(str(FIELD_LABELS["nip"]), raw))
    if isinstance(raw, float) and abs(raw) >= 1e15:
        shown = number_text(raw)
        return NipReading(shown, None, _nip_as_number(shown))
    # A leading apostrophe is how people force Excel to keep a number as text.
    text = cell_text(raw).lstrip("'’")
    if _SCIENTIFIC.match(text):
        return NipReading(text, None, _nip_as_number(text))
    try:
        digits = parse_nip(text).digits
    except NipError as err:
        bare = re.sub(r"[\s.\-]", "", text)
        if err.code == "sequence" and len(bare) == 18 and bare.endswith("000"):
            # 15 digits kept, three zeros after: a NIP Excel held as a number.
            message = _(
                "NIP: it ends in 000, as a NIP does that Excel turned into a number and "
                "kept to its first 15 digits."
            )
            return NipReading(text, None, f"{message} {_AS_TEXT_ADVICE}")
        return NipReading(text, None, f"NIP: {err.message}")
    return NipReading(digits, digits, None)


@dataclass
class CleanRow:
    """A row's values as an import writes them, what stops it, and what is left out."""

    values: dict[str, str]
    problems: list[str]
    dropped: list[str]  # optional values left out, each with its reason
    nip_valid: bool


def _too_long(name: str, limit: int) -> str:
    return str(_("%(field)s is longer than %(n)d characters.")) % {
        "field": FIELD_LABELS[name],
        "n": limit,
    }


def clean_row(row: TableRow) -> CleanRow:
    """The values of one row, checked field by field. A problem in a field the import
    needs stops the row; one in an optional field (phone, email) leaves that value out."""
    cells = row.cells
    problems: list[str] = []
    dropped: list[str] = []
    values: dict[str, str] = {}

    def optional_problem(name: str, problem: str) -> None:
        values[name] = ""
        dropped.append(str(_("Left out: %(problem)s")) % {"problem": problem})

    # Cells that hold no value of their own: a NUL, a formula without its result, an
    # Excel error. Each is named once, and the field is then read as empty.
    text: dict[str, str] = {}
    unreadable: set[str] = set()
    for name, value in cells.items():
        problem = None
        if name in ("nip", "no"):
            continue  # the NIP is read below; the row's number is not imported
        if isinstance(value, FormulaWithoutValue | ErrorValue):
            problem = _formula_problem(str(FIELD_LABELS[name]), value)
        elif isinstance(value, str) and has_nul(value):
            problem = f"{FIELD_LABELS[name]}: {NUL_MESSAGE}"
        if problem is None:
            text[name] = cell_text(value)
            continue
        text[name] = ""
        unreadable.add(name)
        if name in OPTIONAL_FIELDS:
            optional_problem(name, problem)
        else:
            problems.append(problem)

    nip = read_nip(cells.get("nip"))
    if isinstance(cells.get("nip"), str) and has_nul(str(cells["nip"])):
        problems.append(f"{FIELD_LABELS['nip']}: {NUL_MESSAGE}")
    values["nip"] = nip.shown
    if nip.problem:
        problems.append(nip.problem)

    titles = " ".join(t for t in (text.get("title_prefix", ""), text.get("titles", "")) if t)
    prefix, name, suffix = name_and_titles(text.get("name", ""), titles)
    if text.get("title_suffix"):
        suffix = ", ".join(s for s in (suffix, text["title_suffix"]) if s)
    values.update(name=name, title_prefix=prefix, title_suffix=suffix)
    if not name and "name" not in unreadable:
        problems.append(str(_("Name is missing.")))
    for key, limit in (("name", 150), ("title_prefix", 60), ("title_suffix", 60)):
        if len(values[key]) > limit:
            problems.append(_too_long(key, limit))

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
        problems.append(_too_long("position", 200))
    values["unit"] = text.get("unit", "")

    if "phone" not in unreadable:
        phone_text = text.get("phone", "")
        phone = normalise_phone(phone_text)
        values["phone"] = phone or ""
        if phone is None:
            optional_problem(
                "phone",
                str(_("Phone “%(value)s” is not a phone number of 9 to 14 digits."))
                % {"value": phone_text},
            )

    if "email" not in unreadable:
        email = text.get("email", "").lower()
        values["email"] = email
        if len(email) > EMAIL_MAX_LENGTH:
            optional_problem("email", _too_long("email", EMAIL_MAX_LENGTH))
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                optional_problem(
                    "email",
                    str(_("Email “%(value)s” is not a valid address.")) % {"value": email},
                )
    return CleanRow(values=values, problems=problems, dropped=dropped, nip_valid=bool(nip.digits))
