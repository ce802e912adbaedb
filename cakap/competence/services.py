"""Every write of the competence app: frameworks, mappings, instruments, items,
administrations, attempts, answers, submissions and observations.

Each function runs in one transaction, takes the acting user for the audit trail and
raises `CompetenceError` (a stable code and a translated message) when it refuses.
Callers apply the role scope (cakap.competence.access) before they call.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.competence import frameworks_io, scoring
from cakap.competence.models import (
    Administration,
    Answer,
    Area,
    Attempt,
    Competence,
    CompetenceScore,
    Framework,
    Instrument,
    Item,
    Level,
    ModuleCompetence,
    ProgrammeFramework,
)
from cakap.core.audit import record, snapshot
from cakap.core.errors import ConflictError, DomainError, ForbiddenError
from cakap.core.formatting import clock, long_date
from cakap.people.access import person_of
from cakap.people.models import Person, Unit, User
from cakap.programmes.models import Enrolment, Module, Programme

MODELS = {"Framework": Framework, "Level": Level, "Area": Area, "Competence": Competence}
LIKERT = (1, 5)
MAX_OPTIONS = 6


class CompetenceError(DomainError):
    """A refused write. `field` names the input at fault, when there is one."""

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class CompetenceConflictError(CompetenceError, ConflictError):
    """Already taken, not open, closed, already submitted."""


class CompetenceForbiddenError(CompetenceError, ForbiddenError):
    """Not a participant of the administration."""


def _now() -> datetime.datetime:
    return timezone.now()


# ---------------------------------------------------------------- frameworks


def load_shipped_frameworks() -> list[Framework]:
    """Install or refresh the frameworks shipped under cakap/competence/data/."""
    with transaction.atomic():
        return [
            cast(
                Framework,
                frameworks_io.install(frameworks_io.load_shipped(n), MODELS, builtin=True),
            )
            for n in frameworks_io.SHIPPED
        ]


def create_framework(
    spec: frameworks_io.Spec, owner_unit: Unit | None, *, acting_user: User
) -> Framework:
    """Create an organiser's own framework from a validated spec (web form or import)."""
    problems = frameworks_io.validate(spec)
    if problems:
        first = problems[0]
        raise CompetenceError("invalid_framework", first.message, field=first.field)
    with transaction.atomic():
        if Framework.objects.filter(code=spec["code"]).exists():
            raise CompetenceError(
                "code_taken", _("A framework with this code already exists."), field="code"
            )
        framework = cast(
            Framework,
            frameworks_io.install(
                spec, MODELS, builtin=False, owner_unit=owner_unit, created_by=acting_user
            ),
        )
        record(
            "competence.framework_created", framework, note=spec["code"], acting_user=acting_user
        )
    return framework


def set_programme_framework(
    programme: Programme, framework: Framework, *, acting_user: User
) -> None:
    """The programme works to `framework`. Refused once instruments use another one."""
    with transaction.atomic():
        current = ProgrammeFramework.objects.filter(programme=programme).first()
        if current and current.framework_id == framework.pk:
            return
        if Instrument.objects.filter(programme=programme).exclude(framework=framework).exists():
            raise CompetenceError(
                "framework_in_use",
                _("Instruments of this programme use its framework; it cannot change now."),
                field="framework",
            )
        ModuleCompetence.objects.filter(module__programme=programme).delete()
        link, _c = ProgrammeFramework.objects.update_or_create(
            programme=programme, defaults={"framework": framework}
        )
        record("competence.framework_chosen", link, note=framework.code, acting_user=acting_user)


def programme_framework(programme: Programme) -> Framework | None:
    link = ProgrammeFramework.objects.select_related("framework").filter(programme=programme)
    first = link.first()
    return first.framework if first else None


