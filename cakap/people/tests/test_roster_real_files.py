"""Roster files as they come from real offices, through the page and the command:
totals and signature blocks under the table, bad phones and emails, NIPs that Excel
turned into numbers, formulas without values, two-level headers."""

import io
import re
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from cakap.people.models import Person
from conftest import client_for, in_english

URL = "/people/import/"
CONFIRM_URL = "/people/import/confirm/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def nip(seq: int) -> str:
    return f"199001012015031{seq:03d}"


def xlsx(rows, merges=()):
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(rows, delimiter=";"):
    return "\n".join(delimiter.join("" if c is None else str(c) for c in r) for r in rows).encode()


def upload(client, name, content):
    return in_english(client).post(URL, {"file": SimpleUploadedFile(name, content)})


def preview(client):
    response = in_english(client).get(URL)
    assert response.status_code == 200
    return response.context["plan"], response.content.decode()


def by_line(plan):
    return {row.line: row for row in plan.rows}


def run(tmp_path, name, content, *args):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_roster", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


HEADER = ["No", "NIP", "Nama", "Pangkat/Gol", "Jabatan", "Unit Kerja", "No HP", "Email"]


def person_row(n, seq, name, unit="BKPSDM", phone="081234567890", email=None):
    return [n, nip(seq), name, "III/a", "Analis", unit, phone, email]


# A table of three people, then a total, a place and date, a signature block, blank
# rows and a note merged across the table: rows 3-5 are people, 6-15 are not.
WITH_FOOTER = [
    ["DAFTAR PESERTA COACHING CLINIC"],
    HEADER,
    person_row(1, 1, "Budi Santoso"),
    person_row(2, 2, "Siti Aminah", unit="Dinas Kesehatan"),
    person_row(3, 3, "Andi Pratama", unit="Diskominfo"),
    [None, "Jumlah", None, None, None, None, 3],
    [],
    [None, None, None, None, None, "Padang Aro, 4 Desember 2026"],
    [None, "Mengetahui,", None, None, None, "Kepala BKPSDM"],
    [None, "Sekretaris Daerah", None, None, None, None],
    [],
    [None, "Drs. H. Syafrizal, M.Si.", None, None, None, "Ir. Hendra Gunawan, M.T."],
    [None, "NIP. 19690615 199203 1 006", None, None, None, "NIP. 19700312 199503 1 002"],
    [],
    [],
    ["Catatan: daftar ini dibuat dari data kepegawaian per 1 Desember 2026."],
]
FOOTER_LINES = [6, 8, 9, 10, 12, 13, 16]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_totals_signatures_and_notes_under_the_table_are_not_people_nor_bad_rows(world, kind):
    content = xlsx(WITH_FOOTER, merges=["A16:H16"]) if kind == "xlsx" else csv(WITH_FOOTER)
    client = client_for(world.organiser)
    upload(client, f"roster.{kind}", content)
    plan, html = preview(client)
    assert [r.line for r in plan.rows] == [3, 4, 5]
    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0, "skip": 0}
    assert [r.line for r in plan.not_people] == FOOTER_LINES
    assert plan.not_people[0].text == "Jumlah · 3"
    assert "7 rows are not people (totals, signatures or notes) and are not imported." in html
    assert "Row 13: NIP. 19690615 199203 1 006 · NIP. 19700312 199503 1 002" in html
    client.post(CONFIRM_URL)
    assert set(Person.objects.filter(nip__in=[nip(1), nip(2), nip(3)]).values_list("name")) == {
        ("Budi Santoso",),
        ("Siti Aminah",),
        ("Andi Pratama",),
    }
    assert not Person.objects.filter(name__icontains="Syafrizal").exists()


def test_the_command_names_the_rows_that_are_not_people_and_skips_none(world, tmp_path):
    out, err = run(tmp_path, "roster.xlsx", xlsx(WITH_FOOTER, merges=["A16:H16"]), "--dry-run")
    assert "Row 6: not a person, not imported: Jumlah · 3" in out
    assert "Row 16: not a person, not imported: Catatan: daftar ini dibuat" in out
    assert (
        "Dry run: 3 to create, 0 to update, 0 unchanged, 0 skipped with problems, "
        "7 rows that are not people." in out
    )
    assert err == ""
    out, _ = run(tmp_path, "roster.xlsx", xlsx(WITH_FOOTER, merges=["A16:H16"]))
    assert "Imported: 3 created" in out
    assert Person.objects.filter(nip__in=[nip(1), nip(2), nip(3)]).count() == 3


