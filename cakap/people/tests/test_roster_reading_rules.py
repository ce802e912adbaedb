"""The reading rules without the database: what a NIP cell shows, where a table ends,
how a two-level header is read. Properties over generated files."""

import csv
import io
import re

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cakap.people.roster import parse_file
from cakap.people.roster_reading import RosterFileError, number_text, read_nip
from cakap.people.tests.test_roster_parsing import people, spell_nip

valid_nips = people().map(lambda p: p["nip"])


@given(valid_nips, st.sampled_from(["plain", "grouped", "dotted"]), st.booleans())
def test_a_nip_typed_as_text_reads_as_exactly_its_digits(nip, style, apostrophe):
    reading = read_nip(("'" if apostrophe else "") + spell_nip(nip, style))
    assert (reading.digits, reading.shown, reading.problem) == (nip, nip, None)


@given(valid_nips)
def test_a_nip_stored_as_a_number_is_named_and_shown_as_that_number(nip):
    stored = float(nip)  # what a workbook cell typed as a number holds
    with translation.override("en"):
        reading = read_nip(stored)
    assert reading.digits is None
    assert reading.problem is not None and "Excel" in reading.problem
    assert "E+17" in reading.shown
    assert float(reading.shown) == stored  # the number the file holds, no other
    assert not re.search(r"\d{18}", reading.shown)


@given(valid_nips)
def test_a_nip_exported_in_scientific_notation_is_named_not_repaired(nip):
    for text in (f"{float(nip):.13E}", f"{float(nip):.5E}".replace(".", ",")):
        with translation.override("en"):
            reading = read_nip(text)
        assert (reading.digits, reading.shown) == (None, text)
        assert reading.problem is not None and "15 digits" in reading.problem


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_is_shown_as_the_very_number_the_file_holds(value):
    text = number_text(value)
    assert float(text) == value
    if abs(value) >= 1e15:
        assert "E" in text  # never a long run of digits that looks like a NIP
    elif value.is_integer():
        assert text == str(int(value))


FOOTERS = [
    [["Jumlah", "", "24"]],
    [["", "TOTAL PESERTA", "24 orang"]],
    [["Mengetahui,"], ["Kepala BKPSDM"], [""], ["Drs. H. Syafrizal, M.Si."], ["NIP. 1969"]],
    [["", "", "Padang Aro, 4 Desember 2026"], ["", "", "Kepala Dinas Kominfo"]],
    [[""], [""], ["Peserta membawa laptop masing-masing."]],
    [["Catatan: data per 1 Desember 2026"]],
    [["a.n. Bupati Solok Selatan"], ["Sekretaris Daerah"]],
    [["Demikian daftar ini dibuat untuk dipergunakan sebagaimana mestinya."]],
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(people(), min_size=1, max_size=6, unique_by=lambda p: p["nip"]),
    st.lists(st.sampled_from(FOOTERS), min_size=1, max_size=3),
    st.sampled_from([";", ","]),
)
def test_whatever_stands_under_the_table_the_same_people_come_out(persons, footers, delimiter):
    fields = ["nip", "name", "rank", "position", "unit", "phone", "email"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["No", "NIP", "Nama", "Pangkat/Gol", "Jabatan", "Unit Kerja", "No HP", "Email"])
    for number, person in enumerate(persons, start=1):
        writer.writerow([number, *(person[f] for f in fields)])
    footer_rows = [row for block in footers for row in block]
    for row in footer_rows:
        writer.writerow(row)
    plan = parse_file(out.getvalue().encode(), "roster.csv")
    assert [r.problems for r in plan.rows] == [[] for _ in persons]
    assert [{f: r.values[f] for f in fields} for r in plan.rows] == persons
    assert len(plan.not_people) == len([r for r in footer_rows if any(r)])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(people(), min_size=1, max_size=4, unique_by=lambda p: p["nip"]),
    st.permutations(["nip", "name", "rank", "position", "unit", "phone", "email"]),
    st.lists(st.booleans(), min_size=7, max_size=7),
)
def test_a_two_level_header_yields_the_same_people_whichever_columns_are_grouped(
    persons, order, grouped
):
    """Each column's header is either merged down over both header rows, or sits in the
    second row under a group label (a merged cell whose text is in its first column)."""
    labels = {
        "nip": "NIP",
        "name": "Nama",
        "rank": "Pangkat/Gol",
        "position": "Jabatan",
        "unit": "Unit Kerja",
        "phone": "No HP",
        "email": "Email",
    }
    top, bottom = [], []
    for i, name in enumerate(order):
        if grouped[i]:
            starts_group = i == 0 or not grouped[i - 1]
            top.append("Data Pegawai" if starts_group else "")
            bottom.append(labels[name])
        else:
            top.append(labels[name])
            bottom.append("")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["DAFTAR PESERTA"])
    writer.writerow(top)
    writer.writerow(bottom)
    for person in persons:
        writer.writerow([person[name] for name in order])
    plan = parse_file(out.getvalue().encode(), "roster.csv")
    # All grouped: the one label row names nothing, and the header is the second row.
    assert plan.header_line == (3 if all(grouped) else 2)
    assert plan.header_last_line == (3 if any(grouped) else 2)
    assert set(plan.columns) == set(order)
    assert [r.problems for r in plan.rows] == [[] for _ in persons]
    assert [{f: r.values[f] for f in order} for r in plan.rows] == persons


cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["=A1&B1", "#REF!", "Jumlah", "Mengetahui,", "NIP. 1969", "Kontak", "No HP"]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(cell_values, max_size=8), max_size=12))
def test_any_cells_under_a_header_give_a_plan_never_a_crash(body):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["No", "NIP", "Nama", "Unit Kerja", "No HP", "Email"])
    for row in body:
        writer.writerow(["" if v is None else v for v in row])
    try:
        plan = parse_file(out.getvalue().encode(), "roster.csv")
    except RosterFileError:
        return  # the file refused as a whole, with its message (a NUL, say)
    lines = [r.line for r in plan.rows] + [r.line for r in plan.not_people]
    assert len(lines) == len(set(lines))  # a row is a person's or not, never both
    assert all(r.problems or r.values["nip"].isdigit() for r in plan.rows)
