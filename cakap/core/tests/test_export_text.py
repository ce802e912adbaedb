"""Every export writes text as text: a name that looks like a formula stays a string cell
(in CSV it is quoted), a stored control character does not break the file, and the
workbooks that are imported back read as what was exported."""

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from cakap.attendance.services import set_status
from cakap.attendance.tests.roll_support import add_participants, at_minutes, person_of, travel
from cakap.competence import banks, frameworks_io
from cakap.competence.models import Competence
from cakap.competence.services import (
    ItemSpec,
    add_items,
    create_instrument,
    set_programme_framework,
)
from cakap.competence.tests.helpers import literacy, quiz, scored, shipped
from cakap.core import spreadsheets
from cakap.people.models import Person
from conftest import client_for

__all__ = ["literacy", "quiz", "scored", "shipped"]

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2"]


def _control_name() -> str:
    # PostgreSQL cannot store NUL at all; SQLite can, so a row with one may exist.
    nul = "\x00" if connection.vendor == "sqlite" else ""
    return f"Bad{nul}\x07Na\x1bme\x08"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_text_cells(content: bytes, expected: list[str]) -> None:
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula was written"
    found = {c.value: c.data_type for c in cells if c.value in expected}
    assert found == dict.fromkeys(expected, "s")


# ---------------------------------------------------------------- the writer


def test_the_writer_keeps_numbers_and_dates_and_text_apart():
    book = spreadsheets.Book()
    sheet = book.sheet("a/b: [c]?")
    aware = datetime.datetime(2026, 11, 3, 2, 0, tzinfo=datetime.UTC)
    sheet.append(["=1+1", -2, Decimal("12.5"), 3.25, datetime.date(2026, 11, 3), aware, None, 1])
    row = load_workbook(io.BytesIO(book.to_bytes())).worksheets[0][1]
    assert [c.data_type for c in row[:6]] == ["s", "n", "n", "n", "d", "d"]
    assert row[0].value == "=1+1" and row[0].quotePrefix
    assert row[1].value == -2 and row[2].value == 12.5
    assert row[4].value == datetime.datetime(2026, 11, 3, 0, 0)
    assert row[5].value == datetime.datetime(2026, 11, 3, 9, 0)  # WIB wall clock
    assert row[6].value is None and row[7].value == 1
    assert book.workbook.worksheets[0].title == "a b   c"


def test_csv_quotes_only_text_that_a_spreadsheet_would_run():
    text = spreadsheets.csv_text([["=1+1", "-2", -2, "+62 812", "@x", "\rx", "a-b", None]])
    assert next(csv.reader(io.StringIO(text))) == [
        "'=1+1", "'-2", "-2", "'+62 812", "'@x", "'\rx", "a-b", "",
    ]  # fmt: skip


def test_control_characters_are_left_out_of_both_formats():
    name = "A\x00B\x07C\x1fD\tE"
    assert spreadsheets.csv_text([[name]]).strip() == "ABCD\tE"
    book = spreadsheets.Book()
    book.sheet(f"x{name}").append([name])
    assert load_workbook(io.BytesIO(book.to_bytes())).worksheets[0]["A1"].value == "ABCD\tE"


# ---------------------------------------------------------------- attendance recap


@pytest.fixture
def odd_people(world):
    people = add_participants(world, len(FORMULAS), start=70)
    for person, name in zip(people, FORMULAS, strict=True):
        person.name = name
        person.save(update_fields=["name"])
    with travel(at_minutes(world, 5)):
        set_status(world.session_a, people[0], "hadir", acting_user=world.coach)
    return people


def test_the_recap_workbook_writes_names_as_text(world, odd_people):
    response = client_for(world.organiser).get(
        f"/attendance/recap/groups/{world.group_a.pk}/export.xlsx"
    )
    assert response.status_code == 200
    _assert_text_cells(response.content, FORMULAS)