def test_a_subtotal_between_sections_is_not_a_person_and_the_table_goes_on(world):
    rows = [
        HEADER,
        ["A. BKPSDM"],
        person_row(1, 1, "Budi Santoso"),
        [None, "Sub Total", None, None, None, None, 1],
        ["B. Diskominfo"],
        person_row(2, 2, "Andi Pratama", unit="Diskominfo"),
        ["", "Total", "", "", "", "", 2],
    ]
    client = client_for(world.organiser)
    upload(client, "roster.xlsx", xlsx(rows))
    plan, _html = preview(client)
    assert [(r.line, r.action) for r in plan.rows] == [(3, "create"), (6, "create")]
    assert [r.line for r in plan.not_people] == [4, 7]


def test_a_person_without_nip_at_the_end_of_the_table_is_still_a_bad_row(world):
    rows = [
        HEADER,
        person_row(1, 1, "Budi Santoso"),
        [2, None, "Siti Aminah", "III/b", "Kepala Seksi Umum", "Dinas Kesehatan", None, None],
        [None, "Jumlah", None, None, None, None, 2],
    ]
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv(rows))
    plan, _html = preview(client)
    rows_by_line = by_line(plan)
    assert rows_by_line[3].action == "skip"
    assert rows_by_line[3].problems == ["NIP: NIP is empty."]
    assert [r.line for r in plan.not_people] == [4]


# --- Optional values left out ------------------------------------------------------------


def test_a_row_with_only_a_bad_phone_and_email_is_imported_without_them(world):
    recorded = world.participant.person
    Person.objects.filter(pk=recorded.pk).update(phone="081211112222")
    rows = [
        HEADER,
        person_row(1, 1, "Budi Santoso", phone="12345", email="budi@"),
        [2, recorded.nip, "Participant", "III/c", "Analis", "Dinas Kesehatan", "0812-xx", None],
        person_row(3, 3, "Andi Pratama", phone="12345", unit="Dinas Pariwisata"),
    ]
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv(rows))
    plan, html = preview(client)
    rows_by_line = by_line(plan)
    budi = rows_by_line[2]
    assert (budi.action, budi.problems) == ("create", [])
    assert budi.dropped == [
        "Left out: Phone “12345” is not a phone number of 9 to 14 digits.",
        "Left out: Email “budi@” is not a valid address.",
    ]
    assert (budi.values["phone"], budi.values["email"]) == ("", "")
    assert rows_by_line[3].action == "update"
    assert "phone" not in rows_by_line[3].changes  # the recorded phone stays
    assert rows_by_line[4].action == "skip"  # a needed field is wrong: the row waits
    assert plan.with_values_left_out == 2
    assert "2 rows are imported with values left out (see below)." in html
    assert "Left out: Email “budi@” is not a valid address." in html
    client.post(CONFIRM_URL)
    person = Person.objects.get(nip=nip(1))
    assert (person.name, person.phone, person.email) == ("Budi Santoso", "", "")
    recorded.refresh_from_db()
    assert (recorded.phone, recorded.rank) == ("081211112222", "III/c")
    assert not Person.objects.filter(nip=nip(3)).exists()


def test_the_command_imports_a_row_with_a_bad_phone_and_says_what_it_left_out(world, tmp_path):
    rows = [HEADER, person_row(1, 1, "Budi Santoso", phone="12345")]
    out, err = run(tmp_path, "roster.csv", csv(rows))
    assert "Row 2: Left out: Phone “12345” is not a phone number of 9 to 14 digits." in err
    assert "Imported: 1 created" in out
    assert Person.objects.get(nip=nip(1)).phone == ""


def test_an_email_too_long_to_store_is_left_out_not_a_server_error(world):
    long_email = "a" * 250 + "@example.go.id"
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv([HEADER, person_row(1, 1, "Budi", email=long_email)]))
    plan, _html = preview(client)
    assert plan.rows[0].action == "create"
    assert plan.rows[0].dropped == ["Left out: Email is longer than 254 characters."]
    assert client.post(CONFIRM_URL).status_code == 302
    assert Person.objects.get(nip=nip(1)).email == ""


# --- NIPs that Excel turned into numbers --------------------------------------------------

EIGHTEEN_DIGITS = re.compile(r"(?<!\d)\d{18}(?!\d)|\d{8} \d{6} \d \d{3}")


def _nips_in(html):
    """Every NIP-looking number the page shows, grouped or not."""
    return {re.sub(r"\D", "", found) for found in EIGHTEEN_DIGITS.findall(html)}


