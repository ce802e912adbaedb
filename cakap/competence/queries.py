"""Results read from the scores: per person and competence, gains, aggregates per group,
unit and programme, the group heatmap, a participant's profile and item analysis.

Everything is computed over the people the reader may see
(access.participants_visible_to) with a fixed number of queries, whatever the size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Aggregate, Count, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from cakap.competence import scoring
from cakap.competence.access import participants_visible_to
from cakap.competence.models import (
    Administration,
    Answer,
    Attempt,
    Competence,
    CompetenceScore,
    Instrument,
    Item,
)
from cakap.people.models import Person, Unit, User
from cakap.programmes.models import Enrolment, Group

PRE, POST = Administration.Phase.PRE, Administration.Phase.POST


def frac(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def show(value: Fraction | None) -> Decimal | None:
    """A percentage (or gain) rounded for people: one decimal."""
    return scoring.round1(value)


def show_g(value: Fraction | None) -> Decimal | None:
    """A normalised gain rounded to two decimals."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


@dataclass
class Cell:
    pre: Fraction | None = None
    post: Fraction | None = None
    pre_level: int | None = None
    post_level: int | None = None

    @property
    def gain(self) -> Fraction | None:
        if self.pre is None or self.post is None:
            return None
        return scoring.absolute_gain(self.pre, self.post)

    @property
    def normalised(self) -> Fraction | None:
        if self.pre is None or self.post is None:
            return None
        return scoring.normalised_gain(self.pre, self.post)

    @property
    def latest(self) -> Fraction | None:
        return self.post if self.post is not None else self.pre

    @property
    def latest_level(self) -> int | None:
        return self.post_level if self.post is not None else self.pre_level


@dataclass
class PersonResult:
    id: int
    name: str
    nip: str
    unit_id: int
    unit: str
    group_id: int
    group: str
    cells: dict[int, Cell] = field(default_factory=dict)

    def cell(self, competence_id: int) -> Cell:
        return self.cells.get(competence_id) or Cell()

    def overall(self, phase: str) -> Fraction | None:
        """The mean of the person's competence percentages in one phase."""
        values = [
            c.pre if phase == PRE else c.post
            for c in self.cells.values()
            if (c.pre if phase == PRE else c.post) is not None
        ]
        return scoring.mean(v for v in values if v is not None)


@dataclass
class AggregateRow:
    key: int
    label: str
    people: int
    overall: scoring.Aggregate
    per_competence: dict[int, scoring.Aggregate]


@dataclass
class Results:
    instrument: Instrument
    competences: list[Competence]
    people: list[PersonResult]
    phases: set[str]

    def aggregate(self, by: str) -> list[AggregateRow]:
        """Rows per "group", "unit" or the whole "programme"."""
        buckets: dict[int, list[PersonResult]] = defaultdict(list)
        labels: dict[int, str] = {}
        for person in self.people:
            if by == "group":
                key, label = person.group_id, person.group
            elif by == "unit":
                key, label = person.unit_id, person.unit
            else:
                key, label = 0, str(self.instrument.programme)
            buckets[key].append(person)
            labels[key] = label
        rows = []
        for key, people in sorted(buckets.items(), key=lambda kv: labels[kv[0]]):
            per = {
                c.pk: scoring.aggregate((p.cell(c.pk).pre, p.cell(c.pk).post) for p in people)
                for c in self.competences
            }
            overall = scoring.aggregate((p.overall(PRE), p.overall(POST)) for p in people)
            rows.append(AggregateRow(key, labels[key], len(people), overall, per))
        return rows

    def latest_phase(self) -> str:
        return POST if POST in self.phases else PRE


def competences_of(instrument: Instrument) -> list[Competence]:
    """The framework's competences that the instrument has items on, in framework order."""
    ids = Item.objects.filter(instrument=instrument).values("competence_id")
    return list(Competence.objects.filter(pk__in=ids).order_by("order", "pk"))


