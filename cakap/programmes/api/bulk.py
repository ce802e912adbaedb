"""API for enrolling, moving and withdrawing many at once (cakap.programmes.services.
enrolments): per item, in the order sent, what happened to it.

Mounted beside the programmes router (cakap.api) with the same tag; the operation ids
are pinned to those the operations had in cakap.programmes.api, so that the schema does
not change with the module they are in.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cakap.core.api_support import ERROR_RESPONSES, Id, InputSchema, referenced
from cakap.core.lookups import get_or_404
from cakap.people.api import PersonRef
from cakap.people.identity import actor
from cakap.people.models import Person, User
from cakap.programmes.access import groups_visible_to, people_enrollable_by, programmes_visible_to
from cakap.programmes.api import GroupRef, _managed
from cakap.programmes.models import Enrolment, Group, Programme
from cakap.programmes.outcomes import CHANGED, Outcome, outcome_message
from cakap.programmes.paste import read_nip_list
from cakap.programmes.queries import PasteLine, preview_pasted_nips, preview_people
from cakap.programmes.services.enrolments import (
    BULK_LIMIT,
    EnrolmentResult,
    enrol_people,
    move_participants,
    withdraw_participants,
)

router = Router(tags=["programmes"])


# ---------------------------------------------------------------- schemas


class BulkEnrolIn(InputSchema):
    person_ids: list[Id] = Field(
        default_factory=list, max_length=BULK_LIMIT, description="People to enrol, by id"
    )
    nips: list[str] = Field(
        default_factory=list,
        max_length=BULK_LIMIT,
        description="Or by NIP, one per item, with or without spaces or dots",
    )
    dry_run: bool = Field(False, description="Answer what would happen; change nothing")


class BulkEnrolmentsIn(InputSchema):
    enrolment_ids: list[Id] = Field(min_length=1, max_length=BULK_LIMIT)
    reason: str = Field(description="Required; kept in the enrolment history")


class BulkMoveIn(BulkEnrolmentsIn):
    to_group_id: Id = Field(description="A group of the same programme")


class BulkItemOut(Schema):
    index: int = Field(description="The item's position in the list sent, from 1")
    input: str = Field(description="The id or NIP as sent")
    person: PersonRef | None = Field(description="Null when the item names nobody you may enrol")
    outcome: Outcome
    message: str
    enrolment_id: int | None = Field(description="The enrolment in force afterwards")
    group: GroupRef | None = Field(description="The group of that enrolment")


class BulkOut(Schema):
    dry_run: bool
    changed: int = Field(description="Items that changed something")
    items: list[BulkItemOut]


# ---------------------------------------------------------------- operations


def _item(
    index: int,
    given: str,
    outcome: Outcome,
    message: str,
    person: Person | None,
    enrolment: Enrolment | None,
) -> dict[str, Any]:
    return {
        "index": index,
        "input": given,
        "person": person,
        "outcome": outcome,
        "message": message,
        "enrolment_id": enrolment.pk if enrolment else None,
        "group": enrolment.group if enrolment else None,
    }


def _result_item(index: int, given: str, result: EnrolmentResult) -> dict[str, Any]:
    return _item(index, given, result.outcome, result.message, result.person, result.enrolment)


def _lines_for_ids(user: User, group: Group, ids: list[int]) -> list[PasteLine]:
    found = {
        p.pk: p for p in people_enrollable_by(user).filter(pk__in=set(ids)).select_related("unit")
    }
    first: dict[int, int] = {}
    unique = [found[pk] for pk in dict.fromkeys(ids) if pk in found]
    previews = {line.person.pk: line for line in preview_people(group, unique) if line.person}
    lines = []
    for index, pk in enumerate(ids, start=1):
        if pk in first:
            lines.append(PasteLine(index, str(pk), Outcome.REPEATED, first_line=first[pk]))
            continue
        first[pk] = index
        if pk not in found:
            lines.append(PasteLine(index, str(pk), Outcome.UNKNOWN_PERSON))
            continue
        seen = previews[pk]
        lines.append(
            PasteLine(
                index,
                str(pk),
                seen.outcome,
                seen.person,
                seen.group_name,
                enrolment=seen.enrolment,
            )
        )
    return lines


@router.post(
    "/groups/{group_id}/enrolments",
    response={200: BulkOut, **ERROR_RESPONSES},
    summary="Enrol many people in a group",
    description=(
        "Send `person_ids` or `nips` (one of them). Answers what happened to each item, in "
        "the order sent: `enrolled`, `already_in_group`, `in_other_group` (not moved), "
        "`unknown_person`, `unknown_nip`, `out_of_scope` (a NIP of someone outside your "
        "units), `malformed` (not a valid NIP) or `repeated`. With `dry_run` nothing "
        "changes and people who would join answer `will_enrol`. One transaction; "
        "repeating the request enrols nobody twice."
    ),
    operation_id="cakap_programmes_api_enrol_many",
)
def enrol_many(request: HttpRequest, group_id: Id, payload: BulkEnrolIn) -> dict[str, Any]:
    user = actor(request)
    group = get_or_404(groups_visible_to(user).select_related("programme"), group_id)
    _managed(user, group.programme_id)
    if bool(payload.person_ids) == bool(payload.nips):
        raise DjangoValidationError(
            {"person_ids": [_("Send either person_ids or nips, and at least one.")]}
        )
    if payload.nips:
        lines = preview_pasted_nips(people_enrollable_by(user), group, read_nip_list(payload.nips))
    else:
        lines = _lines_for_ids(user, group, payload.person_ids)
    joining = [line.person for line in lines if line.outcome == Outcome.WILL_ENROL and line.person]
    results: dict[int, EnrolmentResult] = {}
    if joining and not payload.dry_run:
        results = {r.person.pk: r for r in enrol_people(group, joining, acting_user=user)}
    items = []
    for line in lines:
        if (
            line.person is not None
            and line.person.pk in results
            and line.outcome == Outcome.WILL_ENROL
        ):
            items.append(_result_item(line.line, line.text, results[line.person.pk]))
        else:
            items.append(
                _item(line.line, line.text, line.outcome, line.message, line.person, line.enrolment)
            )
    changed = sum(1 for i in items if i["outcome"] in CHANGED)
    return {"dry_run": payload.dry_run, "changed": changed, "items": items}


def _bulk_targets(
    user: User, programme_id: Id, ids: list[int]
) -> tuple[Programme, list[Enrolment]]:
    """The managed programme and its enrolments named by `ids`, in order, once each."""
    programme = get_or_404(programmes_visible_to(user), programme_id)
    _managed(user, programme.pk)
    found = {e.pk: e for e in Enrolment.objects.filter(programme=programme, pk__in=set(ids))}
    return programme, [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def _bulk_answer(
    ids: list[int], results: list[EnrolmentResult], enrolments: list[Enrolment]
) -> dict[str, Any]:
    by_id = {e.pk: r for e, r in zip(enrolments, results, strict=True)}
    items = []
    first: dict[int, int] = {}
    for index, pk in enumerate(ids, start=1):
        if pk in first:
            items.append(
                _item(
                    index,
                    str(pk),
                    Outcome.REPEATED,
                    outcome_message(Outcome.REPEATED, line=first[pk]),
                    None,
                    None,
                )
            )
            continue
        first[pk] = index
        if pk in by_id:
            items.append(_result_item(index, str(pk), by_id[pk]))
        else:
            items.append(
                _item(
                    index,
                    str(pk),
                    Outcome.NOT_FOUND,
                    outcome_message(Outcome.NOT_FOUND),
                    None,
                    None,
                )
            )
    changed = sum(1 for i in items if i["outcome"] in CHANGED)
    return {"dry_run": False, "changed": changed, "items": items}


@router.post(
    "/programmes/{programme_id}/enrolments/move",
    response={200: BulkOut, **ERROR_RESPONSES},
    summary="Move many participants to another group of the programme",
    description=(
        "Each old enrolment ends with status moved and the reason; a new active one starts "
        "in the target group. Per item: `moved`, `already_moved` (a repeat), "
        "`already_in_group`, `not_active` (ended) or `not_found` (not of this programme)."
    ),
    operation_id="cakap_programmes_api_move_many",
)
def move_many(request: HttpRequest, programme_id: Id, payload: BulkMoveIn) -> dict[str, Any]:
    user = actor(request)
    programme, enrolments = _bulk_targets(user, programme_id, payload.enrolment_ids)
    to_group = referenced(programme.groups.all(), payload.to_group_id, "to_group_id")
    results = move_participants(enrolments, to_group, payload.reason, acting_user=user)
    return _bulk_answer(payload.enrolment_ids, results, enrolments)


@router.post(
    "/programmes/{programme_id}/enrolments/withdraw",
    response={200: BulkOut, **ERROR_RESPONSES},
    summary="Withdraw many participants, with a reason",
    description=(
        "Per item: `withdrawn`, `already_withdrawn` (a repeat), `not_active` (ended by a "
        "move) or `not_found` (not of this programme)."
    ),
    operation_id="cakap_programmes_api_withdraw_many",
)
def withdraw_many(
    request: HttpRequest, programme_id: Id, payload: BulkEnrolmentsIn
) -> dict[str, Any]:
    user = actor(request)
    _programme, enrolments = _bulk_targets(user, programme_id, payload.enrolment_ids)
    results = withdraw_participants(enrolments, payload.reason, acting_user=user)
    return _bulk_answer(payload.enrolment_ids, results, enrolments)