@pytest.mark.parametrize(
    ("kind", "cell", "shown"),
    [
        ("csv", "1.9690211199503E+17", "1.9690211199503E+17"),
        ("csv", "1,96902111995031E+17", "1,96902111995031E+17"),  # Indonesian decimal comma
        ("xlsx", 196902111995031001.0, "1.96902111995031E+17"),
        ("xlsx", "1.9690211199503E+17", "1.9690211199503E+17"),
    ],
)
def test_a_nip_excel_made_a_number_is_named_and_never_shown_as_digits(world, kind, cell, shown):
    rows = [HEADER, [1, cell, "Syafrizal", "IV/c", "Sekda", "BKPSDM", None, None]]
    content = xlsx(rows) if kind == "xlsx" else csv(rows)
    client = client_for(world.organiser)
    upload(client, f"roster.{kind}", content)
    plan, html = preview(client)
    [row] = plan.rows
    assert row.action == "skip"
    assert row.problems == [
        f"NIP: Excel turned this NIP into a number ({shown}) and kept only its first 15 "
        "digits; the others are lost. Format the NIP column as Text, enter the NIPs again "
        "from the original list, and save or export the file again."
    ]
    assert row.nip_grouped == shown
    assert shown in html
    assert _nips_in(html) == set()  # no digits the file does not hold
    client.post(CONFIRM_URL)
    assert not Person.objects.filter(name="Syafrizal").exists()


def test_a_nip_ending_in_three_zeros_is_named_as_excel_s_rounding(world, tmp_path):
    rows = [HEADER, [1, "196902111995031000", "Syafrizal", "IV/c", "Sekda", "BKPSDM", None, None]]
    out, err = run(tmp_path, "roster.csv", csv(rows), "--dry-run")
    assert "Row 2: NIP: it ends in 000, as a NIP does that Excel turned into a number" in err
    assert "Format the NIP column as Text" in err
    assert "0 to create" in out


def test_the_command_names_a_nip_excel_made_a_number(world, tmp_path):
    rows = [HEADER, [1, 197505052000031003.0, "Joko", "III/b", "Staf", "BKPSDM", None, None]]
    out, err = run(tmp_path, "roster.xlsx", xlsx(rows))
    assert "Row 2: NIP: Excel turned this NIP into a number (1.97505052000031E+17)" in err
    assert "197505052000031" not in out + err.replace("1.97505052000031E+17", "")
    assert "0 created" in out


def test_a_nip_kept_as_text_the_excel_way_in_a_csv_is_read(world):
    rows = [HEADER, [1, f'="{nip(1)}"', "Budi", "III/a", "Analis", "BKPSDM", '="081234567890"']]
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv(rows))
    plan, _html = preview(client)
    assert (plan.rows[0].action, plan.rows[0].values["nip"]) == ("create", nip(1))
    assert plan.rows[0].values["phone"] == "081234567890"


# --- Formulas without values and Excel errors ----------------------------------------------


def test_formulas_without_values_and_excel_errors_are_named(world):
    rows = [
        HEADER,
        [1, "=TEXT(Z2,0)", "Budi", "III/a", "Analis", "BKPSDM", None, None],
        [2, nip(2), "=PROPER(Z3)", "III/a", "Analis", "BKPSDM", None, None],
        [3, nip(3), "Andi", "III/a", "Analis", "BKPSDM", "=Z4", "#N/A"],
        [4, "#REF!", "Rudi", "III/a", "Analis", "BKPSDM", None, None],
    ]
    client = client_for(world.organiser)
    upload(client, "roster.xlsx", xlsx(rows))
    plan, html = preview(client)
    rows_by_line = by_line(plan)
    advice = (
        "whose result is not saved in the file. Open the file in Excel or LibreOffice, let "
        "it calculate and save it, or paste the column as values, and upload it again."
    )
    assert rows_by_line[2].problems == [f"NIP: the cell holds a formula (=TEXT(Z2,0)) {advice}"]
    assert rows_by_line[3].problems == [f"Name: the cell holds a formula (=PROPER(Z3)) {advice}"]
    assert rows_by_line[4].action == "create"
    assert rows_by_line[4].dropped == [
        f"Left out: Phone: the cell holds a formula (=Z4) {advice}",
        "Left out: Email: the cell shows the Excel error #N/A instead of a value. "
        "Correct it in the file and upload it again.",
    ]
    assert rows_by_line[5].problems == [
        "NIP: the cell shows the Excel error #REF! instead of a value. "
        "Correct it in the file and upload it again."
    ]
    assert "=PROPER(Z3)" in html
    client.post(CONFIRM_URL)
    assert list(Person.objects.filter(nip__in=[nip(2), nip(3)]).values_list("name")) == [("Andi",)]


