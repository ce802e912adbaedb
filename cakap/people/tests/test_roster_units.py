"""Unknown units in the roster import: suggestions in the preview, mapping them once
(remembered as an alias), creating them from the preview, the command's --map, and
importing straight into a group."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, Unit, UnitAlias, User
from cakap.programmes.models import Enrolment, Group, Programme
from conftest import in_english

URL = "/people/import/"
UNITS_URL = "/people/import/units/"
CONFIRM_URL = "/people/import/confirm/"

ROSTER = (
    "NIP;Nama;Unit Kerja\n"
    "199001012015031004;Ani;Disdukcapil\n"
    "199102022016042005;Budi;Camat Sangir\n"
    "199203032017031006;Citra;disdukcapil\n"
    "199304042018042007;Dewi;Dinas Kesehatan\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def offices(world):
    capil = Unit.objects.create(
        name="Dinas Kependudukan dan Pencatatan Sipil", parent=world.regency, kind="dinas"
    )
    sangir = Unit.objects.create(name="Kecamatan Sangir", parent=world.regency, kind="kecamatan")
    return capil, sangir


def upload(client, content=ROSTER, name="roster.csv"):
    response = in_english(client).post(URL, {"file": SimpleUploadedFile(name, content.encode())})
    assert response.status_code == 302
    return response


def preview(client):
    response = in_english(client).get(URL)
    assert response.status_code == 200
    return response


def unknown(client):
    return {e.text: e for e in preview(client).context["plan"].unknown_units}


def test_unknown_unit_names_get_the_closest_units_as_suggestions(world, offices, as_user):
    capil, sangir = offices
    client = as_user(world.organiser)
    upload(client)
    found = unknown(client)
    assert sorted(found) == ["Camat Sangir", "Disdukcapil"]  # one entry per name
    assert found["Disdukcapil"].lines == [2, 4]
    assert found["Disdukcapil"].suggestions[0].id == capil.pk
    assert found["Camat Sangir"].suggestions[0].id == sangir.pk
    html = preview(client).text
    assert "Unit names to map" in html
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html


def test_suggestions_stay_within_the_organisers_subtree(world, offices, as_user):
    capil, _sangir = offices
    organiser = User.objects.create_user(email="dinkes-org@example.test")
    RoleAssignment.objects.create(user=organiser, role="organiser", unit=world.dinkes)
    client = as_user(organiser)
    upload(client)
    suggested = {s.id for e in unknown(client).values() for s in e.suggestions}
    assert capil.pk not in suggested
    html = preview(client).text
    assert "Dinas Kependudukan dan Pencatatan Sipil" not in html


def test_mapping_a_name_once_is_remembered_and_the_next_file_matches(world, offices, as_user):
    capil, sangir = offices
    client = as_user(world.organiser)
    upload(client)
    response = client.post(
        UNITS_URL,
        {
            "u0-text": "Disdukcapil",
            "u0-choice": str(capil.pk),
            "u1-text": "Camat Sangir",
            "u1-choice": str(sangir.pk),
        },
    )
    assert response.status_code == 302
    assert sorted(UnitAlias.objects.values_list("name", "unit")) == [
        ("Camat Sangir", sangir.pk),
        ("Disdukcapil", capil.pk),
    ]
    assert AuditEntry.objects.filter(action="unit.alias_add").count() == 2
    plan = preview(client).context["plan"]
    assert plan.unknown_units == []
    assert [r.action for r in plan.rows] == ["create"] * 4
    client.post(CONFIRM_URL)
    assert Person.objects.get(nip="199203032017031006").unit == capil
    # The next file, with the lower-case spelling, matches at once.
    upload(client, "NIP;Nama;Unit Kerja\n199405052019031008;Eko; DISDUKCAPIL \n")
    plan = preview(client).context["plan"]
    assert plan.unknown_units == []
    assert plan.rows[0].unit == capil


def test_decide_later_maps_nothing_and_the_rows_stay_skipped(world, offices, as_user):
    client = as_user(world.organiser)
    upload(client)
    client.post(UNITS_URL, {"u0-text": "Disdukcapil", "u0-choice": "", "u1-text": "Camat Sangir"})
    assert not UnitAlias.objects.exists()
    assert preview(client).context["plan"].counts["skip"] == 3


def test_creating_the_unit_from_the_preview_under_a_chosen_parent(world, as_user):
    client = as_user(world.organiser)
    upload(client)
    response = client.post(
        UNITS_URL,
        {
            "u0-text": "Disdukcapil",
            "u0-choice": "new",
            "u0-new_name": "Dinas Kependudukan dan Pencatatan Sipil",
            "u0-parent": world.regency.pk,
            "u0-kind": "dinas",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="Dinas Kependudukan dan Pencatatan Sipil")
    assert (unit.parent, unit.kind) == (world.regency, "dinas")
    assert list(unit.aliases.values_list("name", flat=True)) == ["Disdukcapil"]
    plan = preview(client).context["plan"]
    assert [e.text for e in plan.unknown_units] == ["Camat Sangir"]


def test_a_unit_cannot_be_created_from_the_preview_outside_the_subtree(world, as_user):
    organiser = User.objects.create_user(email="dinkes-org@example.test")
    RoleAssignment.objects.create(user=organiser, role="organiser", unit=world.dinkes)
    client = in_english(as_user(organiser))
    upload(client)
    before = Unit.objects.count()
    for parent in (world.regency.pk, world.kecamatan.pk, ""):
        client.post(
            UNITS_URL,
            {"u0-text": "Disdukcapil", "u0-choice": "new", "u0-parent": parent, "u0-kind": "dinas"},
        )
    assert Unit.objects.count() == before
    # Nor mapped to a unit outside it.
    client.post(
        UNITS_URL, {"u0-text": "Disdukcapil", "u0-choice": "other", "u0-other": world.kecamatan.pk}
    )
    client.post(UNITS_URL, {"u0-text": "Disdukcapil", "u0-choice": str(world.kecamatan.pk)})
    assert not UnitAlias.objects.exists()


def test_a_bad_mapping_saves_none_of_the_answers(world, offices, as_user):
    capil, _sangir = offices
    client = in_english(as_user(world.organiser))
    upload(client)
    response = client.post(
        UNITS_URL,
        {
            "u0-text": "Disdukcapil",
            "u0-choice": str(capil.pk),
            "u1-text": "Camat Sangir",
            "u1-choice": "other",  # without choosing the other unit
        },
        follow=True,
    )
    assert "Camat Sangir: Choose the unit." in response.text
    assert not UnitAlias.objects.exists()


def test_an_ambiguous_name_is_mapped_for_this_file_only(world, as_user):
    Unit.objects.create(name="Bagian Umum", parent=world.dinkes)
    Unit.objects.create(name="Bagian Umum", parent=world.kecamatan)
    client = as_user(world.organiser)
    upload(client, "NIP;Nama;Unit Kerja\n199001012015031004;Ani;Bagian Umum\n")
    entry = unknown(client)["Bagian Umum"]
    assert len(entry.suggestions) == 2
    target = entry.suggestions[0].id
    client.post(UNITS_URL, {"u0-text": "Bagian Umum", "u0-choice": str(target)})
    assert not UnitAlias.objects.exists()  # the name names both: no alias could say which
    plan = preview(client).context["plan"]
    assert plan.rows[0].unit.pk == target
    client.post(CONFIRM_URL)
    assert Person.objects.get(nip="199001012015031004").unit_id == target


def test_mapping_with_nothing_waiting_says_so(world, as_user):
    response = in_english(as_user(world.organiser)).post(UNITS_URL, follow=True)
    assert "No roster is waiting to be imported" in response.text


def test_preview_with_unknown_units_speaks_indonesian(world, offices, as_user):
    client = as_user(world.organiser)
    client.post(URL, {"file": SimpleUploadedFile("r.csv", ROSTER.encode())})
    html = client.get(URL).text
    assert "Nama unit yang perlu dicocokkan" in html
    assert "Unit names to map" not in html


# ---------------------------------------------------------------- into a group


def test_import_into_a_group_enrols_everyone_and_reports_who_already_was(world, offices, as_user):
    capil, sangir = offices
    UnitAlias(unit=capil, name="Disdukcapil").save()
    UnitAlias(unit=sangir, name="Camat Sangir").save()
    participant = world.participant.person
    roster = ROSTER + f"{participant.nip};{participant.name};Dinas Kesehatan\n"
    other = world.other_participant.person
    roster += f"{other.nip};{other.name};Kecamatan Satu\n"
    client = in_english(as_user(world.organiser))
    upload(client, roster)
    html = preview(client).text
    assert f'value="group:{world.group_a.pk}"' in html
    response = client.post(CONFIRM_URL, {"target": f"group:{world.group_a.pk}"}, follow=True)
    enrolled = Enrolment.objects.active().filter(group=world.group_a)
    assert enrolled.count() == 5  # four new, the participant once, not twice
    assert Enrolment.objects.filter(person=participant).count() == 1
    # In group B of the same programme: reported and left there.
    assert Enrolment.objects.active().get(person=other).group == world.group_b
    assert "Enrolled in Coaching Clinic — A: 4; already in it: 1." in response.text
    assert "Already in this group, not enrolled again: Participant." in response.text
    assert "left there: Other (B)" in response.text
    assert AuditEntry.objects.filter(action="enrolment.created").count() == 4


def test_groups_offered_are_those_of_programmes_the_organiser_manages(world, as_user):
    regency = Unit.objects.create(name="Kabupaten Lain", kind="regency")
    foreign = Programme.objects.create(
        title="Elsewhere",
        organiser_unit=regency,
        coaching_unit=regency,
        start_date="2026-01-05",
        end_date="2026-12-31",
    )
    foreign_group = Group.objects.create(programme=foreign, name="X")
    closed = Programme.objects.create(
        title="Closed",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date="2026-01-05",
        end_date="2026-02-05",
        status=Programme.Status.FINISHED,
    )
    closed_group = Group.objects.create(programme=closed, name="Y")
    client = in_english(as_user(world.organiser))
    upload(client, "NIP;Nama;Unit Kerja\n199001012015031004;Ani;Dinas Kesehatan\n")
    targets = [t.key for t in preview(client).context["targets"]]
    assert targets == [f"group:{world.group_a.pk}", f"group:{world.group_b.pk}"]
    # A group not offered is refused, and nothing is imported.
    for group in (foreign_group, closed_group):
        response = client.post(CONFIRM_URL, {"target": f"group:{group.pk}"}, follow=True)
        assert "The chosen group is not one you can enrol people into." in response.text
    assert not Person.objects.filter(nip="199001012015031004").exists()
    assert not Enrolment.objects.filter(group__in=[foreign_group, closed_group]).exists()


# ---------------------------------------------------------------- the command


def run(*args):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_roster", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def test_command_prints_suggestions_for_unknown_names(world, offices, roster_file):
    capil, sangir = offices
    _out, err = run(roster_file, "--dry-run")
    assert "Unit 'Disdukcapil' (rows 2, 4) names no single unit." in err
    assert f'suggestion: --map "Disdukcapil={capil.pk}"  ({capil.name})' in err
    assert f'suggestion: --map "Camat Sangir={sangir.pk}"' in err


def test_command_map_imports_and_remembers_the_alias(world, offices, roster_file):
    capil, sangir = offices
    out, err = run(
        roster_file, "--map", f"Disdukcapil={capil.pk}", "--map", f"Camat Sangir={sangir.pk}"
    )
    assert "Imported: 4 created" in out
    assert "names no single unit" not in err
    assert Person.objects.get(nip="199102022016042005").unit == sangir
    assert set(UnitAlias.objects.values_list("name", flat=True)) == {"Disdukcapil", "Camat Sangir"}


def test_command_dry_run_with_a_map_remembers_nothing(world, offices, roster_file):
    capil, _sangir = offices
    out, _err = run(roster_file, "--dry-run", "--map", f"Disdukcapil={capil.pk}")
    assert "Dry run: 3 to create" in out
    assert not UnitAlias.objects.exists()


@pytest.mark.parametrize("value", ["Disdukcapil", "Disdukcapil=x", "=5", "Disdukcapil=999999"])
def test_command_refuses_a_bad_map_and_changes_nothing(world, roster_file, value):
    with pytest.raises(CommandError):
        run(roster_file, "--map", value)
    assert not Person.objects.filter(nip="199304042018042007").exists()


def test_command_imports_into_a_group(world, offices, roster_file):
    capil, sangir = offices
    out, _err = run(
        roster_file,
        "--map",
        f"Disdukcapil={capil.pk}",
        "--map",
        f"Camat Sangir={sangir.pk}",
        "--group",
        world.group_b.pk,
    )
    assert "Enrolled in Coaching Clinic — B: 4; already in it: 0." in out
    assert Enrolment.objects.active().filter(group=world.group_b).count() == 5
    again, _err = run(roster_file, "--group", world.group_b.pk)
    assert "Enrolled in Coaching Clinic — B: 0; already in it: 4." in again
    assert Enrolment.objects.active().filter(group=world.group_b).count() == 5


def test_command_refuses_an_unknown_group(world, roster_file):
    with pytest.raises(CommandError, match="No open group"):
        run(roster_file, "--group", "999999")
    assert not Person.objects.filter(nip="199304042018042007").exists()
