"""The recap matrix as XLSX (openpyxl) and CSV: one row per participant, one column per
session (or meeting number), then totals; a last row with each column's attendance."""

import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from cakap.attendance.queries import LETTERS, STATUS_ORDER, Column, Recap
from cakap.core import spreadsheets
from cakap.core.formatting import local
from cakap.core.spreadsheets import clean_text, looks_like_formula, sheet_title


def column_label(recap: Recap, column: Column) -> str:
    """A session's date for one group ('03-11'); the meeting number programme-wide."""
    session = column.only
    if recap.group is not None and session is not None:
        return f"{local(session.starts_at):%d-%m}"
    return str(column.index)


def _header(recap: Recap) -> list[str]:
    return [
        _("No"),
        _("Name"),
        "NIP",
        _("Unit"),
        _("Group"),
        *(column_label(recap, c) for c in recap.columns),
        *(LETTERS[s] for s in STATUS_ORDER),
        _("Attended"),
        _("Counted"),
        _("Remaining"),
        _("Attendance (%)"),
        _("Target"),
        _("Still needed"),
        _("At risk"),
    ]


def _body(recap: Recap) -> list[list[object]]:
    rows: list[list[object]] = []
    for n, row in enumerate(recap.rows, start=1):
        st = row.standing
        risk = _("cannot reach") if st.cannot_reach else (_("below pace") if st.below_pace else "")
        rows.append(
            [
                n,
                row.person.full_name,
                row.person.nip,
                str(row.person.unit),
                row.group.name,
                *(cell.letter for cell in row.cells),
                *(row.counts[s] for s in STATUS_ORDER),
                st.attended,
                st.counted,
                st.remaining,
                st.pct if st.pct is not None else "",
                st.target,
                st.needed,
                risk,
            ]
        )
    return rows


def _footer(recap: Recap) -> list[object]:
    return [
        "",
        _("Present per session"),
        "",
        "",
        "",
        *(f"{t.present}/{t.counted}" for t in recap.totals),
    ]


def recap_csv(recap: Recap) -> str:
    return spreadsheets.csv_text([_header(recap), *_body(recap), _footer(recap)])


def _cell(sheet: WriteOnlyWorksheet, raw: object, **style: object) -> object:
    """A value for a write-only row, under core's rule (cakap.core.spreadsheets): text
    without the characters a workbook cannot hold, and text that looks like a formula
    written as text (a string cell marked "quote prefix"). A plain value where it can be:
    a styled or formula-like one becomes a cell of its own."""
    if raw == "":
        raw = None  # an empty cell, which a write-only sheet leaves out
    value = raw if raw is None or isinstance(raw, int | float) else clean_text(str(raw))
    formula_like = isinstance(value, str) and looks_like_formula(value)
    if not style and not formula_like:
        return value
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes a string that starts with "=" for a formula
        cell.quotePrefix = formula_like
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


PROGRESS_EVERY = 500  # rows between two calls of on_progress


def recap_xlsx(recap: Recap, *, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The recap as a workbook, written row by row (openpyxl's write-only mode), so that
    its time grows with its rows and no more: 20,000 participants in seconds.
    `on_progress(done, total)` hears of the rows written every few hundred rows and at
    the end (a background job's progress bar)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(_("Recap") if recap.group is None else recap.group.name))
    header = _header(recap)
    # A write-only sheet takes its widths and panes before its first row.
    widths = {1: 5, 2: 34, 3: 21, 4: 24, 5: 10}
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, 7)
    sheet.freeze_panes = "F4"  # below the title, the minimum and the header
    title = recap.programme.title + (f" — {recap.group.name}" if recap.group else "")
    sheet.append([_cell(sheet, title, font=Font(bold=True, size=13))])
    sheet.append([_cell(sheet, _("Minimum attendance (%)")), recap.min_pct])
    bold, centred = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
    sheet.append([_cell(sheet, v, font=bold, alignment=centred) for v in header])
    risky = PatternFill("solid", fgColor="FDECEA")
    total = len(recap.rows)
    for done, values in enumerate(_body(recap), start=1):
        if values[-1]:
            sheet.append([_cell(sheet, v, fill=risky) for v in values])
        else:
            sheet.append([_cell(sheet, v) for v in values])
        if on_progress is not None and done % PROGRESS_EVERY == 0:
            on_progress(done, total)
    sheet.append([_cell(sheet, v) for v in _footer(recap)])
    out = io.BytesIO()
    book.save(out)
    if on_progress is not None:
        on_progress(total, total)
    return out.getvalue()
