"""Schedule generation, pure logic: properties over any calendar, and the Indonesian holidays."""

import datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cakap.core.formatting import JAKARTA
from cakap.programmes.schedule import (
    MAX_SESSIONS,
    ScheduleError,
    SkipKind,
    indonesian_holidays,
    is_cuti_bersama,
    propose,
)

FIRST = datetime.date(2024, 1, 1)
LAST = datetime.date(2027, 12, 31)
NINETY = datetime.timedelta(minutes=90)

dates = st.dates(min_value=FIRST, max_value=LAST)
weekday_sets = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)
times = st.times(min_value=datetime.time(6, 0), max_value=datetime.time(16, 0))
durations = st.integers(min_value=15, max_value=240).map(lambda m: datetime.timedelta(minutes=m))
day_maps = st.dictionaries(dates, st.text(min_size=1, max_size=20), max_size=40)


def _days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(
    start=dates,
    weekdays=weekday_sets,
    start_time=times,
    duration=durations,
    count=st.integers(min_value=1, max_value=80),
    holidays=day_maps,
    blackouts=day_maps,
    overrides=st.frozensets(dates, max_size=20),
)
def test_counted_schedule_properties(
    start, weekdays, start_time, duration, count, holidays, blackouts, overrides
):
    proposal = propose(
        start,
        weekdays,
        start_time,
        duration,
        count=count,
        holidays=holidays,
        blackouts=blackouts,
        working_overrides=overrides,
    )
    slots = proposal.slots
    assert len(slots) == count
    _check_common(proposal, start, weekdays, start_time, duration, holidays, blackouts, overrides)
    _check_coverage(proposal, start, slots[-1].date, weekdays)


@settings(max_examples=150, deadline=None)
@given(
    start=dates,
    weekdays=weekday_sets,
    start_time=times,
    duration=durations,
    span=st.integers(min_value=0, max_value=365),  # at most 366 days: within the limit
    holidays=day_maps,
    blackouts=day_maps,
    overrides=st.frozensets(dates, max_size=20),
)
def test_dated_schedule_properties(
    start, weekdays, start_time, duration, span, holidays, blackouts, overrides
):
    end = start + datetime.timedelta(days=span)
    proposal = propose(
        start,
        weekdays,
        start_time,
        duration,
        end_date=end,
        holidays=holidays,
        blackouts=blackouts,
        working_overrides=overrides,
    )
    assert all(s.date <= end for s in proposal.slots)
    assert all(s.date <= end for s in proposal.skipped)
    _check_common(proposal, start, weekdays, start_time, duration, holidays, blackouts, overrides)
    _check_coverage(proposal, start, end, weekdays)


def _check_common(proposal, start, weekdays, start_time, duration, holidays, blackouts, overrides):
    slots = proposal.slots
    assert list(slots) == sorted(slots)
    assert len({s.date for s in slots}) == len(slots)
    for slot in slots:
        assert slot.date >= start
        assert slot.date.weekday() in weekdays
        assert slot.date not in blackouts
        assert slot.date not in holidays or slot.date in overrides
        assert slot.starts_at.utcoffset() == datetime.timedelta(hours=7)
        assert slot.starts_at.astimezone(JAKARTA).time() == start_time
        assert slot.ends_at - slot.starts_at == duration
    for skip in proposal.skipped:
        assert skip.date.weekday() in weekdays
        if skip.kind == SkipKind.BLACKOUT:
            assert skip.reason == blackouts[skip.date]
        else:
            assert skip.date in holidays and skip.date not in overrides
            assert skip.date not in blackouts
            assert skip.reason == holidays[skip.date]


def _check_coverage(proposal, start, last, weekdays):
    proposed = [s.date for s in proposal.slots]
    skipped = [s.date for s in proposal.skipped]
    assert not set(proposed) & set(skipped)
    matching = [d for d in _days(start, last) if d.weekday() in weekdays]
    assert sorted(proposed + skipped) == matching


@given(start=dates, weekdays=weekday_sets)
def test_blackout_wins_over_a_working_override(start, weekdays):
    assume(start.weekday() in weekdays)
    proposal = propose(
        start,
        weekdays,
        datetime.time(9),
        NINETY,
        end_date=start,
        holidays={start: "Hari Raya"},
        blackouts={start: "Rapat paripurna"},
        working_overrides={start},
    )
    assert proposal.slots == ()
    assert [(s.kind, s.reason) for s in proposal.skipped] == [
        (SkipKind.BLACKOUT, "Rapat paripurna")
    ]


