"""Roster import through the page: upload, preview, confirm; bad files; scope."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, User
from conftest import PASSWORD, client_for, in_english

DATA = Path(__file__).parent / "data"
URL = "/people/import/"
CONFIRM_URL = "/people/import/confirm/"
CANCEL_URL = "/people/import/cancel/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, name, content=None, **extra):
    content = (DATA / name).read_bytes() if content is None else content
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return in_english(client).post(URL, data)


def preview(client):
    response = in_english(client).get(URL)
    assert response.status_code == 200
    return response.context["plan"]


def by_line(plan):
    return {row.line: row for row in plan.rows}


def stored_files(settings):
    folder = Path(settings.MEDIA_ROOT) / "roster-imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_preview_shows_every_row_with_problems_and_action_and_changes_nothing(world, settings):
    client = client_for(world.organiser)
    before = Person.objects.count()
    response = upload(client, "messy_roster.xlsx")
    assert response.status_code == 302
    plan = preview(client)
    rows = by_line(plan)
    assert plan.header_line == 4
    assert sorted(rows) == [6, 7, 8, 10, 11, 12, 13, 14]  # title, blank and numbering rows gone
    assert {line: rows[line].action for line in rows} == {
        6: "create",
        7: "create",
        8: "create",
        10: "skip",
        11: "skip",
        12: "skip",
        13: "create",
        14: "skip",
    }
    assert rows[10].problems == ["NIP: The first 8 digits of the NIP are not a real birth date."]
    assert rows[11].problems == ["This NIP is already on row 7; only that row is imported."]
    assert rows[12].problems == ["Unit “Dinas Pariwisata” is not known, or is outside your units."]
    assert len(rows[14].problems) == 1  # NIP typed as a number; phone and email left out
    assert len(rows[14].dropped) == 2
    assert rows[6].full_name == "Dr. Ir. Budi Santoso, M.Si."
    assert rows[6].values["unit"] == "Diskominfo"
    html = response = in_english(client).get(URL).content.decode()
    assert "19700312 199503 1 002" in html
    assert "Dinas Pariwisata" in html
    assert 'action="/people/import/confirm/"' in html
    assert Person.objects.count() == before
    assert len(stored_files(settings)) == 1


def test_confirm_saves_valid_rows_through_the_services(world, settings):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    response = client.post(CONFIRM_URL)
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    budi = Person.objects.get(nip="197003121995031002")
    assert (budi.title_prefix, budi.name, budi.title_suffix) == ("Dr. Ir.", "Budi Santoso", "M.Si.")
    assert budi.rank == "IV/a"
    assert budi.unit == world.diskominfo
    assert budi.phone == "081234567890"
    assert budi.email == "budi.santoso@example.go.id"
    siti = Person.objects.get(nip="198104152006042003")
    assert (siti.title_suffix, siti.unit, siti.rank) == ("S.Kom., M.M.", world.dinkes, "III/c")
    rahma = Person.objects.get(nip="196608011988032001")
    assert (rahma.title_prefix, rahma.title_suffix, rahma.rank) == ("Dra. Hj.", "M.Pd.", "IV/b")
    assert rahma.phone == "081298765432"
    maria = Person.objects.get(nip="199001012015032002")
    assert (maria.title_prefix, maria.unit, maria.rank) == ("dr.", world.bkpsdm, "III/b")
    assert not Person.objects.filter(name__in=["Andi Pratama", "Rudi Hartono", "Joko Susilo"])
    created = AuditEntry.objects.filter(action="person.create", actor=world.organiser)
    assert created.count() == 4
    assert stored_files(settings) == []
    assert "people_roster_import" not in client.session


def test_reimporting_the_same_file_changes_nothing(world):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    client.post(CONFIRM_URL)
    entries = AuditEntry.objects.count()
    upload(client, "messy_roster.xlsx")
    plan = preview(client)
    assert {r.action for r in plan.rows if not r.problems} == {"unchanged"}
    assert not plan.has_changes
    response = in_english(client).get(URL)
    assert 'value="confirm"' not in response.content.decode()
    client.post(CONFIRM_URL)
    assert AuditEntry.objects.count() == entries


def test_changed_row_updates_the_person_matched_by_nip(world):
    client = client_for(world.organiser)
    person = world.participant.person
    upload(client, "roster_excel_cp1252.csv")
    rows = by_line(preview(client))
    assert rows[4].action == "update"
    assert rows[4].changes == {
        "rank": ("", "III/c"),
        "position": ("", "Kepala Seksi Pelayanan"),
        "phone": ("", "081377788899"),
    }
    assert rows[5].action == "create"
    assert rows[5].values["name"] == "Nur’aini"  # cp1252 right quote decoded
    assert rows[7].action == "skip"  # "Dinkes" and "08xx"
    html = in_english(client).get(URL).content.decode()
    assert "Kepala Seksi Pelayanan" in html and "→" in html
    client.post(CONFIRM_URL)
    person.refresh_from_db()
    assert (person.rank, person.position, person.phone) == (
        "III/c",
        "Kepala Seksi Pelayanan",
        "081377788899",
    )
    assert person.name == "Participant"
    entry = AuditEntry.objects.get(action="person.update", object_id=str(person.pk))
    assert set(entry.changes) == {"rank", "position", "phone"}
    nuraini = Person.objects.get(nip="197509212000032004")
    assert (nuraini.title_suffix, nuraini.phone) == ("S.K.M.", "081266677788")


def test_blank_cells_do_not_erase_recorded_values(world):
    person = world.participant.person
    Person.objects.filter(pk=person.pk).update(phone="081211112222", position="Staf")
    csv = "NIP;Nama;Unit Kerja;No HP;Jabatan\n196803032000121003;Participant;Dinas Kesehatan;;\n"
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv.encode())
    assert preview(client).rows[0].action == "unchanged"


def test_utf8_csv_with_bom_and_comma_separator(world):
    client = client_for(world.organiser)
    upload(client, "roster_utf8_bom.csv")
    client.post(CONFIRM_URL)
    sekda = Person.objects.get(nip="196906151992031006")
    assert (sekda.title_prefix, sekda.name, sekda.title_suffix) == ("Drs. H.", "Syafrizal", "M.Si.")
    assert sekda.unit == world.regency
    assert Person.objects.get(nip="199203172019032009").phone == "085211112222"


def test_unit_default_fills_rows_without_a_unit(world):
    csv = "NIP,Nama\n199001012015031004,Budi\n"
    client = client_for(world.organiser)
    upload(client, "roster.csv", csv.encode(), unit_default=world.kecamatan.pk)
    assert preview(client).rows[0].action == "create"
    client.post(CONFIRM_URL)
    assert Person.objects.get(nip="199001012015031004").unit == world.kecamatan


def test_row_without_unit_and_without_default_is_a_problem(world):
    client = client_for(world.organiser)
    upload(client, "roster.csv", b"NIP,Nama\n199001012015031004,Budi\n")
    assert preview(client).rows[0].problems == ["Unit is missing."]


def _xlsx(rows):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.pdf", b"%PDF-1.4 something", "is not an Excel workbook (.xlsx) or a CSV file"),
        ("roster.csv", b"", "The submitted file is empty."),
        ("roster.csv", b"\n;;;\n\n", "The file has no rows."),
        ("roster.csv", b"Nomor;Nama;Jabatan\n1;Budi;Camat\n", "No header row with both a NIP"),
        ("roster.xlsx", b"PK\x03\x04 not really a zip", "This file is damaged"),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel .xls file"),
        ("roster.csv", b"NIP;Nama\x00\x00", "not a CSV text file"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_change_nothing(
    world, settings, name, content, message
):
    client = client_for(world.organiser)
    before = Person.objects.count()
    response = upload(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["plan"] is None
    assert stored_files(settings) == []
    assert "people_roster_import" not in client.session
    assert Person.objects.count() == before


def test_too_many_rows_is_refused(world, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["Daftar"], ["NIP", "Nama", "Unit Kerja"]] + [
        [f"1990010120150310{i:02d}", f"P{i}", "BKPSDM"] for i in range(1, 5)
    ]
    response = upload(client_for(world.organiser), "big.xlsx", _xlsx(rows))
    assert "more than 3 rows" in response.content.decode()
    assert stored_files(settings) == []
    rows = rows[:-1]  # exactly the limit is fine
    assert upload(client_for(world.organiser), "ok.xlsx", _xlsx(rows)).status_code == 302


def test_cancel_forgets_the_upload(world, settings):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    client.post(CANCEL_URL)
    assert stored_files(settings) == []
    assert client.get(URL).context["plan"] is None
    client.post(CONFIRM_URL)  # nothing pending: nothing happens
    assert not Person.objects.filter(nip="197003121995031002").exists()


def test_confirm_and_cancel_answer_only_post_and_a_get_changes_nothing(world, settings):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    assert client.get(CONFIRM_URL).status_code == 405
    assert client.get(CANCEL_URL).status_code == 405
    assert len(stored_files(settings)) == 1
    assert preview(client) is not None
    assert not Person.objects.filter(nip="197003121995031002").exists()


def test_confirm_with_nothing_waiting_says_so(world):
    response = in_english(client_for(world.organiser)).post(CONFIRM_URL, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "No roster is waiting" in response.content.decode()


def test_a_second_upload_replaces_the_first(world, settings):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    upload(client, "roster_utf8_bom.csv")
    assert len(stored_files(settings)) == 1
    assert len(preview(client).rows) == 2


def test_lost_upload_asks_to_upload_again(world, settings):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    for path in stored_files(settings):
        path.unlink()
    response = in_english(client).post(CONFIRM_URL, follow=True)
    assert "no longer available" in response.content.decode()
    assert not Person.objects.filter(nip="197003121995031002").exists()


def test_organiser_of_one_unit_imports_only_into_that_unit(world):
    user = User.objects.create_user(email="dinkes-org@example.test", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role="organiser", unit=world.dinkes)
    client = client_for(user)
    upload(client, "messy_roster.xlsx")
    rows = by_line(preview(client))
    assert rows[7].action == "create"  # Dinas Kesehatan
    assert rows[6].action == "skip"  # Diskominfo is outside
    assert "outside your units" in rows[6].problems[0]
    # An existing person of another unit cannot be changed through a file either.
    csv = "NIP;Nama;Unit Kerja\n197204042001022004;Other;Dinas Kesehatan\n"
    upload(client, "move.csv", csv.encode())
    row = preview(client).rows[0]
    assert row.action == "skip"
    assert row.problems == ["A person with this NIP belongs to a unit outside your units."]


def test_ambiguous_unit_name_is_a_problem(world):
    from cakap.people.models import Unit

    Unit.objects.create(name="Sekretariat", parent=world.dinkes, kind="secretariat")
    Unit.objects.create(name="Sekretariat", parent=world.diskominfo, kind="secretariat")
    client = client_for(world.organiser)
    upload(client, "r.csv", b"NIP;Nama;Unit Kerja\n199001012015031004;Budi;sekretariat\n")
    assert "matches several units" in preview(client).rows[0].problems[0]


def test_preview_speaks_indonesian_by_default(world):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the upload chose English
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unit “Dinas Pariwisata” is not known" not in html
    assert "Dinas Pariwisata" in html


def test_import_preview_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    # + the units' aliases and the groups offered to enrol into: one query each
    with django_assert_max_num_queries(12):
        client.get(URL)


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "leader_other"])
def test_non_organisers_get_404(world, persona, settings):
    client = client_for(getattr(world, persona))
    assert client.get(URL).status_code == 404
    response = upload(client, "messy_roster.xlsx")
    assert response.status_code == 404
    assert client.post(CONFIRM_URL).status_code == 404
    assert stored_files(settings) == []


def test_anonymous_is_sent_to_login(world):
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_prenumbered_empty_rows_are_blank(world):
    csv = "No;NIP;Nama;Unit Kerja\n1;199001012015031004;Budi;BKPSDM\n2;;;\n3;;;\n"
    client = client_for(world.organiser)
    upload(client, "r.csv", csv.encode())
    assert [r.line for r in preview(client).rows] == [2]


def test_uploads_left_for_a_day_are_removed(world, settings):
    import os
    import time

    client = client_for(world.organiser)
    upload(client, "messy_roster.xlsx")
    [old] = stored_files(settings)
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    upload(client_for(world.admin), "roster_utf8_bom.csv")
    assert old not in stored_files(settings)
    assert len(stored_files(settings)) == 1
