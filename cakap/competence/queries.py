"""Results read from the scores: per person and competence, gains, aggregates per group,
unit and programme, the group heatmap, a participant's profile and item analysis.

Everything is computed over the people the reader may see
(access.participants_visible_to) with a fixed number of queries, whatever the size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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
from cakap.core import spreadsheets
from cakap.people.models import User
from cakap.programmes.models import Enrolment

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
    people_qs = participants_visible_to(user, instrument.programme)
    enrolments = Enrolment.objects.active().filter(
        programme=instrument.programme, person__in=people_qs
    )
    if group_id is not None:
        enrolments = enrolments.filter(group_id=group_id)
    if person_id is not None:
        enrolments = enrolments.filter(person_id=person_id)
    people: dict[int, PersonResult] = {}
    for row in enrolments.order_by("person__name", "person_id").values(
        "person_id",
        "person__name",
        "person__nip",
        "person__unit_id",
        "person__unit__name",
        "person__unit__short_name",
        "group_id",
        "group__name",
    ):
        people[row["person_id"]] = PersonResult(
            row["person_id"],
            row["person__name"],
            row["person__nip"],
            row["person__unit_id"],
            row["person__unit__short_name"] or row["person__unit__name"],
            row["group_id"],
            row["group__name"],
        )
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


# ---------------------------------------------------------------- export


def export_xlsx(results: Results) -> bytes:
    """Scores per person and competence, and the aggregates, as a workbook."""
    book = spreadsheets.Book()
    ws = book.sheet(_("Scores"))
    ws.append(
        [
            "NIP",
            _("Name"),
            _("Unit"),
            _("Group"),
            _("Competence code"),
            _("Competence"),
            _("Pre (%)"),
            _("Pre level"),
            _("Post (%)"),
            _("Post level"),
            _("Gain (points)"),
            _("Normalised gain"),
        ]
    )
    for person in results.people:
        for c in results.competences:
            cell = person.cell(c.pk)
            ws.append(
                [
                    person.nip,
                    person.name,
                    person.unit,
                    person.group,
                    c.code,
                    c.label,
                    show(cell.pre),
                    cell.pre_level,
                    show(cell.post),
                    cell.post_level,
                    show(cell.gain),
                    show_g(cell.normalised),
                ]
            )
    summary = book.sheet(_("Aggregates"))
    summary.append(
        [
            _("Level of aggregation"),
            _("Name"),
            _("Competence"),
            _("People with pre and post"),
            _("Mean pre (%)"),
            _("Mean post (%)"),
            _("Gain (points)"),
            _("Normalised gain"),
        ]
    )
    for by, by_label in (("programme", _("Programme")), ("group", _("Group")), ("unit", _("Unit"))):
        for row in results.aggregate(by):
            entries = [(_("All competences"), row.overall)] + [
                (c.short, row.per_competence[c.pk]) for c in results.competences
            ]
            for label, agg in entries:
                summary.append(
                    [
                        by_label,
                        row.label,
                        label,
                        agg.n,
                        show(agg.pre),
                        show(agg.post),
                        show(agg.gain),
                        show_g(agg.normalised),
                    ]
                )
    return book.to_bytes()