def instrument_results(
    user: User,
    instrument: Instrument,
    group_id: int | None = None,
    person_id: int | None = None,
) -> Results:
    """Scores of the people the user may see (optionally one group or one person), per
    competence, pre and post."""
    enrolments = _enrolments_in_scope(
        instrument, participants_visible_to(user, instrument.programme), group_id=group_id
    )
    if person_id is not None:
        enrolments = enrolments.filter(person_id=person_id)
    people = {person.id: person for person in _person_results(enrolments)}
    scores = CompetenceScore.objects.filter(
        attempt__administration__instrument=instrument,
        attempt__submitted_at__isnull=False,
        attempt__person__in=enrolments.values("person_id"),
    ).values_list(
        "attempt__person_id", "attempt__administration__phase", "competence_id", "percent", "level"
    )
    phases: set[str] = set()
    for person_id, phase, competence_id, pct, level in scores:
        person = people.get(person_id)
        if person is None:
            continue
        phases.add(phase)
        cell = person.cells.setdefault(competence_id, Cell())
        if phase == PRE:
            cell.pre, cell.pre_level = frac(pct), level
        else:
            cell.post, cell.post_level = frac(pct), level
    return Results(instrument, competences_of(instrument), list(people.values()), phases)


# ---------------------------------------------------------------- summary


@dataclass
class Summary:
    """The aggregates of `Results.aggregate`, for every level at once, computed from
    sums in one pass over the scores (no per-person objects), so that a programme of
    tens of thousands of people is summarised in well under a second."""

    instrument: Instrument
    competences: list[Competence]
    rows: dict[str, list[AggregateRow]]
    units: dict[int, str]  # the units of the people in scope, by id: the people's filter

    def aggregate(self, by: str) -> list[AggregateRow]:
        return self.rows[by]


class _Sums:
    """Integer sums of one bucket (the programme, a group or a unit). Percentages are
    kept in tenths (scores are stored with one decimal), so the means come out exact."""

    __slots__ = (
        "both",
        "n_post",
        "n_pre",
        "overall",
        "overall_post",
        "overall_pre",
        "people",
        "post",
        "pre",
    )

    def __init__(self, competences: int) -> None:
        self.people = 0
        # Per competence (by position): people with a pre, a post, both; sums over both.
        self.n_pre = [0] * competences
        self.n_post = [0] * competences
        self.both = [0] * competences
        self.pre = [0] * competences
        self.post = [0] * competences
        # Overall: [people with a pre, with a post, with both]; and over those with both,
        # per number k of competences scored, the sum of their tenths (a person's overall
        # score is the mean of their competences: tenths / (10 k)).
        self.overall: list[int] = [0, 0, 0]
        self.overall_pre: dict[int, int] = defaultdict(int)
        self.overall_post: dict[int, int] = defaultdict(int)

    def aggregate(self, i: int) -> scoring.Aggregate:
        return scoring.aggregate_of_sums(
            self.both[i],
            Fraction(self.pre[i], 10),
            Fraction(self.post[i], 10),
            self.n_pre[i],
            self.n_post[i],
        )

    def overall_aggregate(self) -> scoring.Aggregate:
        def total(sums: dict[int, int]) -> Fraction:
            return sum((Fraction(v, 10 * k) for k, v in sums.items()), Fraction(0))

        n_pre, n_post, both = self.overall
        return scoring.aggregate_of_sums(
            both, total(self.overall_pre), total(self.overall_post), n_pre, n_post
        )


def _score_table(
    instrument: Instrument, people: QuerySet[Person], competences: list[Competence]
) -> dict[int, tuple[int | None, ...]]:
    """One row per person with a submitted score: the tenths of each competence's pre and
    post percentage (None where missing), then the sum and count of their pre scores and
    of their post scores, over every competence scored. One grouped query, so the rows
    are people, not scores."""
    phase_ids = dict(
        Administration.objects.filter(instrument=instrument).values_list("phase", "pk")
    )
    tenths = Cast(Round(F("percent") * 10), IntegerField())
    columns: dict[str, Aggregate] = {}
    for phase in (PRE, POST):
        in_phase = Q(attempt__administration_id=phase_ids.get(phase))
        for c in competences:
            columns[f"{phase}_{c.pk}"] = Max(tenths, filter=in_phase & Q(competence_id=c.pk))
    for phase in (PRE, POST):
        in_phase = Q(attempt__administration_id=phase_ids.get(phase))
        columns[f"{phase}_sum"] = Sum(tenths, filter=in_phase)
        columns[f"{phase}_count"] = Count("pk", filter=in_phase)
    rows = (
        CompetenceScore.objects.filter(
            attempt__administration_id__in=list(phase_ids.values()),
            attempt__submitted_at__isnull=False,
            attempt__person__in=people,
        )
        .values("attempt__person_id")
        .annotate(**columns)
        .order_by()
        .values_list("attempt__person_id", *columns)
    )
    return {row[0]: row[1:] for row in rows}


