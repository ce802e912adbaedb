"""Spreadsheets in and out: every export is written here (XLSX and CSV), and every
uploaded workbook is opened here.

One rule for every export: a cell that holds text is text. Spreadsheet programs run a
cell that starts with = + - @ (or a tab or carriage return) as a formula, so a
participant named ``=HYPERLINK("http://x")`` would become a live link in the
organiser's Excel. In a workbook such a value is stored as a string cell (and marked
"quote prefix", so that editing it in Excel keeps it text); the file reads back as the
same text, so re-importable workbooks (question banks, frameworks) round-trip. CSV has
no cell types: there such a value gets a leading apostrophe (OWASP's advice for CSV
injection); no CSV that Cakap writes is read back by Cakap.

No stored character crashes an export: the control characters that XLSX cannot hold
(openpyxl refuses them) are left out of both formats. Numbers, dates and empty cells
stay what they are.

An uploaded workbook is read in one go (`read_workbook`), so that a damaged file, however
openpyxl fails on it, answers "this file is damaged" in the person's language rather
than a server error halfway through an import. A reader that reports cells to people
(the roster import) can ask for what a plain value hides: a formula whose result the
file does not hold (`FormulaWithoutValue`, which openpyxl and some other programs
write) and a cell that shows an Excel error such as #REF! (`ErrorValue`).
"""

import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat, zip_longest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

from cakap.core.errors import DomainError

