"""Reads that pages and exports share: the effective check-in rules of a session, the
coach's live roll of a session, and the attendance arithmetic of a participant's
standing, the recap matrix and the at-risk list.

Counting rules (docs/decisions.md):
- Attended = hadir + terlambat. Izin, sakit and dinas luar are shown and counted
  separately but are not attendance: the target is about being there.
- A check-in held for the coach's approval (a shared phone) does not count until approved.
- A session counts when it is held or when the participant already has a record in it;
  the others of the group's schedule that are still planned are "remaining". Cancelled
  and moved sessions do not count at all (a moved session lives on as its replacement).
- Total = counted + remaining. When the schedule has fewer sessions than the programme's
  target number, the sessions not yet scheduled count as remaining too.
- Target = ceil(min_pct / 100 x total). Needed = target - attended (at least 0).
  Cannot reach: attended + remaining < target. Below pace: attended / counted < min_pct.

Loading a recap costs the same few queries whatever the roster size.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import (
    PRESENT,
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    Flag,
    SessionVenue,
    Status,
)
from cakap.attendance.windows import (
    Place,
    Window,
    map_link,
    place_for,
    policy_for,
    venue_for,
    window_of,
)
from cakap.people.models import Person, Unit
from cakap.programmes.models import Enrolment, EnrolmentQuerySet, Group, Programme, Session

# --- A session's check-in rules -------------------------------------------------------------


@dataclass(frozen=True)
class SessionRules:
    """The effective rules of one session's check-in: the programme's policy with the
    session's overrides, its window, and the point its check-ins are measured from."""

    session: Session
    policy: AttendancePolicy
    venue: SessionVenue | None
    window: Window
    place: Place | None

    @property
    def map_url(self) -> str:
        return map_link(self.place.latitude, self.place.longitude) if self.place else ""

    @property
    def own_window(self) -> bool:
        v = self.venue
        return v is not None and (v.opens_before_min is not None or v.closes_after_min is not None)

    @property
    def address(self) -> str:
        return self.venue.address if self.venue is not None else ""


def session_rules(session: Session) -> SessionRules:
    """Reads the policy and the venue unless the session came with them (select_related)."""
    policy = policy_for(session.group.programme)
    venue = venue_for(session)
    return SessionRules(
        session,
        policy,
        venue,
        window_of(session.starts_at, policy, venue),
        place_for(policy, venue),
    )


# --- The coach's live roll ----------------------------------------------------------------


RECENT_REFUSALS = 10

# Short words for the coach's screen, which has little room.
SHORT_REASONS: dict[str, Promise] = {
    "not_open": _("too early"),
    "closed": _("too late"),
    "expired_code": _("old code"),
    "bad_code": _("wrong code"),
    "not_enrolled": _("not in this group"),
    "outside_area": _("outside the area"),
    "location_required": _("no position"),
    "device_used": _("phone already used"),
    "session_cancelled": _("session cancelled"),
    "too_many_codes": _("too many wrong codes"),
}


@dataclass(frozen=True)
class Refusal:
    attempt: CheckInAttempt

    @property
    def label(self) -> str:
        return str(SHORT_REASONS.get(self.attempt.reason, self.attempt.reason))


@dataclass
class RollEntry:
    person: Person
    record: AttendanceRecord | None

    @property
    def flags(self) -> list[str]:
        """The record's flags in words, except the shared phone that holds it."""
        if self.record is None:
            return []
        return [
            str(Flag(f).label) if f in Flag.values else f
            for f in self.record.flags
            if not (self.record.pending and f == Flag.SHARED_DEVICE)
        ]


@dataclass
class LiveRoll:
    present: list[RollEntry]
    late: list[RollEntry]
    pending: list[RollEntry]
    excused: list[RollEntry]
    missing: list[RollEntry]
    refusals: list[Refusal]

    @property
    def total(self) -> int:
        return sum(
            len(x) for x in (self.present, self.late, self.pending, self.excused, self.missing)
        )

    @property
    def checked_in(self) -> int:
        return len(self.present) + len(self.late)


def live_roll(session: Session) -> LiveRoll:
    """Who is in, late, held for approval, excused or missing: three queries whatever the
    roster size."""
    enrolments = session.roster().select_related("person").order_by("person__name", "person_id")
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(session=session)}
    roll = LiveRoll([], [], [], [], [], [])
    for enrolment in enrolments:
        record = records.get(enrolment.person_id)
        entry = RollEntry(enrolment.person, record)
        if record is None:
            roll.missing.append(entry)
        elif record.pending:
            roll.pending.append(entry)
        elif record.status == Status.HADIR:
            roll.present.append(entry)
        elif record.status == Status.TERLAMBAT:
            roll.late.append(entry)
        elif record.status == Status.ALPA:
            roll.missing.append(entry)
        else:
            roll.excused.append(entry)
    # Latest check-ins first, so that the coach sees who just arrived.
    for group in (roll.present, roll.late):
        group.sort(key=_checked_in_key, reverse=True)
    roll.refusals = [
        Refusal(a)
        for a in CheckInAttempt.objects.filter(session=session)
        .select_related("person")
        .order_by("-last_at", "-id")[:RECENT_REFUSALS]
    ]
    return roll


