"""Bulk writes of enrolments: enrol many people in a group, move many participants to
another group of the programme, withdraw many with a reason.

Each keeps the history the one-by-one services keep (cakap.programmes.services): an
enrolment that ends stays, with status moved or withdrawn, its end time and reason; a
move starts a new active enrolment; every change has its audit entry, the same entries
the one-by-one services write. Each call is one transaction with a fixed number of
queries whatever the number of people, answers what happened per person
(`EnrolmentResult`), and is idempotent: repeating it changes nothing and answers that
it was done. The callers (pages, the API, the roster import) apply the scope first.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.core.audit import record_many, snapshot
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment, Group, Programme
from cakap.programmes.outcomes import CHANGED, Outcome, outcome_message
from cakap.programmes.services import EnrolmentError, _check_open, _reason

# The most people one request enrols, moves or withdraws: a province's cohort, and a
# bound on the statement sizes (SQLite allows 32,766 parameters).
BULK_LIMIT = 5_000

_ACTIVE = Enrolment.Status.ACTIVE
_MOVED = Enrolment.Status.MOVED
_WITHDRAWN = Enrolment.Status.WITHDRAWN


@dataclass(frozen=True)
class EnrolmentResult:
    """What happened to one person. `enrolment` is the one in force afterwards: the new
    or existing active one, or for a withdrawal or an ended one, that enrolment."""

    person: Person
    outcome: Outcome
    enrolment: Enrolment
    group_name: str = ""

    @property
    def changed(self) -> bool:
        return self.outcome in CHANGED

    @property
    def message(self) -> str:
        return outcome_message(self.outcome, group=self.group_name)


def _bounded[T](items: Iterable[T]) -> list[T]:
    unique = list(dict.fromkeys(items))
    if len(unique) > BULK_LIMIT:
        raise EnrolmentError(
            "too_many",
            _("At most %(limit)s people at once; narrow the filter or split the list.")
            % {"limit": f"{BULK_LIMIT:,}".replace(",", ".")},
        )
    return unique


def _active_by_person(programme_id: int, person_ids: Sequence[int]) -> dict[int, Enrolment]:
    rows = (
        Enrolment.objects.active()
        .filter(programme_id=programme_id, person_id__in=person_ids)
        .select_related("group")
    )
    return {e.person_id: e for e in rows}


def _lock_programme(programme_id: int) -> Programme:
    """Bulk writes on one programme take turns (PostgreSQL; SQLite writes one at a time)."""
    return Programme.objects.select_for_update().get(pk=programme_id)


def enrol_people(
    group: Group, people: Iterable[Person], *, acting_user: User | None
) -> list[EnrolmentResult]:
    """Enrol each person in `group`: one result per person, in the order given (repeats
    once). Someone already in the group is left as they are (`already_in_group`);
    someone in another group of the programme is not moved (`in_other_group`). Refused
    as a whole, changing nothing, when the programme is finished or cancelled and
    someone would join, or for more than BULK_LIMIT people."""
    chosen = _bounded(people)
    if any(not isinstance(p, Person) or p.pk is None for p in chosen):
        raise EnrolmentError("invalid_person", _("Only saved people can be enrolled."))
    # A one-by-one enrolment racing this one makes the partial unique constraint refuse
    # the insert; the second try sees it.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _enrol_people(group, chosen, acting_user=acting_user)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _enrol_people(
    group: Group, people: list[Person], *, acting_user: User | None
) -> list[EnrolmentResult]:
    programme = _lock_programme(group.programme_id)
    active = _active_by_person(programme.pk, [p.pk for p in people])
    new = [
        Enrolment(programme=programme, group=group, person=p) for p in people if p.pk not in active
    ]
    if new:
        _check_open(programme)
        Enrolment.objects.bulk_create(new)
        record_many(
            "enrolment.created",
            [(e, None, snapshot(e)) for e in new],
            acting_user=acting_user,
        )
    created = {e.person_id: e for e in new}
    results = []
    for person in people:
        if person.pk in created:
            results.append(EnrolmentResult(person, Outcome.ENROLLED, created[person.pk]))
            continue
        existing = active[person.pk]
        outcome = (
            Outcome.ALREADY_IN_GROUP if existing.group_id == group.pk else Outcome.IN_OTHER_GROUP
        )
        results.append(EnrolmentResult(person, outcome, existing, existing.group.name))
    return results


def _locked_enrolments(programme: Programme, enrolments: list[Enrolment]) -> list[Enrolment]:
    """The enrolments re-read under a write lock, with their people and groups, in the
    order given; all must be of `programme`."""
    ids = [e.pk for e in enrolments]
    rows = {
        e.pk: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .select_related("person", "group")
        .filter(pk__in=ids)
    }
    if len(rows) != len(ids) or any(e.programme_id != programme.pk for e in rows.values()):
        raise EnrolmentError(
            "other_programme",
            _("Every enrolment must belong to this programme."),
            field="enrolment_ids",
        )
    return [rows[pk] for pk in ids]


def _end_many(
    ending: list[Enrolment], status: str, reason: str, action: str, *, acting_user: User | None
) -> None:
    if not ending:
        return
    now = timezone.now()
    befores = [snapshot(e) for e in ending]
    Enrolment.objects.filter(pk__in=[e.pk for e in ending]).update(
        status=status, ended_at=now, end_reason=reason
    )
    for e in ending:
        e.status, e.ended_at, e.end_reason = status, now, reason
    record_many(
        action,
        [(e, before, snapshot(e)) for e, before in zip(ending, befores, strict=True)],
        note=reason,
        acting_user=acting_user,
    )


@transaction.atomic
def move_participants(
    enrolments: Iterable[Enrolment], to_group: Group, reason: str, *, acting_user: User | None
) -> list[EnrolmentResult]:
    """Move each participant to `to_group`, a group of the same programme, with a reason:
    the old enrolment ends (status moved) and stays as history, a new active one starts.
    One result per enrolment given. Repeating the move answers `already_moved`; an
    enrolment already in `to_group` is left (`already_in_group`), an ended one is
    `not_active`."""
    reason = _reason(reason, EnrolmentError)
    chosen = _bounded(enrolments)
    programme = _lock_programme(to_group.programme_id)
    fresh = _locked_enrolments(programme, chosen)
    current = _active_by_person(programme.pk, [e.person_id for e in fresh])
    moving: list[Enrolment] = []
    planned: dict[int, EnrolmentResult] = {}
    for e in fresh:
        now_in = current.get(e.person_id)
        if e.status == _ACTIVE and e.group_id == to_group.pk:
            planned[e.pk] = EnrolmentResult(e.person, Outcome.ALREADY_IN_GROUP, e, to_group.name)
        elif e.status == _ACTIVE:
            moving.append(e)
        elif e.status == _MOVED and now_in is not None and now_in.group_id == to_group.pk:
            planned[e.pk] = EnrolmentResult(e.person, Outcome.ALREADY_MOVED, now_in, to_group.name)
        else:
            planned[e.pk] = EnrolmentResult(e.person, Outcome.NOT_ACTIVE, e)
    _end_many(moving, _MOVED, reason, "enrolment.moved", acting_user=acting_user)
    new = [Enrolment(programme=programme, group=to_group, person=e.person) for e in moving]
    if new:
        Enrolment.objects.bulk_create(new)
        record_many(
            "enrolment.created",
            [(n, None, snapshot(n)) for n in new],
            note=reason,
            acting_user=acting_user,
        )
    for old, n in zip(moving, new, strict=True):
        planned[old.pk] = EnrolmentResult(old.person, Outcome.MOVED, n, to_group.name)
    return [planned[e.pk] for e in fresh]


@transaction.atomic
def withdraw_participants(
    enrolments: Iterable[Enrolment], reason: str, *, acting_user: User | None
) -> list[EnrolmentResult]:
    """End each active enrolment with a reason (status withdrawn; it stays as history).
    One result per enrolment given; repeating answers `already_withdrawn`, and an
    enrolment that ended by a move is `not_active`."""
    reason = _reason(reason, EnrolmentError)
    chosen = _bounded(enrolments)
    if not chosen:
        return []
    programme = _lock_programme(chosen[0].programme_id)
    fresh = _locked_enrolments(programme, chosen)
    ending = [e for e in fresh if e.status == _ACTIVE]
    _end_many(ending, _WITHDRAWN, reason, "enrolment.withdrawn", acting_user=acting_user)
    ended_now = {e.pk for e in ending}
    results = []
    for e in fresh:
        if e.pk in ended_now:
            outcome = Outcome.WITHDRAWN
        elif e.status == _WITHDRAWN:
            outcome = Outcome.ALREADY_WITHDRAWN
        else:
            outcome = Outcome.NOT_ACTIVE
        results.append(EnrolmentResult(e.person, outcome, e, e.group.name))
    return results