def map_modules(programme: Programme, mapping: dict[int, set[int]], *, acting_user: User) -> None:
    """Replace which competences each module of the programme teaches:
    {module id: {competence id, ...}}."""
    framework = programme_framework(programme)
    if framework is None:
        raise CompetenceError("no_framework", _("Choose the programme's framework first."))
    modules = {m.pk: m for m in Module.objects.filter(programme=programme)}
    allowed = set(framework.competences.values_list("pk", flat=True))
    with transaction.atomic():
        before = sorted(
            ModuleCompetence.objects.filter(module__programme=programme).values_list(
                "module_id", "competence_id"
            )
        )
        ModuleCompetence.objects.filter(module__programme=programme).delete()
        rows = []
        for module_id, competence_ids in mapping.items():
            if module_id not in modules:
                raise CompetenceError("invalid_module", _("This module is not in the programme."))
            if not competence_ids <= allowed:
                raise CompetenceError(
                    "invalid_competence", _("This competence is not in the programme's framework.")
                )
            rows += [ModuleCompetence(module_id=module_id, competence_id=c) for c in competence_ids]
        ModuleCompetence.objects.bulk_create(rows)
        after = sorted((r.module_id, r.competence_id) for r in rows)
        record(
            "competence.modules_mapped",
            programme,
            before={"mapping": before},
            after={"mapping": after},
            acting_user=acting_user,
        )


# ---------------------------------------------------------------- instruments and items

ITEM_KINDS = {
    Instrument.Kind.SELF: {Item.Kind.STATEMENT},
    Instrument.Kind.KNOWLEDGE: {Item.Kind.SINGLE, Item.Kind.MULTIPLE, Item.Kind.TRUE_FALSE},
    Instrument.Kind.OBSERVATION: {Item.Kind.CHECK},
}


def create_instrument(
    programme: Programme,
    *,
    acting_user: User,
    kind: str,
    title: str,
    scale: str = Instrument.Scale.LEVELS,
    time_limit_minutes: int | None = None,
    instructions: str = "",
) -> Instrument:
    """A new instrument for the programme, on the programme's framework."""
    framework = programme_framework(programme)
    if framework is None:
        raise CompetenceError("no_framework", _("Choose the programme's framework first."))
    if kind not in Instrument.Kind.values:
        raise CompetenceError("invalid_kind", _("Choose a kind of instrument."), field="kind")
    if not title.strip():
        raise CompetenceError("invalid_title", _("Give the instrument a title."), field="title")
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= 600:
        raise CompetenceError(
            "invalid_time_limit",
            _("A time limit is from 1 to 600 minutes."),
            field="time_limit_minutes",
        )
    with transaction.atomic():
        instrument = Instrument.objects.create(
            programme=programme,
            framework=framework,
            kind=kind,
            title=title.strip(),
            scale=scale if kind == Instrument.Kind.SELF else Instrument.Scale.LEVELS,
            time_limit_minutes=time_limit_minutes if kind == Instrument.Kind.KNOWLEDGE else None,
            instructions=instructions,
            created_by=acting_user,
        )
        record("competence.instrument_created", instrument, acting_user=acting_user)
    return instrument


@dataclass
class ItemSpec:
    """An item before it is saved; `competence` is a code of the framework."""

    competence: str
    kind: str
    text: str
    options: list[str]
    correct: list[int]
    points: int = 1


def check_item(
    instrument: Instrument, spec: ItemSpec, competences: dict[str, Competence]
) -> list[tuple[str, str | Promise]]:
    """(field, message) for everything wrong with an item for this instrument."""
    problems: list[tuple[str, str | Promise]] = []
    if spec.competence not in competences:
        problems.append(("competence", _("No competence with this code in the framework.")))
    if spec.kind not in ITEM_KINDS[Instrument.Kind(instrument.kind)]:
        problems.append(("type", _("This type of item does not belong in this instrument.")))
    if not spec.text.strip():
        problems.append(("text", _("The item has no text.")))
    if not 1 <= spec.points <= 100:
        problems.append(("points", _("Points are a whole number from 1 to 100.")))
    if spec.kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE):
        if not 2 <= len(spec.options) <= MAX_OPTIONS:
            problems.append(("options", _("A choice question has 2 to 6 options.")))
        elif not spec.correct or any(not 0 <= c < len(spec.options) for c in spec.correct):
            problems.append(("correct", _("Name the right option(s) among the options.")))
        elif spec.kind == Item.Kind.SINGLE and len(spec.correct) != 1:
            problems.append(
                ("correct", _("A single-choice question has exactly one right option."))
            )
    if spec.kind == Item.Kind.TRUE_FALSE and spec.correct not in ([0], [1]):
        problems.append(("correct", _("Say whether the statement is true or false.")))
    return problems


