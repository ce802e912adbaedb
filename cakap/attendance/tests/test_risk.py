"""The at-risk arithmetic (pure, property-based) and the at-risk page."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cakap.attendance.queries import standing, target_count
from cakap.attendance.services import set_status
from cakap.attendance.tests.roll_support import (
    add_participants,
    add_sessions,
    at_minutes,
    travel,
)
from cakap.programmes.models import Session
from conftest import client_for


@st.composite
def counts(draw):
    counted = draw(st.integers(0, 60))
    attended = draw(st.integers(0, counted))
    remaining = draw(st.integers(0, 60))
    min_pct = draw(st.integers(0, 100))
    return attended, counted, remaining, min_pct


@given(counts())
def test_the_target_is_the_ceiling_of_the_percentage(args):
    attended, counted, remaining, min_pct = args
    s = standing(*args)
    total = counted + remaining
    assert s.target == target_count(min_pct, total)
    assert s.target * 100 >= min_pct * total > (s.target - 1) * 100 or s.target == 0
    assert 0 <= s.target <= total


@given(counts())
def test_needed_and_cannot_reach_agree(args):
    s = standing(*args)
    assert s.needed == max(0, s.target - s.attended)
    assert s.cannot_reach == (s.needed > s.remaining)
    if s.attended >= s.target:
        assert s.needed == 0 and not s.cannot_reach


@given(counts())
def test_attending_every_remaining_session_is_the_only_hope(args):
    attended, counted, remaining, min_pct = args
    s = standing(*args)
    best = standing(attended + remaining, counted + remaining, 0, min_pct)
    assert s.cannot_reach == (best.attended < best.target)


@given(counts())
def test_one_more_attended_session_never_hurts(args):
    attended, counted, remaining, min_pct = args
    s = standing(*args)
    if remaining:
        better = standing(attended + 1, counted + 1, remaining - 1, min_pct)
        worse = standing(attended, counted + 1, remaining - 1, min_pct)
        assert better.needed <= s.needed <= worse.needed
        assert better.cannot_reach <= s.cannot_reach <= worse.cannot_reach


@given(counts())
def test_below_pace_means_below_the_percentage_so_far(args):
    s = standing(*args)
    if s.counted:
        assert s.below_pace == (s.attended / s.counted * 100 < s.min_pct)
        assert s.pct is not None and 0 <= s.pct <= 100
    else:
        assert not s.below_pace and s.pct is None
    assert s.at_risk == (s.cannot_reach or s.below_pace)


def test_a_worked_example():
    # 10 sessions, 80 %: target 8. Five held, three attended, five to go.
    s = standing(3, 5, 5, 80)
    assert (s.target, s.needed, s.cannot_reach, s.below_pace, s.pct) == (8, 5, False, True, 60.0)
    s = standing(2, 5, 5, 80)
    assert (s.needed, s.cannot_reach) == (6, True)
    s = standing(5, 5, 5, 80)
    assert (s.needed, s.at_risk) == (3, False)


@pytest.mark.parametrize("bad", [(3, 2, 0, 80), (0, 0, -1, 80), (0, 0, 0, 101)])
def test_inconsistent_counts_are_refused(bad):
    with pytest.raises(ValueError):
        standing(*bad)


@pytest.fixture
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.usefixtures("_fast_passwords")
def test_the_page_lists_those_at_risk_with_what_they_need(world):
    world.programme.target_sessions = 0
    world.programme.min_attendance_pct = 75
    world.programme.save()
    good, poor = add_participants(world, 2)
    later = add_sessions(world, [2, 4, 7])  # four sessions in all: target 3
    with travel(at_minutes(world, 5)):
        for person in (good, poor):
            set_status(world.session_a, person, "hadir" if person == good else "izin",
                       reason="" if person == good else "Rapat",
                       acting_user=world.coach)  # fmt: skip
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.HELD)
    response = client_for(world.organiser).get(f"/attendance/risk/programmes/{world.programme.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    # Izin does not count as attended: 0 of 1 is below the 75 % pace; it needs all three.
    assert "Peserta 001" in body and "Peserta 000" not in body
    assert ">3 / 3<" in body
    # The participant was never marked in a held session: counted, not attended.
    assert "Participant" in body
    assert len(later) == 3


@pytest.mark.usefixtures("_fast_passwords")
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("organiser", 200),
        ("admin", 200),
        ("coach", 404),
        ("participant", 404),
        ("leader", 200),  # the participant's unit's head reads it, for their unit
        ("leader_other", 404),
    ],
)
def test_the_at_risk_list_is_the_organisers_and_leaders(world, persona, status):
    url = f"/attendance/risk/programmes/{world.programme.pk}/"
    assert client_for(getattr(world, persona)).get(url).status_code == status
