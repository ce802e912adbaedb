"""Reading a pasted column of NIPs (programmes/paste.py): separators, grouped NIPs,
line numbers, what is not a NIP."""

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cakap.people.nip import format_nip
from cakap.programmes.paste import read_nip_list, read_pasted_nips

A = "196608011988031001"
B = "197001012000031001"
C = "198502022010011002"


def _nips(text):
    return [(e.line, e.nip) for e in read_pasted_nips(text)]


def test_a_column_copied_from_excel_gives_one_nip_per_line():
    assert _nips(f"{A}\r\n{B}\r\n{C}\r\n") == [(1, A), (2, B), (3, C)]


def test_tabs_commas_semicolons_and_spaces_separate_nips():
    assert _nips(f"{A}\t{B},{C}") == [(1, A), (1, B), (1, C)]
    assert _nips(f"{A}; {B}") == [(1, A), (1, B)]
    assert _nips(f"{A} {B}") == [(1, A), (1, B)]


def test_grouped_nips_are_read_whole_even_several_on_a_line():
    text = f"{format_nip(A)} {format_nip(B)}\n{format_nip(C)}"
    assert _nips(text) == [(1, A), (1, B), (2, C)]


def test_dots_and_dashes_inside_a_nip_are_accepted():
    assert _nips("19660801.198803.1.001\n19700101-200003-1-001") == [(1, A), (2, B)]


def test_blank_lines_are_skipped_but_keep_the_line_numbers():
    assert _nips(f"\n\n{A}\n   \n{B}") == [(3, A), (5, B)]


def test_a_wrong_length_is_malformed_with_the_text_as_pasted():
    with translation.override("en"):
        (entry,) = read_pasted_nips("19660801 198803 1 00")
    assert entry.nip is None
    assert entry.text == "19660801 198803 1 00"
    assert "18 digits" in str(entry.problem)


def test_groups_that_do_not_fall_on_nip_borders_are_one_malformed_entry():
    entries = read_pasted_nips(f"{A[:10]} {A[10:]}{B[:3]} {B[3:]}")
    assert [e.nip for e in entries] == [None]


def test_a_name_beside_the_nip_is_reported_not_dropped():
    entries = read_pasted_nips(f"{A}\tBudi Santoso")
    assert [e.nip for e in entries] == [A, None]
    assert entries[1].text == "Budi Santoso"


def test_scientific_notation_from_excel_is_named_as_such():
    for text in ("1.9660801198803E+17", "1,96608E+17"):
        (entry,) = read_pasted_nips(text)
        assert entry.nip is None
        with translation.override("en"):
            assert "scientific" in str(entry.problem)


def test_an_invalid_birth_date_is_malformed():
    (entry,) = read_pasted_nips("196613011988031001")
    assert entry.nip is None


def test_quotes_around_a_nip_are_removed():
    assert _nips(f'\'{A}\n"{B}"') == [(1, A), (2, B)]


def test_api_lists_are_numbered_by_item():
    entries = read_nip_list([A, "x", format_nip(B)])
    assert [(e.line, e.nip) for e in entries] == [(1, A), (2, None), (3, B)]


nips = st.sampled_from([A, B, C])
separators = st.sampled_from(["\n", "\t", ",", " ", "; ", "\r\n", " ,\t"])


@given(st.lists(st.tuples(nips, st.booleans(), separators), min_size=1, max_size=12))
def test_any_mix_of_separators_and_grouping_reads_every_nip_in_order(items):
    text = "".join((format_nip(n) if grouped else n) + sep for n, grouped, sep in items)
    assert [e.nip for e in read_pasted_nips(text)] == [n for n, _g, _s in items]