def _refuse_if_taken(instrument: Instrument) -> None:
    if Attempt.objects.filter(administration__instrument=instrument).exists():
        raise CompetenceError(
            "instrument_in_use",
            _("People have already taken this instrument; its items can no longer change."),
        )


def competences_by_code(instrument: Instrument) -> dict[str, Competence]:
    return {c.code: c for c in Competence.objects.filter(framework_id=instrument.framework_id)}


def add_items(
    instrument: Instrument, specs: Sequence[ItemSpec], *, acting_user: User
) -> list[Item]:
    """Append items (one from a form, or a whole imported bank) to an instrument."""
    competences = competences_by_code(instrument)
    for spec in specs:
        problems = check_item(instrument, spec, competences)
        if problems:
            field, message = problems[0]
            raise CompetenceError("invalid_item", message, field=field if len(specs) == 1 else None)
    with transaction.atomic():
        _refuse_if_taken(instrument)
        last = instrument.items.order_by("-order").values_list("order", flat=True).first() or 0
        items = Item.objects.bulk_create(
            Item(
                instrument=instrument,
                competence=competences[s.competence],
                order=last + i,
                kind=s.kind,
                text=s.text.strip(),
                options=s.options if s.kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE) else [],
                correct=sorted(set(s.correct)),
                points=s.points,
            )
            for i, s in enumerate(specs, start=1)
        )
        record(
            "competence.items_added",
            instrument,
            before={},
            after={"items": len(items)},
            acting_user=acting_user,
        )
    return items


def remove_item(item: Item, *, acting_user: User) -> None:
    with transaction.atomic():
        _refuse_if_taken(item.instrument)
        record(
            "competence.item_removed",
            item,
            before=snapshot(item),
            after={},
            acting_user=acting_user,
        )
        item.delete()


# ---------------------------------------------------------------- administrations


def create_administration(
    instrument: Instrument,
    *,
    acting_user: User,
    phase: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
) -> Administration:
    """Give an instrument as the programme's pre-test or post-test between two times."""
    if phase not in Administration.Phase.values:
        raise CompetenceError("invalid_phase", _("Choose pre-test or post-test."), field="phase")
    if closes_at <= opens_at:
        raise CompetenceError(
            "invalid_window",
            _("The closing time must come after the opening time."),
            field="closes_at",
        )
    if not instrument.items.exists():
        raise CompetenceError("no_items", _("Add items to the instrument before giving it."))
    try:
        with transaction.atomic():
            administration = Administration.objects.create(
                instrument=instrument,
                phase=phase,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=acting_user,
            )
            record("competence.administration_created", administration, acting_user=acting_user)
    except IntegrityError:
        raise CompetenceConflictError(
            "phase_taken",
            _("This instrument is already given as this phase."),
            field="phase",
        ) from None
    return administration


def _check_window(administration: Administration, now: datetime.datetime) -> None:
    if now < administration.opens_at:
        raise CompetenceConflictError(
            "not_open",
            _("This assessment opens on %(day)s at %(time)s.")
            % {"day": long_date(administration.opens_at), "time": clock(administration.opens_at)},
        )
    if now >= administration.closes_at:
        raise CompetenceConflictError(
            "closed",
            _("This assessment closed on %(day)s at %(time)s; answers are no longer accepted.")
            % {
                "day": long_date(administration.closes_at),
                "time": clock(administration.closes_at),
            },
        )


