"""API for frameworks, instruments, administrations, submissions and results.

Reads go through cakap.competence.access, as pages do: an object outside the caller's
scope answers 404. A participant sees only their own answers and scores, a coach
those of their groups, a leader those of their units' people; the right answers of a
knowledge test are shown only to the programme's organisers and coaches.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cakap.competence import frameworks_io, queries, services
from cakap.competence.access import (
    administrations_visible_to,
    attempts_visible_to,
    can_manage_programme,
    coaches_programme,
    frameworks_visible_to,
    instruments_visible_to,
    owner_unit_of,
)
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
)
from cakap.core.api_support import (
    ERROR_RESPONSES,
    READ_RESPONSES,
    AwareDateTimeIn,
    Id,
    InputSchema,
    LocalDateTime,
    PageNumbers,
    forbidden,
    referenced,
)
from cakap.core.lookups import get_or_404
from cakap.people import reads
from cakap.people.access import is_admin, is_organiser, person_of
from cakap.people.identity import actor
from cakap.people.models import User
from cakap.programmes.access import programmes_visible_to

router = Router(tags=["competence"])


# ---------------------------------------------------------------- schemas


class LevelOut(Schema):
    number: int
    name: str
    name_id: str
    description: str


class CompetenceOut(Schema):
    id: int
    code: str
    name: str
    name_id: str
    description: str
    reference_value: Decimal | None


class AreaOut(Schema):
    id: int
    code: str
    name: str
    name_id: str
    competences: list[CompetenceOut]

    @staticmethod
    def resolve_competences(obj: Area) -> list[Competence]:
        return list(obj.competences.all())


class FrameworkOut(Schema):
    id: int
    code: str
    name: str
    name_id: str
    description: str
    source: str
    builtin: bool
    levels: list[LevelOut]
    areas: list[AreaOut]

    @staticmethod
    def resolve_levels(obj: Framework) -> list[Level]:
        return list(obj.levels.all())

    @staticmethod
    def resolve_areas(obj: Framework) -> list[Area]:
        return list(obj.areas.all())


class FrameworkRef(Schema):
    id: int
    code: str
    name: str


class ItemOut(Schema):
    id: int
    competence_id: int
    kind: Item.Kind
    text: str
    options: list[str]
    points: int
    correct: list[int] | None = Field(
        None, description="Indexes of the right options; only for organisers and coaches"
    )


class InstrumentOut(Schema):
    id: int
    programme_id: int
    framework: FrameworkRef
    kind: Instrument.Kind
    title: str
    instructions: str
    scale: Instrument.Scale
    time_limit_minutes: int | None
    items: list[ItemOut]


class InstrumentFilter(InputSchema):
    programme: Id | None = None


class AdministrationOut(Schema):
    id: int
    instrument_id: int
    programme_id: int
    phase: Administration.Phase
    opens_at: LocalDateTime
    closes_at: LocalDateTime

    @staticmethod
    def resolve_programme_id(obj: Administration) -> int:
        return obj.instrument.programme_id


class AdministrationFilter(InputSchema):
    programme: Id | None = None
    instrument: Id | None = None


class AnswerOut(Schema):
    item_id: int
    value: list[int]
    answered_at: LocalDateTime


class ScoreOut(Schema):
    competence_id: int
    competence_code: str
    earned: Decimal
    possible: Decimal
    percent: Decimal
    level: int

    @staticmethod
    def resolve_competence_code(obj: CompetenceScore) -> str:
        return obj.competence.code


class SubmissionOut(Schema):
    id: int
    administration_id: int
    person_id: int
    started_at: LocalDateTime
    deadline: LocalDateTime | None
    submitted_at: LocalDateTime | None
    answers: list[AnswerOut]
    scores: list[ScoreOut]

    @staticmethod
    def resolve_answers(obj: Attempt) -> list[Answer]:
        return list(obj.answers.all())

    @staticmethod
    def resolve_scores(obj: Attempt) -> list[CompetenceScore]:
        return list(obj.scores.all())


class SubmissionFilter(InputSchema):
    administration: Id | None = None


class AnswersIn(InputSchema):
    answers: dict[Id, list[int]] = Field(
        description="{item id: [option indexes or the scale value]}; [] clears an answer"
    )


class ResultRow(Schema):
    person_id: int
    name: str
    nip: str
    unit: str
    group: str
    competence_id: int
    competence_code: str
    pre: Decimal | None
    pre_level: int | None
    post: Decimal | None
    post_level: int | None
    gain: Decimal | None = Field(description="post - pre, percentage points")
    normalised_gain: Decimal | None = Field(
        description="(post - pre) / (100 - pre); null when pre is 100 or a phase is missing"
    )


# ---------------------------------------------------------------- frameworks


def _frameworks(user: User) -> QuerySet[Framework]:
    return frameworks_visible_to(user).prefetch_related(
        "levels", Prefetch("areas", queryset=Area.objects.prefetch_related("competences"))
    )


@router.get(
    "/frameworks",
    response={200: list[FrameworkOut], **READ_RESPONSES},
    summary="List competence frameworks",
)
@paginate(PageNumbers)
def list_frameworks(request: HttpRequest) -> QuerySet[Framework]:
    return _frameworks(actor(request)).order_by("-builtin", "name", "pk")


@router.get(
    "/frameworks/{framework_id}",
    response={200: FrameworkOut, **READ_RESPONSES},
    summary="One framework with its levels, areas and competences",
)
def get_framework(request: HttpRequest, framework_id: Id) -> Framework:
    return get_or_404(_frameworks(actor(request)), framework_id)


# ---------------------------------------------------------------- instruments


def _instrument_out(user: User, instrument: Instrument) -> dict[str, object]:
    staff = (
        is_admin(user)
        or can_manage_programme(user, instrument.programme)
        or coaches_programme(user, instrument.programme)
    )
    items = [
        {
            "id": i.pk,
            "competence_id": i.competence_id,
            "kind": i.kind,
            "text": i.text,
            "options": i.options,
            "points": i.points,
            "correct": i.correct if staff else None,
        }
        for i in instrument.items.all()
    ]
    return {
        "id": instrument.pk,
        "programme_id": instrument.programme_id,
        "framework": instrument.framework,
        "kind": instrument.kind,
        "title": instrument.title,
        "instructions": instrument.instructions,
        "scale": instrument.scale,
        "time_limit_minutes": instrument.time_limit_minutes,
        "items": items,
    }


def _instruments(user: User) -> QuerySet[Instrument]:
    return (
        instruments_visible_to(user)
        .select_related("programme", "framework")
        .prefetch_related("items")
        .order_by("programme_id", "title", "pk")
    )


@router.get(
    "/instruments",
    response={200: list[InstrumentOut], **READ_RESPONSES},
    summary="List instruments",
)
@paginate(PageNumbers)
def list_instruments(
    request: HttpRequest, filters: Query[InstrumentFilter]
) -> "_LazyList[Instrument]":
    user = actor(request)
    instruments = _instruments(user)
    if filters.programme is not None:
        instruments = instruments.filter(programme_id=filters.programme)
    return _LazyList(instruments, lambda i: _instrument_out(user, i))


class _LazyList[M: Model]:
    """Paginates a queryset and converts only the page it returns."""

    def __init__(self, queryset: QuerySet[M], convert: Callable[[M], dict[str, object]]) -> None:
        self.queryset, self.convert = queryset, convert

    def __getitem__(self, key: slice) -> list[dict[str, object]]:
        return [self.convert(obj) for obj in self.queryset[key]]

    def count(self) -> int:
        return self.queryset.count()


@router.get(
    "/instruments/{instrument_id}",
    response={200: InstrumentOut, **READ_RESPONSES},
    summary="One instrument with its items",
)
def get_instrument(request: HttpRequest, instrument_id: Id) -> dict[str, object]:
    user = actor(request)
    return _instrument_out(user, get_or_404(_instruments(user), instrument_id))


# ---------------------------------------------------------------- administrations


def _administrations(user: User) -> QuerySet[Administration]:
    return administrations_visible_to(user).select_related("instrument")


@router.get(
    "/administrations",
    response={200: list[AdministrationOut], **READ_RESPONSES},
    summary="List administrations",
)
@paginate(PageNumbers)
def list_administrations(
    request: HttpRequest, filters: Query[AdministrationFilter]
) -> QuerySet[Administration]:
    administrations = _administrations(actor(request)).order_by("opens_at", "pk")
    if filters.programme is not None:
        administrations = administrations.filter(instrument__programme_id=filters.programme)
    if filters.instrument is not None:
        administrations = administrations.filter(instrument_id=filters.instrument)
    return administrations


@router.get(
    "/administrations/{administration_id}",
    response={200: AdministrationOut, **READ_RESPONSES},
    summary="One administration",
)
def get_administration(request: HttpRequest, administration_id: Id) -> Administration:
    return get_or_404(_administrations(actor(request)), administration_id)


# ---------------------------------------------------------------- taking (participants)


def _submissions(user: User) -> QuerySet[Attempt]:
    return attempts_visible_to(user).prefetch_related(
        "answers", Prefetch("scores", queryset=CompetenceScore.objects.select_related("competence"))
    )


def _my_attempt(user: User, administration: Administration) -> Attempt:
    attempt = Attempt.objects.filter(administration=administration, person=person_of(user)).first()
    if attempt is None:
        raise services.CompetenceConflictError("not_started", _("Start the assessment first."))
    return attempt


@router.post(
    "/administrations/{administration_id}/submission",
    response={200: SubmissionOut, 201: SubmissionOut, **ERROR_RESPONSES},
    summary="Start or resume my attempt",
    description="Answers 201 with a new attempt, 200 with the one that exists.",
)
def start_submission(request: HttpRequest, administration_id: Id) -> Status[Attempt]:
    user = actor(request)
    administration = get_or_404(_administrations(user), administration_id)
    existed = Attempt.objects.filter(administration=administration, person=person_of(user)).exists()
    attempt = services.start_attempt(administration, acting_user=user)
    return Status(200 if existed else 201, get_or_404(_submissions(user), attempt.pk))


@router.put(
    "/administrations/{administration_id}/answers",
    response={200: SubmissionOut, **ERROR_RESPONSES},
    summary="Save some of my answers",
)
def save_answers(request: HttpRequest, administration_id: Id, payload: AnswersIn) -> Attempt:
    user = actor(request)
    administration = get_or_404(_administrations(user), administration_id)
    attempt = _my_attempt(user, administration)
    services.save_answers(attempt, payload.answers, acting_user=user)
    return get_or_404(_submissions(user), attempt.pk)


@router.post(
    "/administrations/{administration_id}/submit",
    response={200: SubmissionOut, **ERROR_RESPONSES},
    summary="Submit my attempt (a second submit answers with the first)",
)
def submit(request: HttpRequest, administration_id: Id) -> Attempt:
    user = actor(request)
    administration = get_or_404(_administrations(user), administration_id)
    attempt = _my_attempt(user, administration)
    services.submit_attempt(attempt, acting_user=user)
    return get_or_404(_submissions(user), attempt.pk)


# ---------------------------------------------------------------- submissions and results


@router.get(
    "/submissions",
    response={200: list[SubmissionOut], **READ_RESPONSES},
    summary="List submissions in scope",
)
@paginate(PageNumbers)
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilter]) -> QuerySet[Attempt]:
    submissions = _submissions(actor(request)).order_by("administration_id", "person_id", "pk")
    if filters.administration is not None:
        submissions = submissions.filter(administration_id=filters.administration)
    return submissions


@router.get(
    "/submissions/{submission_id}",
    response={200: SubmissionOut, **READ_RESPONSES},
    summary="One submission with its answers and scores",
)
def get_submission(request: HttpRequest, submission_id: Id) -> Attempt:
    return get_or_404(_submissions(actor(request)), submission_id)


@router.get(
    "/instruments/{instrument_id}/results",
    response={200: list[ResultRow], **READ_RESPONSES},
    summary="Scores and gains per person and competence, for the people in scope",
)
def instrument_results(request: HttpRequest, instrument_id: Id) -> list[dict[str, object]]:
    user = actor(request)
    instrument = get_or_404(_instruments(user), instrument_id)
    # Computed over the people the caller may see: a participant gets only their own rows.
    data = queries.instrument_results(user, instrument)
    own = person_of(user)
    if any(p.id != (own.pk if own else None) for p in data.people):  # others' results
        reads.record_read(
            user,
            reads.Kind.RESULTS_API,
            scope=reads.Scope.PROGRAMME,
            scope_id=instrument.programme_id,
            scope_label=f"{instrument.programme}: {instrument}",
        )
    rows: list[dict[str, object]] = []
    for p in data.people:
        for c in data.competences:
            cell = p.cell(c.pk)
            rows.append(
                {
                    "person_id": p.id,
                    "name": p.name,
                    "nip": p.nip,
                    "unit": p.unit,
                    "group": p.group,
                    "competence_id": c.pk,
                    "competence_code": c.code,
                    "pre": queries.show(cell.pre),
                    "pre_level": cell.pre_level,
                    "post": queries.show(cell.post),
                    "post_level": cell.post_level,
                    "gain": queries.show(cell.gain),
                    "normalised_gain": queries.show_g(cell.normalised),
                }
            )
    return rows


# ---------------------------------------------------------------- organisers' writes


class FrameworkIn(InputSchema):
    """The same shape as a framework YAML file; names as {"en": ..., "id": ...} or text."""

    code: str
    name: Any
    description: str = ""
    source: str = ""
    levels: list[dict[str, Any]]
    areas: list[dict[str, Any]]


class ChooseFrameworkIn(InputSchema):
    framework_id: Id


class InstrumentIn(InputSchema):
    kind: Instrument.Kind
    title: str
    instructions: str = ""
    scale: Instrument.Scale = Instrument.Scale.LEVELS
    time_limit_minutes: int | None = Field(None, ge=1, le=600)


class ItemIn(InputSchema):
    competence: str = Field(description="The competence's code in the framework")
    kind: Item.Kind
    text: str
    options: list[str] = Field(default_factory=list)
    correct: list[int] = Field(default_factory=list, description="Indexes of right options")
    points: int = Field(1, ge=1, le=100)


class ItemsIn(InputSchema):
    items: list[ItemIn]


class AdministrationIn(InputSchema):
    phase: Administration.Phase
    opens_at: AwareDateTimeIn
    closes_at: AwareDateTimeIn


def _organiser(user: User) -> None:
    if not is_organiser(user):
        raise forbidden()


@router.post(
    "/frameworks",
    response={201: FrameworkOut, **ERROR_RESPONSES},
    summary="Add an organiser's own framework",
    description="Every problem of the framework is named in `errors` (422).",
)
def create_framework(request: HttpRequest, payload: FrameworkIn) -> Status[Framework]:
    user = actor(request)
    _organiser(user)
    spec = frameworks_io.spec_from_mapping(payload.dict())
    problems = frameworks_io.validate(spec)
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(f"{p.where}.{p.field}", []).append(str(p.message))
        raise DjangoValidationError(errors)
    framework = services.create_framework(spec, owner_unit_of(user), acting_user=user)
    return Status(201, get_or_404(_frameworks(user), framework.pk))


@router.put(
    "/programmes/{programme_id}/framework",
    response={200: FrameworkOut, **ERROR_RESPONSES},
    summary="Choose the framework a programme works to",
)
def choose_framework(
    request: HttpRequest, programme_id: int, payload: ChooseFrameworkIn
) -> Framework:
    user = actor(request)
    programme = get_or_404(programmes_visible_to(user), programme_id)
    if not can_manage_programme(user, programme):
        raise forbidden()
    framework = referenced(frameworks_visible_to(user), payload.framework_id, "framework_id")
    services.set_programme_framework(programme, framework, acting_user=user)
    return get_or_404(_frameworks(user), framework.pk)


@router.post(
    "/programmes/{programme_id}/instruments",
    response={201: InstrumentOut, **ERROR_RESPONSES},
    summary="Create an instrument on the programme's framework",
)
def create_instrument(
    request: HttpRequest, programme_id: int, payload: InstrumentIn
) -> Status[dict[str, object]]:
    user = actor(request)
    programme = get_or_404(programmes_visible_to(user), programme_id)
    if not can_manage_programme(user, programme):
        raise forbidden()
    instrument = services.create_instrument(programme, **payload.dict(), acting_user=user)
    return Status(201, _instrument_out(user, get_or_404(_instruments(user), instrument.pk)))


def _managed_instrument(user: User, instrument_id: Id) -> Instrument:
    instrument = get_or_404(_instruments(user), instrument_id)
    if not can_manage_programme(user, instrument.programme):
        raise forbidden()
    return instrument


@router.post(
    "/instruments/{instrument_id}/items",
    response={201: InstrumentOut, **ERROR_RESPONSES},
    summary="Add items (all or none)",
)
def add_items(
    request: HttpRequest, instrument_id: Id, payload: ItemsIn
) -> Status[dict[str, object]]:
    user = actor(request)
    instrument = _managed_instrument(user, instrument_id)
    specs = [services.ItemSpec(**i.dict()) for i in payload.items]
    competences = services.competences_by_code(instrument)
    errors: dict[str, list[str]] = {}
    for n, spec in enumerate(specs):
        for field, message in services.check_item(instrument, spec, competences):
            errors.setdefault(f"items.{n}.{field}", []).append(str(message))
    if errors:
        raise DjangoValidationError(errors)
    services.add_items(instrument, specs, acting_user=user)
    return Status(201, _instrument_out(user, get_or_404(_instruments(user), instrument.pk)))


@router.post(
    "/instruments/{instrument_id}/administrations",
    response={201: AdministrationOut, **ERROR_RESPONSES},
    summary="Give the instrument as a pre-test or post-test",
)
def create_administration(
    request: HttpRequest, instrument_id: int, payload: AdministrationIn
) -> Status[Administration]:
    user = actor(request)
    instrument = _managed_instrument(user, instrument_id)
    administration = services.create_administration(instrument, **payload.dict(), acting_user=user)
    return Status(201, get_or_404(_administrations(user), administration.pk))