logger = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a sheet title may not hold (Excel's rule, which openpyxl enforces).
_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
TITLE_MAX = 31

type Value = str | int | float | Decimal | datetime.date | datetime.time | None


def clean_text(text: str) -> str:
    """The text without the control characters a workbook cannot hold (tab, line feed
    and carriage return stay)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _value(value: object) -> Value:
    """What a cell holds: numbers and dates as themselves, everything else as text."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: an aware time is shown as the wall clock in WIB.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value
    return clean_text(str(value))  # a lazy translation, a model, ... shown as text


def sheet_title(title: str) -> str:
    """A title Excel accepts: no forbidden or control characters, at most 31 long, not
    quoted, never empty."""
    text = _TITLE_FORBIDDEN.sub(" ", clean_text(title)).strip().strip("'").strip()
    return text[:TITLE_MAX] or "Sheet"


class Sheet:
    """One worksheet that is written row by row."""

    def __init__(self, worksheet: Worksheet) -> None:
        self.worksheet = worksheet
        self.rows = 0

    def append(self, values: Iterable[object]) -> list[Cell]:
        """Write the next row and give its cells (for styling)."""
        self.rows += 1
        cells = []
        for column, raw in enumerate(values, start=1):
            value = _value(raw)
            cell = self.worksheet.cell(row=self.rows, column=column)
            assert isinstance(cell, Cell)  # a row written here has no merged cells
            cell.value = value
            if isinstance(value, str):
                # openpyxl takes a string that starts with "=" for a formula.
                cell.data_type = "s"
                if looks_like_formula(value):
                    cell.quotePrefix = True
            cells.append(cell)
        return cells


class Book:
    """A workbook of sheets written through `Sheet`."""

    def __init__(self) -> None:
        self.workbook = Workbook()
        self._first_used = False

    def sheet(self, title: str) -> Sheet:
        """A new sheet at the end (the workbook's first, empty sheet the first time)."""
        if not self._first_used:
            self._first_used = True
            worksheet = self.workbook.active
            assert isinstance(worksheet, Worksheet)
            worksheet.title = sheet_title(title)
        else:
            worksheet = self.workbook.create_sheet(sheet_title(title))
        return Sheet(worksheet)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


class StreamingSheet:
    """One worksheet of a `StreamingBook`: rows go to the file as they are appended, so a
    sheet of a hundred thousand rows costs the same per row as one of ten (openpyxl's
    write-only mode). The text rule is the same as `Sheet`'s."""

    def __init__(self, worksheet: Any) -> None:
        self.worksheet = worksheet
        self.rows = 0

    def append(self, values: Iterable[object]) -> None:
        self.rows += 1
        row: list[object] = []
        for raw in values:
            value = _value(raw)
            if isinstance(value, str) and looks_like_formula(value):
                # A plain string would be taken for a formula: a string cell, quoted.
                cell = WriteOnlyCell(self.worksheet, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                row.append(cell)
            else:
                row.append(value)
        self.worksheet.append(row)


class StreamingBook:
    """A workbook written row by row and never held whole (for exports that grow with a
    programme); its sheets cannot be styled or read back while writing."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)

    def sheet(self, title: str) -> StreamingSheet:
        return StreamingSheet(self.workbook.create_sheet(sheet_title(title)))

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def csv_cell(value: object) -> object:
    """A CSV field: text cleaned and, when a spreadsheet would run it, quoted."""
    cleaned = _value(value)
    if isinstance(cleaned, str) and looks_like_formula(cleaned):
        return "'" + cleaned
    return "" if cleaned is None else cleaned


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text (comma-separated, quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


# ---------------------------------------------------------------- uploads


class DamagedWorkbookError(DomainError):
    """The upload is not a workbook that can be read; nothing was imported."""

    http_status = 400


def damaged_workbook() -> DamagedWorkbookError:
    return DamagedWorkbookError(
        "damaged_file",
        _(
            "This file is damaged or is not a valid Excel workbook (.xlsx). Open it in "
            "Excel, save it again as .xlsx and upload it once more."
        ),
    )


@dataclass(frozen=True)
class SheetRows:
    """A sheet's title and its rows that hold something, each with its row number."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]]


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula cell whose last computed value the file does not hold."""

    formula: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell that shows an Excel error (#REF!, #N/A, #VALUE!, ...)."""

    code: str


def _blank(values: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.split()) for v in values)


# A formula element of a worksheet part (`<f>`, `<f t="shared" .../>`, `<x:f>`), and not
# `<formula>` (conditional formats, validations).
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")
_SCAN_CHUNK = 1 << 16


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula; read in chunks, so that a
    large sheet is never held in memory whole."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(_SCAN_CHUNK):
                    if _FORMULA_ELEMENT.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _marked(cell: Any, shown: Any) -> Any:
    """A cell's value; `shown` is the same cell read for its formula, or None."""
    if getattr(cell, "data_type", None) == "e":
        return ErrorValue(str(cell.value))
    if cell is not None and cell.value is None and getattr(shown, "data_type", None) == "f":
        return FormulaWithoutValue(str(shown.value))
    return getattr(cell, "value", None)


def _sheet_rows(
    worksheet: Any, formulas: Any, max_rows: int, *, mark: bool
) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-blank rows of `worksheet`; `formulas` is the same sheet read for its
    formulas, or None."""
    for sheet in (worksheet, formulas):
        if hasattr(sheet, "reset_dimensions"):
            # Some programs write a wrong size; read what the sheet holds.
            sheet.reset_dimensions()
    lines: Iterator[tuple[Any, ...]]
    if not mark:
        lines = worksheet.iter_rows(values_only=True)
    else:
        # Both reads parse the same part, so their rows and cells line up.
        shown_rows = repeat(()) if formulas is None else formulas.iter_rows()
        lines = (
            tuple(_marked(cell, shown) for cell, shown in zip_longest(cells, shown_cells))
            for cells, shown_cells in zip(worksheet.iter_rows(), shown_rows, strict=False)
        )
    rows = []
    for number, values in enumerate(lines, 1):
        if _blank(values):
            continue
        rows.append((number, values))
        if len(rows) > max_rows:
            break
    return rows


def read_workbook(data: bytes, *, max_rows: int, mark_formulas: bool = False) -> list[SheetRows]:
    """Every sheet of an uploaded XLSX, its non-blank rows as values (formulas as their
    last computed values); a sheet is read up to `max_rows` + 1 such rows, so that a
    caller can tell that there are too many.

    With `mark_formulas`, a formula without a computed value comes back as a
    `FormulaWithoutValue` (otherwise it reads as an empty cell) and an Excel error as an
    `ErrorValue` (otherwise its text, "#REF!"). The workbook is then read a second time
    for its formulas, only when it has any.

    Raises DamagedWorkbookError for an empty, truncated or corrupt file, or one that is not
    a workbook at all.
    """
    if not data:
        raise damaged_workbook()
    sheets = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        shown = None
        if mark_formulas and _has_formulas(data):
            shown = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for index, worksheet in enumerate(book.worksheets):
                formulas = None if shown is None else shown.worksheets[index]
                rows = _sheet_rows(worksheet, formulas, max_rows, mark=mark_formulas)
                sheets.append(SheetRows(worksheet.title, rows))
        finally:
            book.close()
            if shown is not None:
                shown.close()
    # openpyxl fails on a bad file with whatever its zip, XML and value parsers raise;
    # nothing but openpyxl and the zip scan for formulas runs inside this block.
    except Exception as exc:  # noqa: BLE001
        logger.info("An uploaded workbook could not be read: %r", exc)
        raise damaged_workbook() from None
    return sheets
