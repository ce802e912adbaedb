"""Schedule generation, pure logic: which dates get a session and which are skipped, and why.

Nothing here touches the database; `queries.py` loads the calendar and
`services.py` saves the result.
"""

import datetime
import enum
import functools
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

import holidays as holidays_lib
from django.utils.translation import gettext_lazy as _

from cakap.core import bounds
from cakap.core.errors import ConflictError, DomainError
from cakap.core.formatting import JAKARTA

# Guards against a form that would otherwise loop for ever or flood the calendar.
MAX_SESSIONS = 366
MAX_SPAN_DAYS = 3 * 366
MAX_DURATION_MINUTES = int(bounds.MAX_SESSION.total_seconds()) // 60

CUTI_BERSAMA = "Cuti Bersama"


class ScheduleError(DomainError):
    """A schedule that cannot be proposed or saved."""


class ScheduleConflictError(ScheduleError, ConflictError):
    """The programme no longer takes sessions."""


class SkipKind(enum.StrEnum):
    HOLIDAY = "holiday"
    CUTI_BERSAMA = "cuti_bersama"
    BLACKOUT = "blackout"


@dataclass(frozen=True, order=True)
class Slot:
    """One proposed session: aware datetimes in Asia/Jakarta."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def date(self) -> datetime.date:
        return self.starts_at.astimezone(JAKARTA).date()


@dataclass(frozen=True)
class Skip:
    """A date on a chosen weekday that gets no session, with the reason shown to the organiser."""

    date: datetime.date
    kind: SkipKind
    reason: str


@dataclass(frozen=True)
class Proposal:
    slots: tuple[Slot, ...]
    skipped: tuple[Skip, ...]


def is_cuti_bersama(name: str) -> bool:
    """True when every holiday named on a date is collective leave rather than a public holiday.

    The `holidays` package joins several names on one date with "; ".
    """
    return all(part.strip().startswith(CUTI_BERSAMA) for part in name.split(";"))


@functools.lru_cache(maxsize=32)
def _holidays_for(years: tuple[int, ...]) -> tuple[tuple[datetime.date, str], ...]:
    both = holidays_lib.country_holidays(
        "ID", years=years, categories=("public", "government"), language="id"
    )
    government = holidays_lib.country_holidays(
        "ID", years=years, categories=("government",), language="id"
    )
    public = holidays_lib.country_holidays("ID", years=years, categories=("public",), language="id")
    result: dict[datetime.date, str] = {}
    for day, name in both.items():
        if day in government:
            # Collective leave must read as such even if a later release renames it.
            leave = [
                n if n.startswith(CUTI_BERSAMA) else f"{CUTI_BERSAMA} {n}"
                for n in government.get_list(day)
            ]
            name = "; ".join([*public.get_list(day), *leave]) if day in public else "; ".join(leave)
        result[day] = name
    return tuple(sorted(result.items()))


def indonesian_holidays(years: Iterable[int]) -> dict[datetime.date, str]:
    """Indonesian public holidays and collective leave (cuti bersama), names in Indonesian.

    Names of collective-leave days start with "Cuti Bersama". Later Islamic dates are
    estimates ("perkiraan"); organisers correct them with calendar days.
    """
    return dict(_holidays_for(tuple(sorted(set(years)))))


def propose(
    start_date: datetime.date,
    weekdays: Iterable[int],
    start_time: datetime.time,
    duration: datetime.timedelta,
    count: int | None = None,
    end_date: datetime.date | None = None,
    *,
    holidays: Mapping[datetime.date, str] | None = None,
    blackouts: Mapping[datetime.date, str] | None = None,
    working_overrides: Set[datetime.date] | None = None,
) -> Proposal:
    """Propose sessions on `weekdays` (0 = Monday) from `start_date`, skipping holidays.

    Give exactly one of `count` (that many sessions) or `end_date` (every matching day up to
    and including it). A holiday is skipped unless its date is in `working_overrides`; an
    organiser's blackout is always skipped. Raises ScheduleError on input that would give
    no schedule or an unbounded one.
    """
    holidays = holidays or {}
    blackouts = blackouts or {}
    working_overrides = working_overrides or frozenset()
    days = frozenset(weekdays)
    if not days:
        raise ScheduleError("no_weekdays", _("Choose at least one weekday."))
    if not days <= set(range(7)):
        raise ScheduleError("bad_weekday", _("A weekday is not valid."))
    if start_time.tzinfo is not None:
        raise ScheduleError("bad_time", _("The start time must be a local (WIB) time."))
    if duration <= datetime.timedelta(0):
        raise ScheduleError("bad_duration", _("The duration must be longer than zero."))
    if duration > datetime.timedelta(minutes=MAX_DURATION_MINUTES):
        raise ScheduleError("bad_duration", _("A session cannot last longer than 12 hours."))
    if (count is None) == (end_date is None):
        raise ScheduleError(
            "count_or_end", _("Give either the number of sessions or an end date, not both.")
        )
    if not bounds.date_in_range(start_date) or (
        end_date is not None and not bounds.date_in_range(end_date)
    ):
        raise ScheduleError("date_range", bounds.date_range_message())
    last_allowed = min(start_date + datetime.timedelta(days=MAX_SPAN_DAYS), bounds.MAX_DATE)
    if count is not None and not 1 <= count <= MAX_SESSIONS:
        raise ScheduleError("bad_count", _("The number of sessions must be between 1 and 366."))
    if end_date is not None:
        if end_date < start_date:
            raise ScheduleError("end_before_start", _("The end date is before the start date."))
        if end_date > last_allowed:
            raise ScheduleError("too_long", _("A schedule cannot span more than three years."))
        last_allowed = end_date

    slots: list[Slot] = []
    skipped: list[Skip] = []
    day = start_date
    while day <= last_allowed and (count is None or len(slots) < count):
        if day.weekday() in days:
            skip = _skip_for(day, holidays, blackouts, working_overrides)
            if skip is not None:
                skipped.append(skip)
            else:
                if len(slots) >= MAX_SESSIONS:
                    raise ScheduleError(
                        "too_many", _("A schedule cannot have more than 366 sessions.")
                    )
                starts = datetime.datetime.combine(day, start_time, tzinfo=JAKARTA)
                slots.append(Slot(starts, starts + duration))
        day += datetime.timedelta(days=1)
    if count is not None and len(slots) < count:
        raise ScheduleError("too_long", _("A schedule cannot span more than three years."))
    return Proposal(tuple(slots), tuple(skipped))


def _skip_for(
    day: datetime.date,
    holidays: Mapping[datetime.date, str],
    blackouts: Mapping[datetime.date, str],
    working_overrides: Set[datetime.date],
) -> Skip | None:
    if day in blackouts:
        return Skip(day, SkipKind.BLACKOUT, blackouts[day])
    if day in holidays and day not in working_overrides:
        name = holidays[day]
        kind = SkipKind.CUTI_BERSAMA if is_cuti_bersama(name) else SkipKind.HOLIDAY
        return Skip(day, kind, name)
    return None
