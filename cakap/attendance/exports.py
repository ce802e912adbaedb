"""The recap matrix as XLSX (openpyxl) and CSV: one row per participant, one column per
session (or meeting number), then totals; a last row with each column's attendance."""

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cakap.attendance.queries import LETTERS, STATUS_ORDER, Column, Recap
from cakap.core import spreadsheets
from cakap.core.formatting import local


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


def recap_xlsx(recap: Recap) -> bytes:
    book = spreadsheets.Book()
    sheet = book.sheet(_("Recap") if recap.group is None else recap.group.name)
    title = recap.programme.title + (f" — {recap.group.name}" if recap.group else "")
    sheet.append([title])[0].font = Font(bold=True, size=13)
    sheet.append([_("Minimum attendance (%)"), recap.min_pct])
    header = _header(recap)
    for cell in sheet.append(header):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    header_row = sheet.rows
    risky = PatternFill("solid", fgColor="FDECEA")
    for values in _body(recap):
        cells = sheet.append(values)
        if values[-1]:
            for cell in cells:
                cell.fill = risky
    sheet.append(_footer(recap))
    ws = sheet.worksheet
    ws.freeze_panes = f"F{header_row + 1}"
    widths = {1: 5, 2: 34, 3: 21, 4: 24, 5: 10}
    for index in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(index, 7)
    return book.to_bytes()
