"""Rotating check-in codes, windows and distances: pure functions, property-tested."""

import datetime

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from cakap.attendance.codes import (
    ALPHABET,
    CODE_LENGTH,
    check_code,
    current_code,
    make_code,
    normalise_code,
    slot_at,
)
from cakap.attendance.models import AttendancePolicy, SessionVenue, Status
from cakap.attendance.phones import new_device_id, valid_device_id
from cakap.attendance.windows import distance_m, lateness, window_of
from cakap.programmes.models import Session

KEY = "test-key"
UTC = datetime.UTC
moments = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime.datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
periods = st.integers(min_value=5, max_value=600)
session_ids = st.integers(min_value=1, max_value=10**9)


@settings(deadline=None)
@given(session_ids, st.integers(min_value=0, max_value=10**9))
def test_codes_are_six_unambiguous_characters(session_id, slot):
    code = make_code(session_id, slot, KEY)
    assert len(code) == CODE_LENGTH
    assert set(code) <= set(ALPHABET)
    assert not set(code) & set("01OIL")
    assert make_code(session_id, slot, KEY) == code  # deterministic: any server agrees


@settings(deadline=None)
@given(session_ids, moments, periods, st.integers(min_value=0, max_value=600))
def test_the_current_code_is_accepted(session_id, at, period, grace):
    code = make_code(session_id, slot_at(at.timestamp(), period), KEY)
    assert check_code(session_id, code, at, period, grace, KEY) == "ok"
    assert check_code(session_id, code.lower()[:3] + " " + code[3:], at, period, grace, KEY) == "ok"


@settings(deadline=None)
@given(session_ids, moments, periods, st.integers(min_value=0, max_value=600))
def test_previous_code_is_accepted_only_within_the_grace(session_id, at, period, grace):
    slot = slot_at(at.timestamp(), period)
    previous = make_code(session_id, slot - 1, KEY)
    if previous == make_code(session_id, slot, KEY):
        return  # a collision of two slots' codes says nothing about the grace
    into_slot = at.timestamp() - slot * period
    expected = "ok" if into_slot < grace else "expired"
    assert check_code(session_id, previous, at, period, grace, KEY) == expected


@settings(deadline=None)
@given(session_ids, moments, periods)
def test_a_code_long_past_its_slot_is_expired(session_id, at, period):
    old = at - datetime.timedelta(seconds=period * 3)
    code = make_code(session_id, slot_at(old.timestamp(), period), KEY)
    if code in {make_code(session_id, slot_at(at.timestamp(), period) - i, KEY) for i in (0, 1)}:
        return
    assert check_code(session_id, code, at, period, period, KEY) == "expired"