def test_the_command_names_a_formula_without_a_value(world, tmp_path):
    rows = [HEADER, [1, "=A1&B1", "Budi", "III/a", "Analis", "BKPSDM", None, None]]
    _out, err = run(tmp_path, "roster.xlsx", xlsx(rows), "--dry-run")
    assert "Row 2: NIP: the cell holds a formula (=A1&B1) whose result is not saved" in err


# --- Two-level headers ---------------------------------------------------------------------

TWO_LEVEL = [
    ["DAFTAR NAMA PESERTA"],
    [],
    ["No", "Nama", "NIP", "Unit Kerja", "Kontak", None],
    [None, None, None, None, "No HP", "Email"],
    [1, "Budi Santoso", nip(1), "BKPSDM", "0812 3456 7890", "budi@example.go.id"],
    [2, "Siti Aminah", nip(2), "Dinas Kesehatan", "+62 813 1111 2222", "siti@example.go.id"],
]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_two_level_header_is_read_with_the_columns_under_the_group(world, kind):
    if kind == "xlsx":
        content = xlsx(TWO_LEVEL, merges=["E3:F3", "A3:A4", "B3:B4", "C3:C4", "D3:D4"])
    else:
        content = csv(TWO_LEVEL, delimiter=",")
    client = client_for(world.organiser)
    upload(client, f"roster.{kind}", content)
    plan, html = preview(client)
    assert (plan.header_line, plan.header_last_line) == (3, 4)
    assert plan.columns["phone"] == "Kontak / No HP"
    assert plan.columns["email"] == "Kontak / Email"
    assert plan.ignored_columns == []
    assert "Header found on rows 3 and 4." in html
    assert [r.line for r in plan.rows] == [5, 6]
    client.post(CONFIRM_URL)
    budi = Person.objects.get(nip=nip(1))
    assert (budi.phone, budi.email) == ("081234567890", "budi@example.go.id")
    assert Person.objects.get(nip=nip(2)).phone == "081311112222"


def test_a_group_over_nip_and_name_beside_a_cell_merged_down_is_read(world, tmp_path):
    rows = [
        ["No", "Identitas Pegawai", None, "Unit Kerja", "No. HP / WA"],
        [None, "NIP", "Nama Lengkap", None, None],
        [1, nip(1), "Budi Santoso", "BKPSDM", "081234567890"],
    ]
    content = xlsx(rows, merges=["A1:A2", "B1:C1", "D1:D2", "E1:E2"])
    out, err = run(tmp_path, "roster.xlsx", content)
    assert err == ""
    assert "Imported: 1 created" in out
    budi = Person.objects.get(nip=nip(1))
    assert (budi.name, budi.unit, budi.phone) == ("Budi Santoso", world.bkpsdm, "081234567890")


def test_preview_speaks_indonesian_about_the_new_cases(world):
    rows = [*WITH_FOOTER[:3], [2, 1.96902111995031e17, "Joko", "III/a", "Staf", "BKPSDM", "1"]]
    client = client_for(world.organiser)
    client.post(URL, {"file": SimpleUploadedFile("r.xlsx", xlsx(rows))})
    html = client.get(URL).content.decode()
    for english in ("Left out", "Excel turned this NIP", "Format the NIP column", "Header found"):
        assert english not in html


def test_the_preview_of_a_long_file_with_a_footer_costs_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    rows = [HEADER] + [person_row(i, i, f"Peserta {i}") for i in range(1, 200)] + WITH_FOOTER[5:]
    client = client_for(world.organiser)
    upload(client, "roster.xlsx", xlsx(rows))
    with django_assert_max_num_queries(10):
        plan, _html = preview(client)
    assert plan.counts["create"] == 199
    assert len(plan.not_people) == 7


def test_the_committed_messy_roster_shows_no_nip_it_does_not_hold(world):
    data = (Path(__file__).parent / "data" / "messy_roster.xlsx").read_bytes()
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx", data)
    _plan, html = preview(client)
    held = {
        "197003121995031002",
        "198104152006042003",
        "196608011988032001",
        "198513022010011005",
        "197811232005011004",
        "199001012015032002",
    }
    assert _nips_in(html) <= held
    assert "1.97505052000031E+17" in html


def test_a_numbering_formula_without_a_value_stops_no_row(world):
    rows = [HEADER]
    rows += [["=ROW()-1", nip(i), f"Peserta {i}", "III/a", "Staf", "BKPSDM"] for i in (1, 2)]
    rows += [["=ROW()-1"], ["=ROW()-1"]]  # a form numbered ahead, not filled in
    client = client_for(world.organiser)
    upload(client, "roster.xlsx", xlsx(rows))
    plan, _html = preview(client)
    assert [(r.line, r.action, r.problems) for r in plan.rows] == [
        (2, "create", []),
        (3, "create", []),
    ]
    assert plan.not_people == []