def results_summary(
    user: User, instrument: Instrument, *, people: QuerySet[Person] | None = None
) -> Summary:
    """Aggregates per programme, group and unit over the people `user` may see (`people`
    if the caller has asked access for them already): the same figures as
    `instrument_results(...).aggregate(by)`, in a fixed number of queries."""
    programme = instrument.programme
    people_qs = participants_visible_to(user, programme) if people is None else people
    membership = list(
        Enrolment.objects.active()
        .filter(programme=programme, person__in=people_qs)
        .values_list("person_id", "group_id", "person__unit_id")
    )
    competences = competences_of(instrument)
    k = len(competences)
    table = _score_table(instrument, people_qs, competences)
    nothing: tuple[int | None, ...] = (None,) * (2 * k) + (0, 0, 0, 0)
    buckets: dict[tuple[str, int], _Sums] = {}
    for person_id, group_id, unit_id in membership:
        row = table.get(person_id, nothing)
        pre, post = row[:k], row[k : 2 * k]
        pre_sum, post_sum, pre_count, post_count = (
            row[2 * k] or 0,
            row[2 * k + 2] or 0,
            row[2 * k + 1] or 0,
            row[2 * k + 3] or 0,
        )
        for key in (("programme", 0), ("group", group_id), ("unit", unit_id)):
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = _Sums(k)
            bucket.people += 1
            if pre_count:
                bucket.overall[0] += 1
            if post_count:
                bucket.overall[1] += 1
            if pre_count and post_count:
                bucket.overall[2] += 1
                bucket.overall_pre[pre_count] += pre_sum
                bucket.overall_post[post_count] += post_sum
            for i in range(k):
                p, q = pre[i], post[i]
                if p is not None:
                    bucket.n_pre[i] += 1
                if q is not None:
                    bucket.n_post[i] += 1
                    if p is not None:
                        bucket.both[i] += 1
                        bucket.pre[i] += p
                        bucket.post[i] += q
    labels: dict[str, dict[int, str]] = {
        "programme": {0: str(programme)},
        "group": dict(
            Group.objects.filter(programme=programme).order_by().values_list("pk", "name")
        ),
        "unit": {
            pk: short or name
            for pk, name, short in Unit.objects.filter(
                pk__in={u for _p, _g, u in membership}
            ).values_list("pk", "name", "short_name")
        },
    }
    rows: dict[str, list[AggregateRow]] = {}
    for by in ("programme", "group", "unit"):
        level = [(key, sums) for (kind, key), sums in buckets.items() if kind == by]
        level.sort(key=lambda kv: (labels[by][kv[0]], kv[0]))
        rows[by] = [
            AggregateRow(
                key,
                labels[by][key],
                sums.people,
                sums.overall_aggregate(),
                {c.pk: sums.aggregate(i) for i, c in enumerate(competences)},
            )
            for key, sums in level
        ]
    return Summary(instrument, competences, rows, labels["unit"])


def people_page(
    user: User,
    instrument: Instrument,
    *,
    group_id: int | None = None,
    unit_id: int | None = None,
    page: str | int | None = None,
    per_page: int = 50,
    people: QuerySet[Person] | None = None,
) -> Page[PersonResult]:
    """One page of the people in scope (optionally of one group or one unit), by name,
    without their scores: what the results page links to their profiles with."""
    if people is None:
        people = participants_visible_to(user, instrument.programme)
    enrolments = _enrolments_in_scope(instrument, people, group_id=group_id)
    if unit_id is not None:
        enrolments = enrolments.filter(person__unit_id=unit_id)
    found = Paginator(_person_rows(enrolments), per_page).get_page(page)
    people_on_page = [_person_result(row) for row in found.object_list]
    return Page(people_on_page, found.number, cast(Paginator[PersonResult], found.paginator))