@settings(deadline=None)
@given(session_ids, moments, periods)
def test_a_code_of_the_next_slot_is_not_accepted_early(session_id, at, period):
    slot = slot_at(at.timestamp(), period)
    future = make_code(session_id, slot + 1, KEY)
    valid = {make_code(session_id, slot - i, KEY) for i in range(0, 3000 // period + 2)}
    if future in valid:
        return
    assert check_code(session_id, future, at, period, 30, KEY) == "bad"


@settings(deadline=None)
@given(session_ids, session_ids, moments, periods)
def test_a_code_of_another_session_is_refused(session_id, other, at, period):
    if session_id == other:
        return
    code = make_code(other, slot_at(at.timestamp(), period), KEY)
    assert check_code(session_id, code, at, period, 30, KEY) in {"bad", "expired"} or (
        code == make_code(session_id, slot_at(at.timestamp(), period), KEY)
    )


@settings(max_examples=50, deadline=None)
@given(session_ids, moments, st.text(max_size=10))
def test_guesses_are_refused(session_id, at, guess):
    slot = slot_at(at.timestamp(), 30)
    if normalise_code(guess) in {make_code(session_id, slot - i, KEY) for i in range(500)}:
        return
    assert check_code(session_id, guess, at, 30, 30, KEY) == "bad"


def test_codes_depend_on_the_secret_key():
    assert make_code(1, 100, "one") != make_code(1, 100, "two")


def test_normalise_code_removes_spaces_and_dashes():
    assert normalise_code(" abc-d e.f ") == "ABCDEF"


@time_machine.travel(datetime.datetime(2026, 3, 2, 1, 0, 10, tzinfo=UTC), tick=False)
def test_the_screen_shows_the_code_of_the_frozen_slot_and_when_it_ends(settings):
    policy = AttendancePolicy(code_period_s=30)
    session = Session(pk=42)
    from django.utils import timezone

    now = timezone.now()
    shown = current_code(session, policy, now)
    assert shown.code == make_code(42, slot_at(now.timestamp(), 30), settings.SECRET_KEY)
    assert shown.expires_at == datetime.datetime(2026, 3, 2, 1, 0, 30, tzinfo=UTC)
    assert shown.grouped == f"{shown.code[:3]} {shown.code[3:]}"
    with time_machine.travel(datetime.datetime(2026, 3, 2, 1, 0, 31, tzinfo=UTC), tick=False):
        assert current_code(session, policy, timezone.now()).code != shown.code


starts = st.datetimes(
    min_value=datetime.datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime.datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
minutes = st.integers(min_value=0, max_value=240)


@settings(deadline=None)
@given(starts, minutes, minutes, minutes, st.integers(min_value=-300, max_value=300))
def test_window_opens_before_and_closes_after_the_start(start, before, after, late, offset):
    policy = AttendancePolicy(opens_before_min=before, closes_after_min=after, late_after_min=late)
    window = window_of(start, policy)
    at = start + datetime.timedelta(minutes=offset)
    state = window.state(at)
    if offset < -before:
        assert state == "not_open"
    elif offset >= after:
        assert state == "closed"
    else:
        assert state == "open"


@settings(deadline=None)
@given(starts, minutes, minutes, st.integers(min_value=0, max_value=300))
def test_session_overrides_win_over_the_policy(start, before, after, offset):
    policy = AttendancePolicy(opens_before_min=5, closes_after_min=5)
    venue = SessionVenue(opens_before_min=before, closes_after_min=after)
    window = window_of(start, policy, venue)
    assert window.opens_at == start - datetime.timedelta(minutes=before)
    assert window.closes_at == start + datetime.timedelta(minutes=after)


def test_a_closed_session_closes_its_window_early():
    start = datetime.datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    closed = start + datetime.timedelta(minutes=20)
    window = window_of(start, AttendancePolicy(), SessionVenue(closed_at=closed))
    assert window.state(closed) == "closed"
    assert window.state(closed - datetime.timedelta(seconds=1)) == "open"


@settings(deadline=None)
@given(starts, minutes, st.integers(min_value=-60, max_value=300))
def test_late_after_the_threshold_counted_from_the_start(start, late, offset_s):
    policy = AttendancePolicy(late_after_min=late)
    window = window_of(start, policy)
    at = start + datetime.timedelta(seconds=offset_s * 60 + 7)
    status, minutes_late = lateness(start, window, at)
    if at <= start + datetime.timedelta(minutes=late):
        assert (status, minutes_late) == (Status.HADIR, 0)
    else:
        assert status == Status.TERLAMBAT
        assert minutes_late == offset_s


def test_distance_between_two_known_points():
    # Padang Aro to Padang is about 115 km as the crow flies.
    assert 100_000 < distance_m(-1.43, 101.48, -0.95, 100.35) < 140_000
    assert distance_m(-1.43, 101.48, -1.43, 101.48) == 0
    # 0.001 degree of latitude is about 111 m.
    assert 105 < distance_m(0, 100, 0.001, 100) < 116


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=5, max_value=300))
def test_the_shown_code_is_accepted_at_the_frozen_moment(offset, period):
    from django.conf import settings as django_settings
    from django.utils import timezone

    moment = datetime.datetime(2026, 1, 1, tzinfo=UTC) + datetime.timedelta(seconds=offset)
    policy = AttendancePolicy(code_period_s=period, code_grace_s=0)
    with time_machine.travel(moment, tick=False):
        now = timezone.now()
        shown = current_code(Session(pk=7), policy, now)
        assert now < shown.expires_at <= now + datetime.timedelta(seconds=period)
        assert check_code(7, shown.code, now, period, 0, django_settings.SECRET_KEY) == "ok"
    with time_machine.travel(shown.expires_at + datetime.timedelta(seconds=1), tick=False):
        later = timezone.now()
        assert check_code(7, shown.code, later, period, 0, django_settings.SECRET_KEY) != "ok" or (
            shown.code == current_code(Session(pk=7), policy, later).code
        )


@pytest.mark.parametrize(
    "value",
    [None, "", "a" * 43, "Az09_-" * 10, "a" * 24 + "." + "a" * 24, "a" * 39 + " "],
)
def test_device_ids_not_issued_here_are_refused(value):
    assert not valid_device_id(value)


def test_device_ids_are_signed_by_this_server(settings):
    issued = new_device_id()
    assert valid_device_id(issued) and len(issued) <= 64
    nonce, mac = issued.split(".")
    assert not valid_device_id(f"{nonce[::-1]}.{mac}")
    assert not valid_device_id(new_device_id(key="another deployment's key"))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a rotated key"
    assert valid_device_id(issued)
