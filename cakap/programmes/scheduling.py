"""Schedule generation, database side: the local calendar, conflicts, and saving sessions."""

import datetime
import enum
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cakap.core.audit import record, snapshot
from cakap.people.models import Person, User
from cakap.programmes.models import CalendarDay, Enrolment, Group, Module, Programme, Session
from cakap.programmes.schedule import (
    MAX_SPAN_DAYS,
    Proposal,
    ScheduleConflictError,
    ScheduleError,
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


@transaction.atomic
def create_sessions(
    group: Group,
    slots: Sequence[Slot],
    *,
    acting_user: User,
    venue: str = "",
    online_url: str = "",
    module_plan: str = ModulePlan.NONE,
    coach: Person | None = None,
) -> list[Session]:
    """Create the proposed sessions of a group, one audit entry each.

    Idempotent: a slot at which the group already has a session that is not cancelled is
    skipped, so confirming the same proposal twice creates nothing the second time. With
    `module_plan` "in_order" the programme's modules are given to the slots in order (the
    n-th slot gets the n-th module, whether or not it already existed).
    """
    if module_plan not in set(ModulePlan):
        raise ScheduleError("bad_module_plan", _("Choose how modules are assigned."))
    venue, online_url = venue.strip(), online_url.strip()
    if len(venue) > VENUE_MAX:
        raise ScheduleError("bad_venue", _("The venue name is too long."))
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            raise ScheduleError("bad_url", _("The online meeting link is not valid.")) from None
    if group.programme.status in (Programme.Status.FINISHED, Programme.Status.CANCELLED):
        raise ScheduleConflictError(
            "programme_closed", _("Sessions cannot be added to a finished or cancelled programme.")
        )
    # Serialise confirmations for one group so that two clicks cannot both insert.
    Group.objects.select_for_update().filter(pk=group.pk).first()
    if coach is not None and not group.coaches.filter(pk=coach.pk).exists():
        raise ScheduleError("not_a_coach", _("The coach does not coach this group."))
    if any(s.ends_at <= s.starts_at for s in slots):
        raise ScheduleError("bad_slot", _("A session must end after it starts."))
    modules: list[Module] = []
    if module_plan == ModulePlan.IN_ORDER:
        modules = list(group.programme.modules.order_by("order", "id"))
    taken = existing_starts(group, slots)
    new: list[Session] = []
    for index, slot in enumerate(sorted(set(slots))):
        if slot.starts_at in taken:
            continue
        new.append(
            Session(
                group=group,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                venue=venue,
                online_url=online_url,
                coach=coach,
                module=modules[index] if index < len(modules) else None,
            )
        )
    created: list[Session] = []
    for session in new:
        session.save(force_insert=True)
        record("session.created", session, note="schedule generator", acting_user=acting_user)
        created.append(session)
    return created


@transaction.atomic
def add_calendar_day(
    *,
    acting_user: User,
    date: datetime.date,
    kind: str,
    reason: str,
    programme: Programme | None = None,
) -> CalendarDay:
    """Add a local calendar correction: a blackout date or a working day on a listed holiday.

    Without a programme it applies to every programme of the deployment.
    """
    if kind not in CalendarDay.Kind.values:
        raise ScheduleError("bad_kind", _("Choose what kind of day this is."))
    reason = reason.strip()
    if not reason:
        raise ScheduleError("no_reason", _("Give a reason."))
    if CalendarDay.objects.filter(date=date, programme=programme).exists():
        raise ScheduleError("day_exists", _("This date already has an entry."))
    day = CalendarDay.objects.create(
        date=date, kind=kind, reason=reason[:200], programme=programme, created_by=acting_user
    )
    record("calendar_day.added", day, acting_user=acting_user)
    return day


@transaction.atomic
def remove_calendar_day(day: CalendarDay, *, acting_user: User) -> None:
    """Remove a local calendar correction; the audit trail keeps what it was."""
    record("calendar_day.removed", day, before=snapshot(day), after={}, acting_user=acting_user)
    day.delete()


@transaction.atomic
def regenerate_feed_token(user: User, *, acting_user: User) -> str:
    """Give `user` a new secret calendar-feed address; the old one stops working at once."""
    user.feed_token = secrets.token_urlsafe(24)
    user.save(update_fields=["feed_token"])
    record(
        "user.feed_token_regenerated",
        user,
        after={},
        note="calendar feed address",
        acting_user=acting_user,
    )
    return user.feed_token
