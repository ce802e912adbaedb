"""Phone numbers, ranks and academic titles as people type them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cakap.people.cleaning import name_and_titles, normalise_phone, parse_rank, split_titles
from cakap.people.roster import header_field


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("081234567890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("81234567890", "081234567890"),  # the leading zero Excel dropped
        ("(0751) 123456", "0751123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_stored_as_local_digits(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["12345", "0812", "08xx", "0812345678901234", "+1 555 0100 200", "0081234567890"]
)
def test_implausible_phone_numbers_are_refused(raw):
    assert normalise_phone(raw) is None


@given(st.text(alphabet="0123456789", min_size=8, max_size=13))
def test_any_local_number_of_9_to_14_digits_survives_every_spelling(rest):
    local = "08" + rest[:12]
    if len(local) > 14:
        return
    for spelling in (local, "+62" + local[1:], "62" + local[1:], " ".join(local)):
        assert normalise_phone(spelling) == local


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("III/c", "III/c"),
        ("III c", "III/c"),
        ("iii/C", "III/c"),
        ("III-c", "III/c"),
        ("IIIc", "III/c"),
        ("Penata (III/c)", "III/c"),
        ("IV/a Pembina", "IV/a"),
        ("Gol. IV/b", "IV/b"),
        ("Pembina Utama Muda", "IV/c"),
        ("Penata Muda Tingkat I", "III/b"),
        ("Penata Tk. I", "III/d"),
        ("II/d", "II/d"),
        ("I/a", "I/a"),
        ("", ""),
    ],
)
def test_rank_is_read_from_common_spellings(raw, code):
    assert parse_rank(raw) == code


@pytest.mark.parametrize("raw", ["III/e", "V/a", "Kepala", "IX", "Penata Utama"])
def test_unknown_rank_is_none(raw):
    assert parse_rank(raw) is None


@pytest.mark.parametrize(
    ("name", "titles", "expected"),
    [
        ("Dr. Ir. Budi Santoso, M.Si.", "", ("Dr. Ir.", "Budi Santoso", "M.Si.")),
        ("Budi Santoso", "Dr. Ir., M.Si.", ("Dr. Ir.", "Budi Santoso", "M.Si.")),
        ("Siti Aminah", "S.Kom., M.Si.", ("", "Siti Aminah", "S.Kom., M.Si.")),
        ("Siti Aminah", "Dr. S.Kom., M.Si.", ("Dr.", "Siti Aminah", "S.Kom., M.Si.")),
        ("H. Ahmad Yani, S.H., M.H.", "", ("H.", "Ahmad Yani", "S.H., M.H.")),
        ("Hj. Rahmawati", "Dra., M.Pd.", ("Dra. Hj.", "Rahmawati", "M.Pd.")),
        ("dr. Maria Ulfa", "", ("dr.", "Maria Ulfa", "")),
        ("Hendra Gunawan S.Kom", "", ("", "Hendra Gunawan", "S.Kom")),
        ("M. Yusuf", "", ("", "M. Yusuf", "")),  # an initial, not a title
        ("Budi Santoso, S.E.", "S.E.", ("", "Budi Santoso", "S.E.")),  # said twice, kept once
        ("Drs.", "", ("", "Drs.", "")),  # a lone word stays the name
    ],
)
def test_titles_are_split_from_names(name, titles, expected):
    assert name_and_titles(name, titles) == expected


def test_gelar_cell_puts_dotted_prefixes_first():
    assert split_titles("Prof. Dr., M.Si.") == (["Prof.", "Dr."], ["M.Si."])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("No", "no"),
        ("NO.", "no"),
        ("NIP", "nip"),
        ("N I P", "nip"),
        ("NIP Baru", "nip"),
        ("Nama", "name"),
        ("Nama Lengkap", "name"),
        ("NAMA PEGAWAI", "name"),
        ("Gelar", "titles"),
        ("Gelar Depan", "title_prefix"),
        ("Gelar Belakang", "title_suffix"),
        ("Pangkat/Gol", "rank"),
        ("Pangkat / Golongan", "rank"),
        ("Golongan", "rank"),
        ("Gol. Ruang", "rank"),
        ("Jabatan", "position"),
        ("Nama Jabatan", "position"),
        ("Unit Kerja", "unit"),
        ("Unit Kerja/OPD", "unit"),
        ("OPD", "unit"),
        ("No HP", "phone"),
        ("No. HP", "phone"),
        ("HP", "phone"),
        ("No. HP / WA", "phone"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Alamat E-Mail", "email"),
        ("Tanda Tangan", None),
        ("", None),
    ],
)
def test_header_names_are_matched_leniently(header, field):
    assert header_field(header) == field