def test_three_a_week_around_independence_day():
    holidays = indonesian_holidays([2025])
    proposal = propose(
        datetime.date(2025, 8, 11),
        [0, 2, 4],
        datetime.time(8, 30),
        NINETY,
        count=6,
        holidays=holidays,
    )
    assert [s.date.isoformat() for s in proposal.slots] == [
        "2025-08-11",
        "2025-08-13",
        "2025-08-15",
        "2025-08-20",
        "2025-08-22",
        "2025-08-25",
    ]
    (skip,) = proposal.skipped
    assert skip.date == datetime.date(2025, 8, 18)
    assert skip.kind == SkipKind.CUTI_BERSAMA
    assert skip.reason == "Cuti Bersama Hari Kemerdekaan Republik Indonesia"
    first = proposal.slots[0]
    assert first.starts_at == datetime.datetime(2025, 8, 11, 1, 30, tzinfo=datetime.UTC)


def test_working_override_lets_a_holiday_hold_a_session():
    holidays = indonesian_holidays([2025])
    proposal = propose(
        datetime.date(2025, 8, 18),
        [0],
        datetime.time(8, 30),
        NINETY,
        count=1,
        holidays=holidays,
        working_overrides={datetime.date(2025, 8, 18)},
    )
    assert proposal.slots[0].date == datetime.date(2025, 8, 18)
    assert proposal.skipped == ()


def test_indonesian_holidays_have_indonesian_names_and_mark_cuti_bersama():
    holidays = indonesian_holidays([2025, 2026])
    assert holidays[datetime.date(2025, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert holidays[datetime.date(2025, 12, 25)] == "Hari Raya Natal"
    assert is_cuti_bersama(holidays[datetime.date(2025, 12, 26)])
    assert not is_cuti_bersama(holidays[datetime.date(2025, 12, 25)])
    assert {d.year for d in holidays} == {2025, 2026}
    leave = [d for d, n in holidays.items() if is_cuti_bersama(n)]
    assert len(leave) >= 10


def test_a_day_with_both_a_holiday_and_leave_is_a_holiday():
    assert not is_cuti_bersama("Hari Raya Idul Fitri; Cuti Bersama Hari Raya Idul Fitri")
    assert is_cuti_bersama("Cuti Bersama Natal; Cuti Bersama Tahun Baru")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"count": 3, "end_date": datetime.date(2025, 9, 1)}, "count_or_end"),
        ({}, "count_or_end"),
        ({"count": 0}, "bad_count"),
        ({"count": MAX_SESSIONS + 1}, "bad_count"),
        ({"end_date": datetime.date(2025, 7, 1)}, "end_before_start"),
        ({"end_date": datetime.date(2029, 1, 1)}, "too_long"),
        ({"count": 3, "weekdays": []}, "no_weekdays"),
        ({"count": 3, "weekdays": [7]}, "bad_weekday"),
        ({"count": 3, "duration": datetime.timedelta(0)}, "bad_duration"),
        ({"count": 3, "duration": datetime.timedelta(hours=13)}, "bad_duration"),
    ],
)
def test_bad_requests_are_refused_with_a_code(kwargs, code):
    args = {
        "start_date": datetime.date(2025, 8, 11),
        "weekdays": [0],
        "start_time": datetime.time(8, 30),
        "duration": NINETY,
        **kwargs,
    }
    with pytest.raises(ScheduleError) as caught:
        propose(**args)
    assert caught.value.code == code


def test_a_count_that_needs_more_than_three_years_is_refused():
    with pytest.raises(ScheduleError) as caught:
        propose(datetime.date(2025, 1, 6), [0], datetime.time(8), NINETY, count=300)
    assert caught.value.code == "too_long"


def test_every_day_blacked_out_ends_instead_of_looping():
    start = datetime.date(2025, 1, 1)
    blackouts = {start + datetime.timedelta(days=i): "tutup" for i in range(4 * 366)}
    with pytest.raises(ScheduleError):
        propose(start, range(7), datetime.time(8), NINETY, count=1, blackouts=blackouts)


def test_more_than_the_session_limit_in_a_date_range_is_refused():
    with pytest.raises(ScheduleError) as caught:
        propose(
            datetime.date(2025, 1, 1),
            range(7),
            datetime.time(8),
            NINETY,
            end_date=datetime.date(2026, 6, 1),
        )
    assert caught.value.code == "too_many"