def _participant(user: User, administration: Administration) -> Person:
    person = person_of(user)
    programme_id = administration.instrument.programme_id
    if (
        person is None
        or not Enrolment.objects.active().filter(person=person, programme_id=programme_id).exists()
    ):
        raise CompetenceForbiddenError(
            "not_participant",
            _("Only the programme's participants take this assessment."),
        )
    return person


def attempt_of(user: User, administration: Administration) -> Attempt | None:
    """Read only: the user's attempt at an administration, or None when they may start
    one now. A submitted attempt is always returned, so its receipt stays readable; an
    unsubmitted one while the administration is open. Raises when the user may not
    take it (not a participant, a checklist, not open yet, closed)."""
    person = _participant(user, administration)
    if administration.instrument.kind == Instrument.Kind.OBSERVATION:
        raise CompetenceError("observed", _("A coach fills in this checklist while watching."))
    existing = Attempt.objects.filter(administration=administration, person=person).first()
    if existing is not None and existing.submitted_at is not None:
        return existing
    _check_window(administration, _now())
    return existing


def start_attempt(administration: Administration, *, acting_user: User) -> Attempt:
    """Start the user's attempt (and its timer), or resume the one that exists: opening
    it again (another tab, after a lost connection) resumes it while it is open. Only a
    POST calls this; a page that merely shows the test reads `attempt_of`."""
    existing = attempt_of(acting_user, administration)
    if existing is not None:
        return existing
    person = _participant(acting_user, administration)
    now = _now()
    limit = administration.instrument.time_limit_minutes
    deadline = now + datetime.timedelta(minutes=limit) if limit else None
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                administration=administration, person=person, started_at=now, deadline=deadline
            )
            record("competence.attempt_started", attempt, acting_user=acting_user)
    except IntegrityError:  # a second tab started it at the same moment
        return Attempt.objects.get(administration=administration, person=person)
    return attempt


def shuffled_items(attempt: Attempt) -> list[tuple[Item, list[int]]]:
    """The items of the attempt in this person's order, each with its options' order.

    Knowledge tests are shuffled per person, the same way every time (seeded by the
    administration and the person), so a reload shows the same order. Self-assessments
    and checklists keep the author's order.
    """
    items = list(
        Item.objects.filter(instrument_id=attempt.administration.instrument_id)
        .select_related("competence")
        .order_by("order", "pk")
    )
    orders = [list(range(len(i.options))) for i in items]
    pairs = list(zip(items, orders, strict=True))
    if attempt.administration.instrument.kind == Instrument.Kind.KNOWLEDGE:
        # Not for security: a stable, per-person order that makes copying harder.
        rng = random.Random(f"{attempt.administration_id}:{attempt.person_id}")  # noqa: S311
        rng.shuffle(pairs)
        for _item, order in pairs:
            rng.shuffle(order)
    return pairs


def scale_of(instrument: Instrument) -> tuple[int, int]:
    if instrument.scale == Instrument.Scale.LIKERT:
        return LIKERT
    numbers = list(
        Level.objects.filter(framework_id=instrument.framework_id).values_list("number", flat=True)
    )
    return (min(numbers), max(numbers)) if numbers else (1, 1)


def clean_value(item: Item, raw: Iterable[str | int], scale: tuple[int, int]) -> list[int]:
    """An answer as stored: sorted, distinct, in range for the item. Empty = unanswered."""
    try:
        values = sorted({int(v) for v in raw if str(v).strip() != ""})
    except (TypeError, ValueError):
        raise CompetenceError(
            "invalid_answer", _("This answer is not one of the choices.")
        ) from None
    if not values:
        return []
    if item.kind == Item.Kind.STATEMENT:
        ok = len(values) == 1 and scale[0] <= values[0] <= scale[1]
    elif item.kind == Item.Kind.TRUE_FALSE or item.kind == Item.Kind.CHECK:
        ok = len(values) == 1 and values[0] in (0, 1)
    else:
        ok = all(0 <= v < len(item.options) for v in values) and (
            item.kind == Item.Kind.MULTIPLE or len(values) == 1
        )
    if not ok:
        raise CompetenceError("invalid_answer", _("This answer is not one of the choices."))
    return values


