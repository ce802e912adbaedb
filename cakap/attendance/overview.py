"""The programme-wide recap and at-risk list at any size: a summary per group and per
unit of the participants a viewer may see, and their list filtered and cut into pages.

The standings come from one aggregate query (per participant: sessions attended, and
upcoming sessions already marked, such as an approved absence), next to the count of
held and upcoming sessions of each group, so that no session, record or cell of the
whole programme is loaded. Only the page on screen reads its people and, for the
matrix, their records (`page_recap`): the page costs the same queries at 2,000 and at
20,000 participants, and the HTML grows with the page, not with the roster. A filter
by group or unit narrows the aggregate itself.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import PRESENT, AttendanceRecord
from cakap.attendance.queries import (
    Recap,
    Standing,
    build_recap,
    recap_enrolments,
    recap_sessions,
    standing,
)
from cakap.people.models import Unit
from cakap.programmes.models import Enrolment, Group, Programme, Session

PER_PAGE = 50
_GONE = (Session.Status.CANCELLED, Session.Status.MOVED)

# The `status` filter of the recap and the at-risk list (the leader's dashboard links
# with these values).
AT_RISK = "at_risk"
CANNOT_REACH = "cannot_reach"
BELOW_PACE = "below_pace"
ON_TRACK = "on_track"
STATUS_CHOICES = [
    (AT_RISK, _("At risk (either)")),
    (CANNOT_REACH, _("Cannot reach the target")),
    (BELOW_PACE, _("Below the target pace")),
    (ON_TRACK, _("On track")),
]
RISK_STATUSES = {AT_RISK, CANNOT_REACH, BELOW_PACE}


def status_of(st: Standing) -> str:
    """The one status filter a standing falls under besides `at_risk`."""
    if st.cannot_reach:
        return CANNOT_REACH
    return BELOW_PACE if st.below_pace else ON_TRACK


@dataclass
class Tally:
    """One line of the summary: participants, sessions attended of those counted, and
    how many are at risk."""

    participants: int = 0
    attended: int = 0
    counted: int = 0
    at_risk: int = 0
    cannot_reach: int = 0

    def add(self, st: Standing, at_risk: bool, cannot_reach: bool) -> None:
        self.participants += 1
        self.attended += st.attended
        self.counted += st.counted
        self.at_risk += at_risk
        self.cannot_reach += cannot_reach

    def merge(self, other: "Tally") -> None:
        self.participants += other.participants
        self.attended += other.attended
        self.counted += other.counted
        self.at_risk += other.at_risk
        self.cannot_reach += other.cannot_reach

    @property
    def pct(self) -> float | None:
        return round(self.attended * 100 / self.counted, 1) if self.counted else None


class Entry(NamedTuple):
    """One participant before their page is read (a tuple: there is one per
    participant in scope)."""

    enrolment_id: int
    person_id: int
    group_id: int
    unit_path: str
    name: str
    standing: Standing
    at_risk: bool
    cannot_reach: bool


@dataclass(frozen=True)
class Filters:
    group: Group | None = None
    unit: Unit | None = None
    status: str = ""

    def query(self, **changes: object) -> dict[str, object]:
        """The filters as query parameters (`group`, `unit`, `status`), with `changes`;
        empty ones left out."""
        values: dict[str, object] = {
            "group": self.group.pk if self.group else "",
            "unit": self.unit.pk if self.unit else "",
            "status": self.status,
            **changes,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Overview:
    programme: Programme
    filters: Filters
    total: Tally
    by_group: list[tuple[Group, Tally]]
    by_unit: list[tuple[Unit, Tally]]
    entries: list[Entry]  # those the filters keep, in the recap's order
    groups: dict[int, Group] = field(default_factory=dict)

    def at_risk_first(self) -> list[Entry]:
        """Those who cannot reach the target first, then by how many sessions they need
        (the at-risk list's order)."""
        return sorted(
            self.entries,
            key=lambda e: (not e.standing.cannot_reach, -e.standing.needed, e.name, e.person_id),
        )


def _session_counts(programme: Programme) -> tuple[Counter[int], Counter[int]]:
    """Per group: held sessions, and the others still to come (cancelled and moved ones
    do not count)."""
    held: Counter[int] = Counter()
    upcoming: Counter[int] = Counter()
    rows = (
        Session.objects.filter(group__programme=programme)
        .exclude(status__in=_GONE)
        .values_list("group_id", "status")
    )
    for group_id, status in rows:
        (held if status == Session.Status.HELD else upcoming)[group_id] += 1
    return held, upcoming


def _standings(
    programme: Programme, people: Q, filters: Filters
) -> list[tuple[int, int, int, str, str, int, int]]:
    """(enrolment, person, group, unit path, name, attended, upcoming sessions marked)
    for each active participant in scope: one aggregate query."""
    enrolments = Enrolment.objects.active().filter(people, programme=programme)
    if filters.group is not None:
        enrolments = enrolments.filter(group=filters.group)
    if filters.unit is not None:
        enrolments = enrolments.filter(person__unit__path__startswith=filters.unit.path)
    # Only the records of the participant's own group count (a participant who moved
    # keeps the records of their old group, which the recap does not show).
    own = Q(person__attendance__session__group=F("group")) & ~Q(
        person__attendance__session__status__in=_GONE
    )
    return list(
        enrolments.order_by()
        .values_list("pk", "person_id", "group_id", "person__unit__path", "person__name")
        .annotate(
            attended=Count(
                "person__attendance",
                filter=own
                & Q(
                    person__attendance__status__in=PRESENT,
                    person__attendance__pending=False,
                ),
            ),
            marked=Count(
                "person__attendance",
                filter=own & ~Q(person__attendance__session__status=Session.Status.HELD),
            ),
        )
    )


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _unit_keys(paths: set[str], base: Unit | None) -> dict[str, str]:
    """For each unit path, the id of the unit one level below `base` (the unit filtered
    on, or else the deepest unit that every path lies under) that it lies in; people of
    the base unit itself count in its own line."""
    split = {path: _parts(path) for path in paths}
    if base is not None:
        root = _parts(base.path)
    else:
        root = min(split.values(), key=len, default=[])
        for parts in split.values():
            n = 0
            while n < min(len(root), len(parts)) and root[n] == parts[n]:
                n += 1
            root = root[:n]
    depth = len(root)
    keys = {}
    for path, parts in split.items():
        if len(parts) > depth:
            keys[path] = parts[depth]
        elif root:
            keys[path] = root[-1]
    return keys


def overview(
    programme: Programme, people: Q, filters: Filters, groups: dict[int, Group]
) -> Overview:
    """The summary and the filtered participants of `programme` that `people` (a
    filter on enrolments, from access.RecapView) lets the viewer see; `groups` are the
    programme's, in order. Three queries whatever the size."""
    held, upcoming = _session_counts(programme)
    order = {pk: i for i, pk in enumerate(groups)}
    rows = _standings(programme, people, filters)
    rows.sort(key=lambda r: (order.get(r[2], 0), r[4], r[1]))
    # A standing depends on the group's sessions and two counts only: computed once each.
    known: dict[tuple[int, int, int], tuple[Standing, bool, bool]] = {}
    entries: list[Entry] = []
    total = Tally()
    per_group: dict[int, Tally] = {}
    per_path: dict[str, Tally] = {}
    for enrolment_id, person_id, group_id, path, name, attended, marked in rows:
        found = known.get((group_id, attended, marked))
        if found is None:
            n_held, n_upcoming = held[group_id], upcoming[group_id]
            unscheduled = max(0, programme.target_sessions - n_held - n_upcoming)
            st = standing(
                attended,
                n_held + marked,
                n_upcoming - marked + unscheduled,
                programme.min_attendance_pct,
            )
            found = known[group_id, attended, marked] = (st, st.at_risk, st.cannot_reach)
        st, risk, cannot = found
        entries.append(Entry(enrolment_id, person_id, group_id, path, name, st, risk, cannot))
        total.add(st, risk, cannot)
        if group_id not in per_group:
            per_group[group_id] = Tally()
        per_group[group_id].add(st, risk, cannot)
        if path not in per_path:
            per_path[path] = Tally()
        per_path[path].add(st, risk, cannot)
    unit_tallies: dict[str, Tally] = {}
    for path, key in _unit_keys(set(per_path), filters.unit).items():
        unit_tallies.setdefault(key, Tally()).merge(per_path[path])
    units = Unit.objects.filter(pk__in=[int(k) for k in unit_tallies]).order_by("name")
    by_unit = [(u, unit_tallies[str(u.pk)]) for u in units]
    by_group = [(g, per_group[pk]) for pk, g in groups.items() if pk in per_group]
    status = filters.status
    if status == AT_RISK:
        shown = [e for e in entries if e.at_risk]
    elif status:
        shown = [e for e in entries if status_of(e.standing) == status]
    else:
        shown = entries
    return Overview(programme, filters, total, by_group, by_unit, shown, groups)


def page_people(entries: Iterable[Entry]) -> dict[int, Enrolment]:
    """The enrolments of one page of entries, with their person, unit and group: one
    query."""
    ids = [e.enrolment_id for e in entries]
    return {
        e.pk: e
        for e in Enrolment.objects.filter(pk__in=ids).select_related("person__unit", "group")
    }


def page_recap(programme: Programme, entries: list[Entry]) -> Recap:
    """The recap matrix of one page of entries, in their order, by meeting number:
    three queries, each bounded by the page."""
    ids = [e.enrolment_id for e in entries]
    enrolments = recap_enrolments(Enrolment.objects.filter(pk__in=ids))
    position = {e.enrolment_id: i for i, e in enumerate(entries)}
    enrolments.sort(key=lambda e: position[e.pk])
    sessions = recap_sessions({"group__in": {e.group_id for e in entries}})
    records = list(
        AttendanceRecord.objects.filter(
            session__in=[s.pk for s in sessions], person__in=[e.person_id for e in entries]
        ).values_list("session_id", "person_id", "status", "pending")
    )
    return build_recap(programme, None, sessions, enrolments, records)