def _enrolments_in_scope(
    instrument: Instrument, people: QuerySet[Person], *, group_id: int | None
) -> QuerySet[Enrolment]:
    """The active enrolments of the instrument's programme of `people` (one group's)."""
    enrolments = Enrolment.objects.active().filter(
        programme=instrument.programme, person__in=people
    )
    return enrolments if group_id is None else enrolments.filter(group_id=group_id)


_PERSON_FIELDS = (
    "person_id",
    "person__name",
    "person__nip",
    "person__unit_id",
    "person__unit__name",
    "person__unit__short_name",
    "group_id",
    "group__name",
)


def _person_rows(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment, tuple[Any, ...]]:
    return enrolments.order_by("person__name", "person_id").values_list(*_PERSON_FIELDS)


def _person_result(row: tuple[Any, ...]) -> PersonResult:
    pid, name, nip, uid, unit, short, gid, group = row
    return PersonResult(pid, name, nip, uid, short or unit, gid, group)


def _person_results(enrolments: QuerySet[Enrolment]) -> list[PersonResult]:
    """The enrolled people, by name, without their scores."""
    return [_person_result(row) for row in _person_rows(enrolments)]


def weakest(person: PersonResult, competences: list[Competence], n: int = 3) -> list[Competence]:
    """The `n` competences with the lowest latest score (post, else pre): the focus for
    coaching. A competence at full marks is never a focus; ties keep framework order."""
    scored = [
        (latest, i, c)
        for i, c in enumerate(competences)
        if (latest := person.cell(c.pk).latest) is not None and latest < 100
    ]
    scored.sort(key=lambda t: (t[0], t[1]))
    return [c for _s, _i, c in scored[:n]]


# ---------------------------------------------------------------- item analysis


@dataclass
class ItemAnalysis:
    item: Item
    stats: scoring.ItemStats

    @property
    def flag(self) -> str:
        """Why an organiser might look at the item again, or ""."""
        p, r = self.stats.difficulty, self.stats.discrimination
        if p is None:
            return ""
        if p < 0.2:
            return _("very hard")
        if p > 0.9:
            return _("very easy")
        if r is not None and r < 0.2:
            return _("does not tell strong from weak")
        return ""


def item_analysis(user: User, administration: Administration) -> list[ItemAnalysis]:
    """Difficulty and discrimination of each item over the submitted attempts the user
    may see."""
    instrument = administration.instrument
    items = list(instrument.items.select_related("competence").order_by("order", "pk"))
    people = participants_visible_to(user, instrument.programme)
    rows = Answer.objects.filter(
        attempt__administration=administration,
        attempt__submitted_at__isnull=False,
        attempt__person__in=people,
    ).values_list("attempt_id", "item_id", "value")
    attempt_ids = list(
        Attempt.objects.filter(
            administration=administration, submitted_at__isnull=False, person__in=people
        ).values_list("pk", flat=True)
    )
    by_attempt: dict[int, dict[int, list[int]]] = {a: {} for a in attempt_ids}
    for attempt_id, item_id, value in rows:
        by_attempt.setdefault(attempt_id, {})[item_id] = value
    right: dict[int, list[int]] = {i.pk: [] for i in items}
    totals: list[float] = []
    for answers in by_attempt.values():
        total = 0.0
        for item in items:
            key = scoring.ItemKey(item.kind, item.points, tuple(item.correct))
            earned, possible = scoring.item_points(key, answers.get(item.pk), (0, 1))
            ok = int(possible > 0 and earned == possible)
            right[item.pk].append(ok)
            total += ok
        totals.append(total)
    return [ItemAnalysis(i, scoring.item_statistics(right[i.pk], totals)) for i in items]
