"""`manage.py import_roster`: the page's import from the command line."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cakap.core.models import AuditEntry
from cakap.people.models import Person

DATA = Path(__file__).parent / "data"


def run(*args):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_roster", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_problems_and_changes_nothing(world):
    before = Person.objects.count()
    out, err = run(DATA / "messy_roster.xlsx", "--dry-run")
    assert "Row 10: NIP: The first 8 digits of the NIP are not a real birth date." in err
    assert "Row 11: This NIP is already on row 7" in err
    assert "Row 12: Unit “Dinas Pariwisata” is not known" in err
    assert "Row 6: create 19700312 199503 1 002 Dr. Ir. Budi Santoso, M.Si." in out
    assert "Dry run: 4 to create, 0 to update, 0 unchanged, 4 skipped with problems" in out
    assert Person.objects.count() == before


def test_import_creates_then_a_second_run_changes_nothing(world):
    out, _ = run(DATA / "messy_roster.xlsx")
    assert "Imported: 4 created, 0 updated, 0 unchanged, 4 skipped" in out
    budi = Person.objects.get(nip="197003121995031002")
    assert budi.unit == world.diskominfo
    entry = AuditEntry.objects.get(action="person.create", object_id=str(budi.pk))
    assert entry.actor is None  # the system
    entries = AuditEntry.objects.count()
    out, _ = run(DATA / "messy_roster.xlsx")
    assert "Imported: 0 created, 0 updated, 4 unchanged, 4 skipped" in out
    assert AuditEntry.objects.count() == entries


def test_update_is_printed_with_its_changes(world):
    out, _ = run(DATA / "roster_excel_cp1252.csv", "--dry-run")
    assert "Row 4: update 19680303 200012 1 003 (rank: '' -> 'III/c';" in out


def test_unit_default_is_used_for_rows_without_a_unit(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("NIP;Nama\n199001012015031004;Budi\n", encoding="utf-8")
    run(path, "--unit-default", "kecamatan  satu")
    assert Person.objects.get(nip="199001012015031004").unit == world.kecamatan


def test_unknown_unit_default_is_refused(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("NIP;Nama\n199001012015031004;Budi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No single unit"):
        run(path, "--unit-default", "Dinas Bulan")


def test_bad_file_is_refused_naming_the_problem(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Nomor;Nama\n1;Budi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No header row with both a NIP and a Nama"):
        run(path)
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