def test_the_recap_csv_quotes_names_that_look_like_formulas(world, odd_people):
    response = client_for(world.organiser).get(
        f"/attendance/recap/programmes/{world.programme.pk}/export.csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {r[1] for r in rows}
    assert {"'" + name for name in FORMULAS} <= names
    assert not names & set(FORMULAS)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_stored_control_character_does_not_break_the_recap(world, fmt):
    person = add_participants(world, 1, start=80)[0]
    Person.objects.filter(pk=person.pk).update(name=_control_name())
    world.group_a.name = "A/B [pagi]"
    world.group_a.save(update_fields=["name"])
    response = client_for(world.organiser).get(
        f"/attendance/recap/groups/{world.group_a.pk}/export.{fmt}"
    )
    assert response.status_code == 200
    if fmt == "xlsx":
        assert "BadName" in {c.value for c in _cells(response.content)}
    else:
        assert "BadName" in response.content.decode("utf-8-sig")


# ---------------------------------------------------------------- competence results


def test_the_results_workbook_writes_names_as_text(world, scored):
    Person.objects.filter(pk=person_of(world.participant).pk).update(name=FORMULAS[0])
    Person.objects.filter(pk=person_of(world.other_participant).pk).update(name=FORMULAS[1])
    response = client_for(world.organiser).get(
        f"/competence/instruments/{scored.instrument.pk}/results.xlsx"
    )
    assert response.status_code == 200
    _assert_text_cells(response.content, FORMULAS[:2])
    percentages = [c for c in _cells(response.content) if c.column == 7 and c.row > 1]
    assert {c.data_type for c in percentages} == {"n"}  # scores stay numbers


def test_a_stored_control_character_does_not_break_the_results(world, scored):
    Person.objects.filter(pk=person_of(world.participant).pk).update(name=_control_name())
    response = client_for(world.organiser).get(
        f"/competence/instruments/{scored.instrument.pk}/results.xlsx"
    )
    assert response.status_code == 200
    assert "BadName" in {c.value for c in _cells(response.content)}


# ---------------------------------------------------------------- question banks


def test_a_question_bank_writes_text_as_text_and_reads_back_the_same(world, literacy):
    set_programme_framework(world.programme, literacy, acting_user=world.organiser)
    instrument = create_instrument(
        world.programme, kind="knowledge", title="B", acting_user=world.organiser
    )
    add_items(
        instrument,
        [
            ItemSpec("CD", "single", FORMULAS[0], ["+1", "-2"], [1]),
            ItemSpec("ED", "true_false", "@SUM(A1)", [], [0]),
        ],
        acting_user=world.organiser,
    )
    response = client_for(world.organiser).get(f"/competence/instruments/{instrument.pk}/bank.xlsx")
    assert response.status_code == 200
    _assert_text_cells(response.content, [FORMULAS[0], "+1", "-2", "@SUM(A1)"])
    rows, problems = banks.read_bank(response.content, instrument)
    assert problems == [] and all(not r.problems for r in rows)
    assert [(r.spec.text, r.spec.options) for r in rows if r.spec] == [
        (FORMULAS[0], ["+1", "-2"]),
        ("@SUM(A1)", []),
    ]


# ---------------------------------------------------------------- frameworks


def test_a_framework_writes_text_as_text_and_reads_back_the_same(world, literacy):
    Competence.objects.filter(framework=literacy, code="CD").update(
        name=FORMULAS[0], description="-2 points"
    )
    response = client_for(world.organiser).get(f"/competence/frameworks/{literacy.pk}/export.xlsx")
    assert response.status_code == 200
    _assert_text_cells(response.content, [FORMULAS[0], "-2 points"])
    spec, problems = frameworks_io.read_xlsx(response.content)
    assert problems == []
    assert spec == frameworks_io.spec_of(literacy)


def test_a_stored_control_character_does_not_break_a_framework_export(world, literacy):
    Competence.objects.filter(framework=literacy, code="CD").update(name="Bad\x07Name")
    response = client_for(world.organiser).get(f"/competence/frameworks/{literacy.pk}/export.xlsx")
    assert response.status_code == 200
    assert "BadName" in {c.value for c in _cells(response.content)}
