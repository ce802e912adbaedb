"""A damaged workbook in any upload (roster page and command, framework and question
bank imports) answers "this file is damaged" in the person's language and imports
nothing; never a server error or a traceback."""

import io
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from cakap.competence.models import Framework
from cakap.competence.tests.helpers import literacy, quiz, shipped
from cakap.core import spreadsheets
from cakap.people.models import Person
from conftest import client_for, in_english

__all__ = ["literacy", "quiz", "shipped"]

pytestmark = pytest.mark.django_db

DAMAGED_EN = "This file is damaged or is not a valid Excel workbook"
DAMAGED_ID = "Berkas ini rusak atau bukan berkas Excel yang sah"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _good() -> bytes:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["NIP", "Nama", "competence", "type", "text"])
    for i in range(50):
        sheet.append([f"1970031219950310{i:02d}", f"Peserta {i}", "CD", "true_false", "x"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(member: str, change) -> bytes:
    """The good workbook with one member of its zip changed."""
    source = zipfile.ZipFile(io.BytesIO(_good()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data) if name == member else data)
    return out.getvalue()


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("notes.txt", "just a zip")
    return out.getvalue()


DAMAGED = {
    "truncated": lambda: _good()[: len(_good()) // 2],
    "sheet cut short": lambda: _rewrite("xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2]),
    "bad number": lambda: _rewrite(
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b'<c r="A2" t="inlineStr">', b'<c r="A2" t="n">', 1).replace(
            b"<is><t>197003121995031000</t></is>", b"<v>oops</v>", 1
        ),
    ),
    "random bytes": lambda: bytes(range(256)) * 8,
    "zip, not a workbook": _not_a_workbook,
    "empty": lambda: b"",
}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_the_reader_calls_every_bad_file_damaged(kind):
    with pytest.raises(spreadsheets.DamagedWorkbookError) as raised:
        spreadsheets.read_workbook(DAMAGED[kind](), max_rows=100)
    assert raised.value.code == "damaged_file"


def test_the_reader_gives_rows_with_their_numbers_and_stops_past_the_limit():
    sheets = spreadsheets.read_workbook(_good(), max_rows=10)
    assert len(sheets) == 1 and len(sheets[0].rows) == 11
    assert sheets[0].rows[1] == (2, ("197003121995031000", "Peserta 0", "CD", "true_false", "x"))


@pytest.mark.parametrize("kind", sorted(set(DAMAGED) - {"empty"}))
def test_the_roster_page_says_the_file_is_damaged(world, kind):
    before = Person.objects.count()
    upload = SimpleUploadedFile("roster.xlsx", DAMAGED[kind]())
    response = in_english(client_for(world.organiser)).post(
        "/people/import/", {"action": "upload", "file": upload}
    )
    assert response.status_code == 200
    assert DAMAGED_EN in response.content.decode()
    assert Person.objects.count() == before


def test_the_roster_page_says_it_in_indonesian_by_default(world):
    upload = SimpleUploadedFile("roster.xlsx", DAMAGED["sheet cut short"]())
    response = client_for(world.organiser).post(
        "/people/import/", {"action": "upload", "file": upload}
    )
    assert response.status_code == 200
    assert DAMAGED_ID in response.content.decode()


@pytest.mark.parametrize("kind", ["sheet cut short", "bad number", "zip, not a workbook"])
def test_the_roster_command_says_the_file_is_damaged(world, tmp_path, kind):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(DAMAGED[kind]())
    with translation.override("en"), pytest.raises(CommandError, match=DAMAGED_EN):
        call_command("import_roster", str(path), stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("kind", sorted(set(DAMAGED) - {"empty"}))
def test_the_framework_import_says_the_file_is_damaged(world, kind):
    before = Framework.objects.count()
    upload = SimpleUploadedFile("framework.xlsx", DAMAGED[kind]())
    response = client_for(world.organiser).post("/competence/frameworks/import/", {"file": upload})
    assert response.status_code == 200
    assert DAMAGED_ID in response.content.decode()
    assert Framework.objects.count() == before


@pytest.mark.parametrize("kind", sorted(set(DAMAGED) - {"empty"}))
def test_the_question_bank_import_says_the_file_is_damaged(world, quiz, kind):
    upload = SimpleUploadedFile("bank.xlsx", DAMAGED[kind]())
    response = in_english(client_for(world.organiser)).post(
        f"/competence/instruments/{quiz.instrument.pk}/bank/import/", {"file": upload}
    )
    assert response.status_code == 200
    assert DAMAGED_EN in response.content.decode()
    assert quiz.instrument.items.count() == 8


@pytest.mark.parametrize(
    "url", ["/people/import/", "/competence/frameworks/import/", "bank"], ids=str
)
def test_an_empty_upload_gets_a_clear_message(world, quiz, url):
    if url == "bank":
        url = f"/competence/instruments/{quiz.instrument.pk}/bank/import/"
    upload = SimpleUploadedFile("empty.xlsx", b"")
    response = in_english(client_for(world.organiser)).post(
        url, {"action": "upload", "file": upload}
    )
    assert response.status_code == 200
    assert "empty" in response.content.decode()
