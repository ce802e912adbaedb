"""Reads of the schedule generator: the local calendar, the proposal for a request and
the conflicts of proposed slots with what is already planned. The pure rules are in
schedule.py; the writes (saving sessions, calendar days) are in services.py."""

import datetime
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from cakap.people.models import Person
from cakap.programmes.models import CalendarDay, Enrolment, Group, Programme, Session
from cakap.programmes.schedule import (
    MAX_SPAN_DAYS,
    Proposal,
    Slot,
    indonesian_holidays,
    propose,
)

CANCELLED = Session.Status.CANCELLED
VENUE_MAX = Session._meta.get_field("venue").max_length or 200


class ModulePlan(enum.StrEnum):
    NONE = "none"
    IN_ORDER = "in_order"


@dataclass
class LocalCalendar:
    """Holidays and local corrections over a date range, ready for `propose`."""

    holidays: dict[datetime.date, str]
    blackouts: dict[datetime.date, str]
    working: set[datetime.date]
    days: dict[datetime.date, CalendarDay] = field(default_factory=dict)

    def holiday_on(self, day: datetime.date) -> str:
        """The reason a date has no sessions, or '' for a working day."""
        if day in self.blackouts:
            return self.blackouts[day]
        if day in self.holidays and day not in self.working:
            return self.holidays[day]
        return ""


def local_calendar(
    programme: Programme | None, start: datetime.date, end: datetime.date
) -> LocalCalendar:
    """Indonesian holidays plus the deployment-wide and the programme's calendar days.

    A programme's own entry wins over a deployment-wide one on the same date. One query.
    """
    holidays = {
        d: n
        for d, n in indonesian_holidays(range(start.year, end.year + 1)).items()
        if start <= d <= end
    }
    scope = Q(programme__isnull=True)
    if programme is not None:
        scope |= Q(programme=programme)
    rows = CalendarDay.objects.filter(scope, date__range=(start, end))
    days: dict[datetime.date, CalendarDay] = {}
    # Global rows first so that the programme's row for the same date replaces them.
    for row in sorted(rows, key=lambda r: (r.date, r.programme_id is not None)):
        days[row.date] = row
    blackouts = {d: r.reason for d, r in days.items() if r.kind == CalendarDay.Kind.BLACKOUT}
    working = {d for d, r in days.items() if r.kind == CalendarDay.Kind.WORKING}
    return LocalCalendar(holidays, blackouts, working, days)


@dataclass(frozen=True)
class ScheduleRequest:
    """What an organiser asks for; the proposal is always recomputed from this."""

    group: Group
    start_date: datetime.date
    weekdays: tuple[int, ...]
    start_time: datetime.time
    duration: datetime.timedelta
    count: int | None = None
    end_date: datetime.date | None = None


def propose_for(request: ScheduleRequest) -> Proposal:
    """Propose sessions for a group around Indonesian holidays and the local calendar."""
    last = request.end_date or request.start_date + datetime.timedelta(days=MAX_SPAN_DAYS)
    cal = local_calendar(request.group.programme, request.start_date, last)
    return propose(
        request.start_date,
        request.weekdays,
        request.start_time,
        request.duration,
        count=request.count,
        end_date=request.end_date,
        holidays=cal.holidays,
        blackouts=cal.blackouts,
        working_overrides=cal.working,
    )


class ConflictKind(enum.StrEnum):
    COACH = "coach"
    VENUE = "venue"
    PARTICIPANT = "participant"


@dataclass(frozen=True)
class Conflict:
    """A proposed slot that overlaps an existing session."""

    kind: ConflictKind
    slot: Slot
    session_id: int
    session_starts_at: datetime.datetime
    session_ends_at: datetime.datetime
    session_label: str
    people: tuple[str, ...] = ()


def _overlaps(slot: Slot, starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
    return slot.starts_at < ends_at and starts_at < slot.ends_at


def find_conflicts(
    slots: Sequence[Slot], group: Group, coach: Person | None, venue: str
) -> list[Conflict]:
    """Warnings for proposed slots: the coach or the venue booked twice, or a participant of
    `group` due in another group's session at the same time.

    Cancelled sessions never conflict, nor does a session of `group` starting exactly at a
    slot (confirming again skips it). Three queries at most, whatever the number of slots.
    """
    if not slots:
        return []
    lo = min(s.starts_at for s in slots)
    hi = max(s.ends_at for s in slots)
    around = (
        Session.objects.filter(starts_at__lt=hi, ends_at__gt=lo)
        .exclude(status=CANCELLED)
        .exclude(group=group, starts_at__in=[s.starts_at for s in slots])
    )
    label_fields = ("pk", "starts_at", "ends_at", "group__programme__title", "group__name")
    found: list[Conflict] = []

    def add(kind: ConflictKind, rows: Iterable[tuple[object, ...]]) -> None:
        people: dict[int, list[str]] = defaultdict(list)
        info: dict[int, tuple[datetime.datetime, datetime.datetime, str]] = {}
        for pk, starts_at, ends_at, programme, group_name, *person in rows:
            assert isinstance(pk, int)
            assert isinstance(starts_at, datetime.datetime)
            assert isinstance(ends_at, datetime.datetime)
            info[pk] = (starts_at, ends_at, f"{programme} — {group_name}")
            if person:
                people[pk].append(str(person[0]))
        for slot in slots:
            for pk, (starts_at, ends_at, label) in sorted(info.items(), key=lambda i: i[1][0]):
                if _overlaps(slot, starts_at, ends_at):
                    found.append(
                        Conflict(
                            kind, slot, pk, starts_at, ends_at, label, tuple(sorted(people[pk]))
                        )
                    )

    if coach is not None:
        add(ConflictKind.COACH, around.filter(coach=coach).values_list(*label_fields))
    if venue.strip():
        add(
            ConflictKind.VENUE,
            around.filter(venue__iexact=venue.strip()).values_list(*label_fields),
        )
    members = group.participants()
    add(
        ConflictKind.PARTICIPANT,
        around.exclude(group=group)
        .filter(Enrolment.active_q("group__enrolments", person__in=members))
        .values_list(*label_fields, "group__enrolments__person__name"),
    )
    return sorted(found, key=lambda c: (c.slot.starts_at, c.kind, c.session_starts_at))


def existing_starts(group: Group, slots: Sequence[Slot]) -> set[datetime.datetime]:
    """Start times among `slots` at which `group` already has a session that is not cancelled."""
    return set(
        group.sessions.exclude(status=CANCELLED)
        .filter(starts_at__in=[s.starts_at for s in slots])
        .values_list("starts_at", flat=True)
    )
