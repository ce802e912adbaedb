"""Frameworks as data: the two shipped ones, and an organiser's own by form or import."""

import io

import pytest
import yaml
from django.core.management import call_command
from openpyxl import load_workbook

from cakap.competence import frameworks_io
from cakap.competence.models import Competence, Framework
from cakap.core.models import AuditEntry
from conftest import client_for

EXAMPLE = frameworks_io.DATA_DIR / "examples" / "aplikasi-pemerintahan.yaml"


def test_digcomp_ships_with_five_areas_21_competences_and_8_levels(digcomp):
    assert digcomp.builtin
    assert digcomp.areas.count() == 5
    assert [a.competences.count() for a in digcomp.areas.order_by("order")] == [3, 6, 4, 4, 4]
    assert list(digcomp.levels.values_list("number", flat=True)) == list(range(1, 9))
    netiquette = Competence.objects.get(framework=digcomp, code="2.5")
    assert netiquette.name == "Netiquette"
    assert Competence.objects.get(framework=digcomp, code="5.4").name == (
        "Identifying digital competence gaps"
    )
    assert not digcomp.competences.filter(name_id="").exists()


def test_the_four_pillars_ship_scored_one_to_five(literacy):
    assert literacy.competences.count() == 4
    assert set(literacy.competences.values_list("name_id", flat=True)) == {
        "Cakap Digital",
        "Etika Digital",
        "Aman Digital",
        "Budaya Digital",
    }
    assert list(literacy.levels.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert str(literacy.competences.get(code="AD").reference_value) == "3.12"


def test_reloading_the_shipped_frameworks_changes_nothing(literacy):
    before = Competence.objects.count()
    ids = set(Competence.objects.values_list("pk", flat=True))
    call_command("load_frameworks", stdout=io.StringIO())
    assert Competence.objects.count() == before
    assert set(Competence.objects.values_list("pk", flat=True)) == ids


def test_organiser_imports_a_yaml_framework_after_a_preview(world):
    client = client_for(world.organiser)
    with EXAMPLE.open("rb") as f:
        preview = client.post("/competence/frameworks/import/", {"file": f})
    assert preview.status_code == 200
    assert "SRIKANDI" in preview.content.decode()
    assert not Framework.objects.filter(code="aplikasi-pemerintahan").exists()
    payload = preview.context["payload"]
    response = client.post("/competence/frameworks/import/", {"payload": payload})
    framework = Framework.objects.get(code="aplikasi-pemerintahan")
    assert response.status_code == 302
    assert framework.competences.count() == 6
    assert framework.owner_unit == world.regency
    assert not framework.builtin
    assert AuditEntry.objects.filter(action="competence.framework_created").exists()


def test_a_bad_yaml_file_is_refused_naming_each_bad_entry(world):
    data = yaml.safe_load(EXAMPLE.read_text())
    data["areas"][0]["competences"][1]["code"] = "SRK"  # a duplicate
    data["areas"][1]["competences"][0]["name"] = ""
    data["levels"][2]["number"] = 1
    upload = io.BytesIO(yaml.safe_dump(data).encode())
    upload.name = "bad.yaml"
    response = client_for(world.organiser).post("/competence/frameworks/import/", {"file": upload})
    problems = [(p.where, p.field) for p in response.context["problems"]]
    assert ("areas[1].competences[2]", "code") in problems
    assert ("areas[2].competences[1]", "name") in problems
    assert ("levels[3]", "number") in problems
    assert response.context["payload"] == ""
    assert not Framework.objects.filter(code="aplikasi-pemerintahan").exists()


def test_a_bad_xlsx_names_sheet_and_row(world):
    spec = frameworks_io.spec_from_mapping(yaml.safe_load(EXAMPLE.read_text()))
    wb = load_workbook(io.BytesIO(frameworks_io.write_xlsx(spec)))
    wb["levels"]["B3"] = None  # level 2 loses its name
    wb["competences"]["D4"] = "SRK"  # third competence repeats the first code
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bad.xlsx"
    response = client_for(world.organiser).post("/competence/frameworks/import/", {"file": out})
    problems = {
        (str(p.where).replace("baris", "row"), p.field) for p in response.context["problems"]
    }
    assert ("levels, row 3", "name") in problems
    assert ("competences, row 4", "code") in problems


def test_xlsx_export_reads_back_as_the_same_framework(world, digcomp):
    response = client_for(world.participant).get(f"/competence/frameworks/{digcomp.pk}/export.xlsx")
    assert response.status_code == 200
    spec, problems = frameworks_io.read_xlsx(response.content)
    assert problems == []
    assert spec == frameworks_io.spec_of(digcomp)


def test_organiser_types_a_framework_in_the_web_form(world):
    response = client_for(world.organiser).post(
        "/competence/frameworks/new/",
        {
            "code": "email-dasar",
            "name": "Basic email",
            "name_id": "Surel dasar",
            "levels": "1 | With help | Dengan bantuan\n2 | Alone | Mandiri",
            "competences": (
                "M | Mail | SEND | Sending | Mengirim\nM | Mail | FILE | Filing | Mengarsip"
            ),
        },
    )
    assert response.status_code == 302
    framework = Framework.objects.get(code="email-dasar")
    assert list(framework.competences.values_list("code", flat=True)) == ["SEND", "FILE"]


def test_the_web_form_names_a_bad_line(world):
    response = client_for(world.organiser).post(
        "/competence/frameworks/new/",
        {"code": "x", "name": "X", "levels": "one | A\n2 | B", "competences": "M | Mail | | "},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Line 1" in " ".join(errors["levels"]) or "Baris 1" in " ".join(errors["levels"])
    assert not Framework.objects.filter(code="x").exists()


@pytest.mark.parametrize("persona", ["participant", "coach", "leader", "leader_other"])
def test_only_organisers_add_frameworks(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/competence/frameworks/new/").status_code == 404
    assert client.get("/competence/frameworks/import/").status_code == 404


def test_anonymous_is_sent_to_login(world, literacy):
    response = client_for(None).get(f"/competence/frameworks/{literacy.pk}/")
    assert response.status_code == 302