def _check_writable(attempt: Attempt, now: datetime.datetime) -> None:
    if attempt.submitted_at is not None:
        raise CompetenceConflictError(
            "already_submitted",
            _("This assessment has been submitted; answers are final."),
        )
    _check_window(attempt.administration, now)
    if attempt.deadline is not None and now > attempt.deadline:
        raise CompetenceConflictError(
            "time_up",
            _("The time for this test is up. The answers you saved count; submit to finish."),
        )


def _locked(attempt: Attempt) -> Attempt:
    """The attempt re-read under a row lock, inside the caller's transaction: every save
    and the submit of one attempt take it, so they run one after the other and each sees
    what the one before it wrote."""
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("administration__instrument")
        .get(pk=attempt.pk)
    )


def _cleaned_answers(
    attempt: Attempt, answers: Mapping[int, Iterable[str | int]]
) -> dict[int, list[int]]:
    instrument = attempt.administration.instrument
    items = {i.pk: i for i in Item.objects.filter(instrument=instrument, pk__in=list(answers))}
    if len(items) != len(answers):
        raise CompetenceError("invalid_item", _("This question is not part of this assessment."))
    scale = scale_of(instrument)
    return {item_id: clean_value(items[item_id], raw, scale) for item_id, raw in answers.items()}


def _write_answers(
    attempt: Attempt, values: Mapping[int, list[int]], now: datetime.datetime
) -> None:
    for item_id, value in values.items():
        if value:
            Answer.objects.update_or_create(
                attempt=attempt, item_id=item_id, defaults={"value": value, "answered_at": now}
            )
        else:
            Answer.objects.filter(attempt=attempt, item_id=item_id).delete()


def save_answers(
    attempt: Attempt, answers: Mapping[int, Iterable[str | int]], *, acting_user: User
) -> int:
    """Save answers {item id: values} as they are given; an empty value clears one.
    Returns how many were saved. Unknown items are refused; so is every save once the
    attempt is submitted (checked under the attempt's lock, so a save that raced a
    submit from another tab cannot land after it)."""
    with transaction.atomic():
        locked = _locked(attempt)
        now = _now()
        _check_writable(locked, now)
        _write_answers(locked, _cleaned_answers(locked, answers), now)
    return len(answers)


def score_rows(
    attempt: Attempt, items: Sequence[Item], answers: dict[int, list[int]]
) -> list[CompetenceScore]:
    """One unsaved CompetenceScore per competence that has items."""
    instrument = attempt.administration.instrument
    scale = scale_of(instrument)
    low, high = frameworks_range(instrument.framework_id)
    totals: dict[int, list[Fraction]] = defaultdict(lambda: [Fraction(0), Fraction(0)])
    for item in items:
        key = scoring.ItemKey(item.kind, item.points, tuple(item.correct))
        earned, possible = scoring.item_points(key, answers.get(item.pk), scale)
        totals[item.competence_id][0] += earned
        totals[item.competence_id][1] += possible
    rows = []
    for competence_id, (earned, possible) in totals.items():
        pct = scoring.percent(earned, possible)
        if pct is None:  # nothing answered on this competence in a self-assessment
            continue
        rows.append(
            CompetenceScore(
                attempt=attempt,
                competence_id=competence_id,
                earned=scoring.round1(earned) or Decimal(0),
                possible=scoring.round1(possible) or Decimal(0),
                percent=scoring.round1(pct) or Decimal(0),
                level=scoring.level_for(pct, low, high),
            )
        )
    return rows


def frameworks_range(framework_id: int) -> tuple[int, int]:
    numbers = list(Level.objects.filter(framework_id=framework_id).values_list("number", flat=True))
    return (min(numbers), max(numbers)) if numbers else (1, 1)


