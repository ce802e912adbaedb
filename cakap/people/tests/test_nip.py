"""NIP parsing: valid numbers round-trip, each bad part is refused with its own code."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cakap.people.nip import NipError, format_nip, parse_nip

births = st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2005, 12, 31))
sexes = st.sampled_from("12")
sequences = st.integers(min_value=1, max_value=999)


@st.composite
def nip_parts(draw):
    birth = draw(births)
    year = draw(st.integers(min_value=birth.year + 18, max_value=birth.year + 60))
    lowest_month = birth.month if year == birth.year + 18 else 1
    month = draw(st.integers(min_value=lowest_month, max_value=12))
    return birth, year, month, draw(sexes), draw(sequences)


def build(birth, year, month, sex, sequence):
    return f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{sequence:03d}"


@given(nip_parts())
def test_valid_nip_round_trips_through_parse_and_format(parts):
    birth, year, month, sex, sequence = parts
    digits = build(*parts)
    nip = parse_nip(digits)
    assert nip.digits == digits
    assert nip.birth_date == birth
    assert nip.appointed == (year, month)
    assert nip.sex == ("M" if sex == "1" else "F")
    assert nip.sequence == sequence
    grouped = nip.grouped()
    assert grouped == f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    assert parse_nip(grouped) == nip
    assert format_nip(digits) == grouped


@given(nip_parts(), st.lists(st.sampled_from([" ", ".", "-", "\u00a0", "\t"]), min_size=17))
def test_separators_anywhere_are_accepted(parts, separators):
    digits = build(*parts)
    typed = "".join(d + s for d, s in zip(digits[:17], separators[:17], strict=True)) + digits[17]
    assert parse_nip(f"  {typed} ").digits == digits


@given(nip_parts(), st.integers(min_value=13, max_value=31))
def test_appointment_month_out_of_range_is_refused(parts, month):
    birth, year, _, sex, sequence = parts
    digits = build(birth, year, 1, sex, sequence)
    bad = digits[:12] + f"{month:02d}" + digits[14:]
    with pytest.raises(NipError) as err:
        parse_nip(bad)
    assert err.value.code == "appointment"


@given(nip_parts())
def test_appointment_month_zero_is_refused(parts):
    digits = build(*parts)
    with pytest.raises(NipError) as err:
        parse_nip(digits[:12] + "00" + digits[14:])
    assert err.value.code == "appointment"


@given(nip_parts(), st.integers(min_value=0, max_value=17))
def test_appointment_before_eighteenth_birthday_is_refused(parts, age):
    birth, _, _, sex, sequence = parts
    with pytest.raises(NipError) as err:
        parse_nip(build(birth, birth.year + age, 12 if age < 18 else 1, sex, sequence))
    assert err.value.code == "appointment"


@given(nip_parts(), st.sampled_from("03456789"))
def test_sex_digit_other_than_1_or_2_is_refused(parts, sex):
    birth, year, month, _, sequence = parts
    with pytest.raises(NipError) as err:
        parse_nip(build(birth, year, month, sex, sequence))
    assert err.value.code == "sex"


@given(nip_parts())
def test_sequence_000_is_refused(parts):
    birth, year, month, sex, _ = parts
    with pytest.raises(NipError) as err:
        parse_nip(build(birth, year, month, sex, 0))
    assert err.value.code == "sequence"


@given(
    nip_parts(),
    st.sampled_from(["0230", "0231", "0431", "1301", "0001", "0100", "1232", "0932"]),
)
def test_impossible_birth_date_is_refused(parts, month_day):
    birth, year, month, sex, sequence = parts
    digits = build(birth, year, month, sex, sequence)
    with pytest.raises(NipError) as err:
        parse_nip(digits[:4] + month_day + digits[8:])
    assert err.value.code == "birth_date"


@given(st.text(alphabet="0123456789", min_size=1).filter(lambda s: len(s) != 18))
def test_wrong_length_is_refused_and_names_the_count(digits):
    with pytest.raises(NipError) as err:
        parse_nip(digits)
    assert err.value.code == "length"
    assert str(len(digits)) in str(err.value)


@pytest.mark.parametrize(
    "raw", ["19660801198803100A", "1966080119880310O1", "19660801198803100²", "١٩٦٦08011988031001"]
)
def test_anything_but_ascii_digits_is_refused(raw):
    with pytest.raises(NipError) as err:
        parse_nip(raw)
    assert err.value.code == "not_digits"


@pytest.mark.parametrize("raw", ["", "   ", " . - "])
def test_empty_nip_is_refused(raw):
    with pytest.raises(NipError) as err:
        parse_nip(raw)
    assert err.value.code == "empty"


def test_birth_before_1900_or_in_the_future_is_refused():
    for raw in ["189912311920011001", "209901012120011001"]:
        with pytest.raises(NipError) as err:
            parse_nip(raw)
        assert err.value.code == "birth_date"


def test_leap_day_birth_is_accepted():
    assert parse_nip("19680229199003 2 015").birth_date == datetime.date(1968, 2, 29)


def test_appointment_in_the_month_of_the_eighteenth_birthday_is_accepted():
    assert parse_nip("19700715198807 1 001").appointed == (1988, 7)


def test_format_nip_returns_anything_else_unchanged():
    assert format_nip("12345") == "12345"
    assert format_nip("1966080119880310AB") == "1966080119880310AB"