def _checked_in_key(entry: RollEntry) -> datetime.datetime:
    at = entry.record.checked_in_at if entry.record else None
    return at or datetime.datetime.min.replace(tzinfo=datetime.UTC)


# Daftar hadir letters: the status names are Indonesian terms in both languages.
LETTERS: dict[str, str] = {
    Status.HADIR: "H",
    Status.TERLAMBAT: "T",
    Status.IZIN: "I",
    Status.SAKIT: "S",
    Status.DINAS_LUAR: "DL",
    Status.ALPA: "A",
}
STATUS_ORDER = list(Status)  # as declared: present, late, then the absences
STATUS_VALUES = [s.value for s in STATUS_ORDER]
_GONE = (Session.Status.CANCELLED, Session.Status.MOVED)


def target_count(min_pct: int, total: int) -> int:
    """ceil(min_pct / 100 x total), in whole numbers."""
    return -(-min_pct * total // 100)


@dataclass(frozen=True)
class Standing:
    """Where one participant stands against the programme's minimum attendance."""

    attended: int
    counted: int
    remaining: int
    min_pct: int

    @property
    def total(self) -> int:
        return self.counted + self.remaining

    @property
    def target(self) -> int:
        return target_count(self.min_pct, self.total)

    @property
    def needed(self) -> int:
        """How many more sessions the participant must attend to reach the target."""
        return max(0, self.target - self.attended)

    @property
    def cannot_reach(self) -> bool:
        return self.attended + self.remaining < self.target

    @property
    def below_pace(self) -> bool:
        return self.counted > 0 and self.attended * 100 < self.min_pct * self.counted

    @property
    def at_risk(self) -> bool:
        return self.cannot_reach or self.below_pace

    @property
    def pct(self) -> float | None:
        """Attendance so far, in percent of the sessions counted; None before any."""
        return round(self.attended * 100 / self.counted, 1) if self.counted else None


def standing(attended: int, counted: int, remaining: int, min_pct: int) -> Standing:
    if not 0 <= attended <= counted or remaining < 0 or not 0 <= min_pct <= 100:
        raise ValueError("inconsistent attendance counts")
    return Standing(attended, counted, remaining, min_pct)


# --- The recap matrix --------------------------------------------------------------------


@dataclass
class Column:
    """One column of the matrix: a session, or (programme-wide) the n-th meeting of every
    group."""

    index: int
    sessions: dict[int, Session]  # group id -> session

    @property
    def only(self) -> Session | None:
        return next(iter(self.sessions.values())) if len(self.sessions) == 1 else None

    @property
    def first_start(self) -> datetime.datetime:
        return min(s.starts_at for s in self.sessions.values())


@dataclass
class Cell:
    session: Session | None
    status: str = ""
    pending: bool = False

    @property
    def letter(self) -> str:
        if self.session is None:
            return ""
        if not self.status:
            return "·" if self.session.status == Session.Status.PLANNED else "–"
        return LETTERS[self.status] + ("?" if self.pending else "")

    @property
    def present(self) -> bool:
        return self.status in PRESENT and not self.pending


@dataclass
class Row:
    person: Person
    group: Group
    cells: list[Cell]
    counts: dict[str, int]
    standing: Standing


@dataclass
class ColumnTotal:
    present: int
    counted: int

    @property
    def pct(self) -> float | None:
        return round(self.present * 100 / self.counted, 1) if self.counted else None


@dataclass
class Recap:
    programme: Programme
    group: Group | None
    columns: list[Column]
    rows: list[Row]
    totals: list[ColumnTotal] = field(default_factory=list)

    @property
    def min_pct(self) -> int:
        return self.programme.min_attendance_pct

    @property
    def at_risk(self) -> list[Row]:
        """Those who cannot reach the target first, then by how many sessions they need."""
        rows = [r for r in self.rows if r.standing.at_risk]
        rows.sort(key=lambda r: (not r.standing.cannot_reach, -r.standing.needed, r.person.name))
        return rows


def _standing_of(cells: list[Cell], min_pct: int, unscheduled: int) -> Standing:
    attended = counted = remaining = 0
    for cell in cells:
        if cell.session is None:
            continue
        if cell.status or cell.session.status == Session.Status.HELD:
            counted += 1
            attended += int(cell.present)
        else:
            remaining += 1
    return standing(attended, counted, remaining + unscheduled, min_pct)


def build_recap(
    programme: Programme,
    group: Group | None,
    sessions: list[Session],
    enrolments: list[Enrolment],
    records: list[tuple[int, int, str, bool]],
) -> Recap:
    """The matrix from plain lists (sessions in order; records as (session id, person id,
    status, pending)). For one group, a column is a session; for a programme, the n-th
    session of each group."""
    by_group: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.status not in _GONE:
            by_group[session.group_id].append(session)
    width = max((len(v) for v in by_group.values()), default=0)
    columns = [
        Column(i + 1, {gid: ss[i] for gid, ss in by_group.items() if i < len(ss)})
        for i in range(width)
    ]
    marks = {(sid, pid): (status, pending) for sid, pid, status, pending in records}
    # Each group's session in each column, looked up once per group, not per participant.
    slots = {gid: [c.sessions.get(gid) for c in columns] for gid in by_group}
    nothing: list[Session | None] = [None] * width
    present = [0] * width
    counted_in = [0] * width
    held, blank = Session.Status.HELD, ("", False)
    rows: list[Row] = []
    for enrolment in enrolments:
        person_id = enrolment.person_id
        own = slots.get(enrolment.group_id, nothing)
        unscheduled = max(0, programme.target_sessions - len(by_group.get(enrolment.group_id, ())))
        cells = []
        counts: dict[str, int] = dict.fromkeys(STATUS_VALUES, 0)
        attended = counted = remaining = 0
        for i, slot in enumerate(own):
            if slot is None:
                cells.append(Cell(None))
                continue
            status, pending = marks.get((slot.pk, person_id), blank)
            cells.append(Cell(slot, status, pending))
            if status and not pending:
                counts[status] += 1
            # As Cell.present and _standing_of count them.
            if status or slot.status == held:
                counted += 1
                counted_in[i] += 1
                if status in PRESENT and not pending:
                    attended += 1
                    present[i] += 1
            else:
                remaining += 1
        rows.append(
            Row(
                enrolment.person,
                enrolment.group,
                cells,
                counts,
                standing(attended, counted, remaining + unscheduled, programme.min_attendance_pct),
            )
        )
    totals = [ColumnTotal(p, c) for p, c in zip(present, counted_in, strict=True)]
    return Recap(programme, group, columns, rows, totals)


def recap_sessions(filter_kwargs: dict[str, object]) -> list[Session]:
    return list(
        Session.objects.filter(**filter_kwargs)
        .exclude(status__in=_GONE)
        .select_related("module")
        .order_by("starts_at", "pk")
    )


# What a recap shows of a participant (name with titles, NIP, unit): a programme's
# whole roster is loaded for its files, so no more than that.
_SHOWN = (
    "group",
    "person__name",
    "person__title_prefix",
    "person__title_suffix",
    "person__nip",
    "person__unit",
)


def recap_enrolments(queryset: EnrolmentQuerySet) -> list[Enrolment]:
    """The active enrolments in recap order, each with its person (the fields a recap
    shows), the person's unit and the group; the groups and units are read once each,
    not once per participant: three queries."""
    enrolments = list(
        queryset.active()
        .select_related("person")
        .only(*_SHOWN)
        .order_by("group__name", "person__name", "person_id")
    )
    groups = Group.objects.in_bulk({e.group_id for e in enrolments})
    units = Unit.objects.in_bulk({e.person.unit_id for e in enrolments})
    for enrolment in enrolments:
        enrolment.group = groups[enrolment.group_id]
        enrolment.person.unit = units[enrolment.person.unit_id]
    return enrolments


def _records(sessions: list[Session]) -> list[tuple[int, int, str, bool]]:
    return list(
        AttendanceRecord.objects.filter(session__in=[s.pk for s in sessions]).values_list(
            "session_id", "person_id", "status", "pending"
        )
    )


def recap_for_group(group: Group, people: Q | None = None) -> Recap:
    """Participants of the group (those `people`, a filter on enrolments, keeps) by its
    sessions: three queries."""
    sessions = recap_sessions({"group": group})
    enrolments = recap_enrolments(Enrolment.objects.filter(people or Q(), group=group))
    return build_recap(group.programme, group, sessions, enrolments, _records(sessions))


def recap_for_programme(programme: Programme) -> Recap:
    """Every participant of the programme by meeting number: three queries."""
    sessions = recap_sessions({"group__programme": programme})
    enrolments = recap_enrolments(Enrolment.objects.filter(programme=programme))
    return build_recap(programme, None, sessions, enrolments, _records(sessions))


@dataclass
class MyAttendance:
    programme: Programme
    group: Group
    sessions: list[tuple[Session, AttendanceRecord | None]]
    counts: dict[str, int]
    standing: Standing


def my_attendance(person: Person, programme: Programme) -> MyAttendance | None:
    """One participant's sessions in a programme with their status and standing."""
    enrolment = (
        Enrolment.objects.filter(person=person, programme=programme)
        .select_related("group")
        .order_by("status", "-enrolled_at")  # the active one first ("active" sorts first)
        .first()
    )
    if enrolment is None:
        return None
    sessions = recap_sessions({"group": enrolment.group})
    records = {
        r.session_id: r
        for r in AttendanceRecord.objects.filter(person=person, session__in=sessions)
    }
    recap = build_recap(
        programme,
        enrolment.group,
        sessions,
        [enrolment],
        [(r.session_id, r.person_id, r.status, r.pending) for r in records.values()],
    )
    row = recap.rows[0]
    return MyAttendance(
        programme,
        enrolment.group,
        [(s, records.get(s.pk)) for s in sessions],
        row.counts,
        row.standing,
    )
