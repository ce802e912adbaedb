"""The pure rules of unit matching: keys, abbreviations and suggestions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cakap.people.unit_matching import Candidate, suggest, unit_key

UNITS = [
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Kecamatan Sangir",
    "Kecamatan Sangir Jujuan",
    "Dinas Kesehatan",
    "Dinas Komunikasi dan Informatika",
    "Dinas Pendidikan",
    "Sekretariat Daerah",
    "Bagian Umum",
    "Dewan Perwakilan Rakyat Daerah",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
]
CANDIDATES = [Candidate(i, name, (name,)) for i, name in enumerate(UNITS)]


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
        ("Camat Sangir", "Kecamatan Sangir"),
        ("Kec. Sangir", "Kecamatan Sangir"),
        ("Dinkes", "Dinas Kesehatan"),
        ("Diskominfo", "Dinas Komunikasi dan Informatika"),
        ("Disdik", "Dinas Pendidikan"),
        ("Sekda", "Sekretariat Daerah"),
        ("Bag. Umum", "Bagian Umum"),
        ("DPRD", "Dewan Perwakilan Rakyat Daerah"),
        ("Bappeda", "Badan Perencanaan Pembangunan Daerah"),
        ("Dinas PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
        ("Dinas Kesehatan Kab.", "Dinas Kesehatan"),  # a longer, older name
        ("Dinas Kesehatn", "Dinas Kesehatan"),  # misspelt
    ],
)
def test_the_unit_meant_is_the_first_suggestion(text, meant):
    found = suggest(text, CANDIDATES)
    assert found, text
    assert found[0].label == meant


def test_a_name_like_no_unit_gets_no_suggestion():
    assert suggest("Rumah Sakit Umum Daerah", CANDIDATES) == []
    assert suggest("XY", CANDIDATES) == []


def test_suggestions_are_at_most_three_best_first():
    found = suggest("Dinas", CANDIDATES)
    assert len(found) <= 3
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_aliases_and_short_names_count_as_names():
    candidates = [Candidate(1, "Kantor Camat", ("Kantor Camat", "Kecamatan Lama"))]
    assert suggest("Kec. Lama", candidates)[0].id == 1


def test_keys_ignore_case_spaces_accents_and_punctuation():
    assert unit_key("  Dinas  Kesehatan ") == unit_key("dinas-kesehatan") == "dinaskesehatan"
    assert unit_key("Bagian Umúm") == "bagianumum"


@given(st.text(max_size=40))
def test_key_is_stable_and_plain(text):
    key = unit_key(text)
    assert unit_key(key) == key
    assert all(ch.isascii() and ch.isalnum() and not ch.isupper() for ch in key)


@given(st.text(max_size=30))
def test_suggesting_never_fails_and_scores_are_within_bounds(text):
    for s in suggest(text, CANDIDATES):
        assert 0.6 <= s.score <= 1
