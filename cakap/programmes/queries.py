"""Reads of the schedule generator: the local calendar, the proposal for a request and
the conflicts of proposed slots with what is already planned. The pure rules are in
schedule.py; the writes (saving sessions, calendar days) are in services.py.

Reads of bulk enrolment: the filtered list of people to enrol, and the preview of a
pasted column of NIPs (the writes are in services/enrolments.py)."""

import datetime
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from cakap.people.models import Person, Unit
from cakap.programmes.models import CalendarDay, Enrolment, Group, Programme, Session
from cakap.programmes.outcomes import FINE, Outcome, outcome_message
from cakap.programmes.paste import PastedNip
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


# Bulk enrolment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFilter:
    """The filters of the list of people to enrol; empty values filter nothing."""

    unit: Unit | None = None  # with its subtree
    rank: str = ""
    job_level: str | None = None  # None: any; "": not stated
    employee_type: str = ""
    search: str = ""  # a name, or at least 4 digits of a NIP
    not_in_programme: bool = True


def enrolment_candidates(
    people: QuerySet[Person], programme: Programme, chosen: CandidateFilter
) -> QuerySet[Person]:
    """`people` (the caller's enrollable scope) filtered, each with the group they are
    actively in within `programme` (`current_group_id`, `current_group_name`, or None),
    by name. One query for a page of them, whatever its length."""
    current = Enrolment.objects.active().filter(programme=programme, person=OuterRef("pk"))
    found = people.select_related("unit").annotate(
        current_group_id=Subquery(current.values("group_id")[:1]),
        current_group_name=Subquery(current.values("group__name")[:1]),
    )
    if chosen.unit is not None:
        found = found.filter(unit__path__startswith=chosen.unit.path)
    if chosen.rank:
        found = found.filter(rank=chosen.rank)
    if chosen.job_level is not None:
        found = found.filter(job_level=chosen.job_level)
    if chosen.employee_type:
        found = found.filter(employee_type=chosen.employee_type)
    search = chosen.search.strip()
    if search:
        digits = "".join(ch for ch in search if ch.isdigit())
        cond = Q(name__icontains=search)
        if len(digits) >= 4:
            cond |= Q(nip__contains=digits)
        found = found.filter(cond)
    if chosen.not_in_programme:
        found = found.filter(~Exists(current))
    return found.order_by("name", "pk")


@dataclass(frozen=True)
class PasteLine:
    """One entry of a pasted column of NIPs and what enrolling it would do."""

    line: int
    text: str
    outcome: Outcome
    person: Person | None = None
    group_name: str = ""
    problem: str = ""
    first_line: int | None = None  # for a repeat: the line it repeats
    enrolment: Enrolment | None = None  # the person's active one in the programme

    @property
    def fine(self) -> bool:
        return self.outcome in FINE

    @property
    def message(self) -> str:
        if self.outcome == Outcome.MALFORMED and self.problem:
            return self.problem
        return outcome_message(self.outcome, group=self.group_name, line=self.first_line)


def preview_pasted_nips(
    enrollable: QuerySet[Person], group: Group, entries: Sequence[PastedNip]
) -> list[PasteLine]:
    """What enrolling the pasted `entries` in `group` would do, entry by entry; changes
    nothing. Someone outside `enrollable` is only said to exist (`out_of_scope`), never
    named. Three queries, whatever the length of the paste."""
    nips = {e.nip for e in entries if e.nip}
    in_scope = {p.nip: p for p in enrollable.filter(nip__in=nips).select_related("unit")}
    elsewhere = set(
        Person.objects.filter(nip__in=nips - in_scope.keys()).values_list("nip", flat=True)
    )
    active = {
        e.person_id: e
        for e in Enrolment.objects.active()
        .filter(programme_id=group.programme_id, person__in=[p.pk for p in in_scope.values()])
        .select_related("group")
    }
    seen: dict[str, int] = {}
    lines = []
    for entry in entries:
        if entry.nip is None:
            lines.append(
                PasteLine(entry.line, entry.text, Outcome.MALFORMED, problem=str(entry.problem))
            )
            continue
        if entry.nip in seen:
            person = in_scope.get(entry.nip)
            lines.append(
                PasteLine(
                    entry.line, entry.text, Outcome.REPEATED, person, first_line=seen[entry.nip]
                )
            )
            continue
        seen[entry.nip] = entry.line
        person = in_scope.get(entry.nip)
        if person is None:
            outcome = Outcome.OUT_OF_SCOPE if entry.nip in elsewhere else Outcome.UNKNOWN_NIP
            lines.append(PasteLine(entry.line, entry.text, outcome))
            continue
        enrolment = active.get(person.pk)
        if enrolment is None:
            lines.append(PasteLine(entry.line, entry.text, Outcome.WILL_ENROL, person))
        else:
            outcome = (
                Outcome.ALREADY_IN_GROUP
                if enrolment.group_id == group.pk
                else Outcome.IN_OTHER_GROUP
            )
            lines.append(
                PasteLine(
                    entry.line,
                    entry.text,
                    outcome,
                    person,
                    enrolment.group.name,
                    enrolment=enrolment,
                )
            )
    return lines


def preview_people(group: Group, people: Sequence[Person]) -> list[PasteLine]:
    """What enrolling `people` (already in the caller's scope) in `group` would do, person
    by person, numbered from 1; changes nothing. One query."""
    active = {
        e.person_id: e
        for e in Enrolment.objects.active()
        .filter(programme_id=group.programme_id, person__in=[p.pk for p in people])
        .select_related("group")
    }
    lines = []
    for number, person in enumerate(people, start=1):
        enrolment = active.get(person.pk)
        if enrolment is None:
            outcome, name = Outcome.WILL_ENROL, ""
        elif enrolment.group_id == group.pk:
            outcome, name = Outcome.ALREADY_IN_GROUP, group.name
        else:
            outcome, name = Outcome.IN_OTHER_GROUP, enrolment.group.name
        lines.append(PasteLine(number, str(person.pk), outcome, person, name, enrolment=enrolment))
    return lines