def _finalise(
    attempt: Attempt, now: datetime.datetime, *, acting_user: User | None, automatic: bool = False
) -> None:
    items = list(Item.objects.filter(instrument_id=attempt.administration.instrument_id))
    answers = dict(Answer.objects.filter(attempt=attempt).values_list("item_id", "value"))
    CompetenceScore.objects.bulk_create(score_rows(attempt, items, answers))
    attempt.submitted_at = now
    attempt.closed_automatically = automatic
    attempt.save(update_fields=["submitted_at", "closed_automatically"])
    fields = ["submitted_at", "closed_automatically"]
    record(
        "competence.attempt_submitted",
        attempt,
        after=snapshot(attempt, fields),
        acting_user=acting_user,
    )


def close_overdue_attempts(
    administration: Administration | None = None, *, acting_user: User | None
) -> int:
    """Score every unsubmitted attempt whose administration has closed or whose time is
    up, with the answers it saved: a participant who lost the connection and never came
    back still has their saved work counted. Returns how many were closed."""
    now = _now()
    overdue = Attempt.objects.filter(submitted_at__isnull=True).filter(
        models.Q(administration__closes_at__lte=now) | models.Q(deadline__lt=now)
    )
    if administration is not None:
        overdue = overdue.filter(administration=administration)
    closed = 0
    for pk in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update().filter(pk=pk, submitted_at__isnull=True).first()
            )
            if attempt is None:  # submitted meanwhile
                continue
            attempt = Attempt.objects.select_related("administration__instrument").get(pk=pk)
            _finalise(attempt, now, automatic=True, acting_user=acting_user)
            closed += 1
    return closed


def submit_attempt(
    attempt: Attempt, answers: Mapping[int, Iterable[str | int]] | None = None, *, acting_user: User
) -> Attempt:
    """Finish an attempt and score it, saving `answers` (what the page shows) first
    while they may still change, in the same transaction under the attempt's lock.

    Submitting again answers with the first submission and changes nothing: answers
    sent with a repeated submit are not stored, so the stored answers always agree
    with the score. After the time limit the answers sent are ignored (the saved ones
    count); after closing time the submit is refused."""
    with transaction.atomic():
        locked = _locked(attempt)
        if locked.submitted_at is not None:
            return locked
        now = _now()
        _check_window(locked.administration, now)
        time_up = locked.deadline is not None and now > locked.deadline
        if answers and not time_up:
            _write_answers(locked, _cleaned_answers(locked, answers), now)
        _finalise(locked, now, acting_user=acting_user)
    return locked


def record_observation(
    administration: Administration, person: Person, ticked: Iterable[int], *, acting_user: User
) -> Attempt:
    """The coach's checklist for one participant: the ticked items are done. Recorded
    once; a second recording is refused so a score is never silently replaced."""
    if administration.instrument.kind != Instrument.Kind.OBSERVATION:
        raise CompetenceError("not_observation", _("This instrument is not a checklist."))
    now = _now()
    _check_window(administration, now)
    items = {i.pk: i for i in Item.objects.filter(instrument_id=administration.instrument_id)}
    ticked_ids = set(ticked)
    if not (
        Enrolment.objects.active()
        .filter(person=person, programme_id=administration.instrument.programme_id)
        .exists()
    ):
        raise CompetenceForbiddenError(
            "not_participant",
            _("Only the programme's participants take this assessment."),
        )
    if not ticked_ids <= set(items):
        raise CompetenceError("invalid_item", _("This line is not part of this checklist."))
    with transaction.atomic():
        attempt, _created = Attempt.objects.get_or_create(
            administration=administration,
            person=person,
            defaults={"started_at": now, "observer": person_of(acting_user)},
        )
        attempt = _locked(attempt)  # two coaches recording at once: one after the other
        if attempt.submitted_at is not None:
            raise CompetenceConflictError(
                "already_submitted",
                _("This participant's checklist is already recorded."),
            )
        Answer.objects.bulk_create(
            Answer(
                attempt=attempt, item_id=pk, value=[1 if pk in ticked_ids else 0], answered_at=now
            )
            for pk in items
        )
        attempt.administration = administration
        _finalise(attempt, now, acting_user=acting_user)
    return attempt
