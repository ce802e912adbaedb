"""An uploaded workbook's formulas and Excel errors, as a reader that reports cells sees
them (`read_workbook(..., mark_formulas=True)`), and as every other reader does."""

import io
import zipfile

from openpyxl import Workbook

from cakap.core import spreadsheets
from cakap.core.spreadsheets import ErrorValue, FormulaWithoutValue


def _workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_cached_value(data: bytes, formula: bytes, value: bytes) -> bytes:
    """The workbook as Excel would save it: the formula with its last result."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                # openpyxl writes the empty value as <v /> or, with lxml, as <v></v>.
                for empty in (b"<v />", b"<v></v>", b"<v/>"):
                    part = part.replace(
                        b"<f>" + formula + b"</f>" + empty,
                        b"<f>" + formula + b"</f><v>" + value + b"</v>",
                    )
            target.writestr(name, part)
    return out.getvalue()


def test_a_formula_without_its_result_and_an_excel_error_are_marked():
    data = _workbook(["NIP", "Nama"], ["=A9&B9", "#REF!"], [None, "Budi"])
    [sheet] = spreadsheets.read_workbook(data, max_rows=10, mark_formulas=True)
    assert sheet.rows == [
        (1, ("NIP", "Nama")),
        (2, (FormulaWithoutValue("=A9&B9"), ErrorValue("#REF!"))),
        (3, (None, "Budi")),
    ]


def test_a_formula_with_its_result_reads_as_the_result():
    data = _with_cached_value(_workbook(["=1+1", "x"]), b"1+1", b"2")
    [sheet] = spreadsheets.read_workbook(data, max_rows=10, mark_formulas=True)
    assert sheet.rows == [(1, (2, "x"))]


def test_other_readers_see_formulas_and_errors_as_before():
    data = _workbook(["=A9&B9", "#REF!", "x"])
    [sheet] = spreadsheets.read_workbook(data, max_rows=10)
    assert sheet.rows == [(1, (None, "#REF!", "x"))]


def test_only_a_workbook_with_formulas_is_read_for_them():
    plain = _workbook(["NIP", "Nama"], ["199001012015031001", "Budi"])
    assert not spreadsheets._has_formulas(plain)
    assert spreadsheets._has_formulas(_workbook(["=1+1"]))
    [sheet] = spreadsheets.read_workbook(plain, max_rows=10, mark_formulas=True)
    assert sheet.rows[1] == (2, ("199001012015031001", "Budi"))


def test_the_row_limit_holds_with_marked_formulas():
    data = _workbook(*[[f"=A{i}", i] for i in range(1, 30)])
    [sheet] = spreadsheets.read_workbook(data, max_rows=5, mark_formulas=True)
    assert len(sheet.rows) == 6
