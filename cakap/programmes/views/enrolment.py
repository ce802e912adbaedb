"""Bulk enrolment pages of a group: pick many people from a filtered list, paste a
column of NIPs (preview, then confirm), and move or withdraw many participants.

Each page is for the programme's organisers (the managed scope; 404 otherwise), offers
only people of the organiser's own units (`people_enrollable_by`), writes through
cakap.programmes.services.enrolments, and answers with what happened per person.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cakap.people.access import units_managed_by
from cakap.people.identity import signed_in
from cakap.people.models import Person, User
from cakap.programmes.access import get_managed_group, people_enrollable_by
from cakap.programmes.forms import CandidateFilterForm, ChangeManyForm, PasteForm, PickForm
from cakap.programmes.models import Enrolment, Group
from cakap.programmes.outcomes import CHANGED, FINE, Outcome
from cakap.programmes.paste import read_pasted_nips
from cakap.programmes.queries import (
    CandidateFilter,
    PasteLine,
    enrolment_candidates,
    preview_pasted_nips,
)
from cakap.programmes.services import ProgrammesError
from cakap.programmes.services.enrolments import (
    BULK_LIMIT,
    EnrolmentResult,
    enrol_people,
    move_participants,
    withdraw_participants,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    """One line of a result page: the person (when known), what was asked, what happened."""

    outcome: Outcome
    message: str
    person: Person | None = None
    text: str = ""
    line: int | None = None

    @property
    def fine(self) -> bool:
        return self.outcome in FINE


def _row(result: EnrolmentResult, line: PasteLine | None = None) -> Row:
    return Row(
        result.outcome,
        result.message,
        result.person,
        line.text if line else "",
        line.line if line else None,
    )


def _results_page(
    request: HttpRequest, group: Group, rows: list[Row], *, title: str, again: str
) -> HttpResponse:
    """What happened, per person: the ones that need a look first, then the rest."""
    changed = sum(1 for r in rows if r.outcome in CHANGED)
    ordered = [r for r in rows if not r.fine] + [r for r in rows if r.fine]
    return render(
        request,
        "programmes/enrol_result.html",
        {
            "group": group,
            "programme": group.programme,
            "rows": ordered,
            "changed": changed,
            "unchanged": len(rows) - changed,
            "problems": sum(1 for r in rows if not r.fine),
            "title": title,
            "again": again,
            "show_lines": any(r.line is not None for r in rows),
        },
    )


# Pick from a filtered list -----------------------------------------------------------------


def _candidates(
    user: User, group: Group, form: CandidateFilterForm
) -> tuple[QuerySet[Person], bool]:
    """The people the (valid) filter form selects, and whether it was valid."""
    if not form.is_valid():
        return Person.objects.none(), False
    chosen: CandidateFilter = form.candidate_filter()
    return enrolment_candidates(people_enrollable_by(user), group.programme, chosen), True


def _picked(
    request: HttpRequest, user: User, candidates: QuerySet[Person], valid: bool
) -> tuple[list[Person], str]:
    """The people the POST chose (ticked, or everyone matching), or why it cannot be."""
    pick = PickForm(request.POST)
    if not valid or not pick.is_valid():
        return [], _("The choice could not be read; tick the people again.")
    if pick.cleaned_data["scope"] == "all":
        people = list(candidates[: BULK_LIMIT + 1])
        expected = pick.cleaned_data.get("expected")
        if expected is not None and expected != len(people):
            return [], _(
                "The list changed while you looked at it: %(n)s people match now. "
                "Check the list and choose again."
            ) % {"n": len(people)}
        if not people:
            return [], _("Nobody matches this filter.")
        return people, ""
    ids = pick.cleaned_data["person"]
    if not ids:
        return [], _("Tick at least one person, or choose everyone matching the filter.")
    people = list(people_enrollable_by(user).filter(pk__in=ids))
    if len(people) != len(ids):
        return [], _("Some of the people ticked are not in your units; nobody was enrolled.")
    return people, ""


@login_required
def group_enrol_many(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = get_managed_group(user, pk)
    posted = request.method == "POST"
    filters = CandidateFilterForm(
        request.POST if posted else request.GET, units=units_managed_by(user)
    )
    candidates, valid = _candidates(user, group, filters)
    error = ""
    if posted:
        people, error = _picked(request, user, candidates, valid)
        if not error:
            try:
                results = enrol_people(group, people, acting_user=user)
            except ProgrammesError as refused:
                error = str(refused.message)
            else:
                return _results_page(
                    request,
                    group,
                    [_row(r) for r in results],
                    title=_("Enrolment in group %(group)s") % {"group": group.name},
                    again=request.get_full_path(),
                )
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/enrol_pick.html",
        {
            "group": group,
            "programme": group.programme,
            "filters": filters,
            "page": page,
            "people": page.object_list,
            "total": page.paginator.count,
            "filter_query": filters.query_string() if valid else "",
            "filter_values": [(k, v) for k, v in filters.cleaned_data.items() if v]
            if valid
            else [],
            "active_filters": sum(
                1 for k, v in filters.cleaned_data.items() if v and k != "in_programme"
            )
            if valid
            else 0,
            "error": error,
            "limit": BULK_LIMIT,
        },
        status=400 if error else 200,
    )


# Paste a column of NIPs ---------------------------------------------------------------------


@login_required
def group_enrol_paste(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = get_managed_group(user, pk)
    form = PasteForm(request.POST or None)
    lines: list[PasteLine] | None = None
    if request.method == "POST" and form.is_valid():
        entries = read_pasted_nips(form.cleaned_data["nips"])
        if not entries:
            form.add_error("nips", _("Paste at least one NIP."))
        elif len(entries) > BULK_LIMIT:
            form.add_error(
                "nips",
                _("At most %(limit)s people at once; narrow the filter or split the list.")
                % {"limit": f"{BULK_LIMIT:,}".replace(",", ".")},
            )
        else:
            lines = preview_pasted_nips(people_enrollable_by(user), group, entries)
            if form.cleaned_data["action"] == "confirm":
                try:
                    response = _confirm_paste(request, group, lines, user)
                except ProgrammesError as refused:
                    form.add_error(None, str(refused.message))
                else:
                    if response is not None:
                        return response
                    form.add_error(None, _("Nobody on the list can be enrolled; see each line."))
    counts: dict[str, int] = {}
    for line in lines or []:
        counts[line.outcome] = counts.get(line.outcome, 0) + 1
    ready = counts.get(Outcome.WILL_ENROL, 0)
    return render(
        request,
        "programmes/enrol_paste.html",
        {
            "group": group,
            "programme": group.programme,
            "form": form,
            "lines": lines,
            "ready": ready,
            "ready_label": ngettext("Enrol %(n)s person", "Enrol %(n)s people", ready)
            % {"n": ready},
            "problems": sum(1 for line in lines or [] if line.outcome not in FINE),
            "nips": form.data.get("nips", "") if form.is_bound else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _confirm_paste(
    request: HttpRequest, group: Group, lines: list[PasteLine], user: User
) -> HttpResponse | None:
    to_enrol = [line.person for line in lines if line.outcome == Outcome.WILL_ENROL and line.person]
    if not to_enrol:
        return None
    results = {r.person.pk: r for r in enrol_people(group, to_enrol, acting_user=user)}
    rows = []
    for line in lines:
        if line.outcome == Outcome.WILL_ENROL and line.person is not None:
            rows.append(_row(results[line.person.pk], line))
        else:
            rows.append(Row(line.outcome, line.message, line.person, line.text, line.line))
    return _results_page(
        request,
        group,
        rows,
        title=_("Enrolment in group %(group)s") % {"group": group.name},
        again=request.path,
    )


# Move or withdraw many ----------------------------------------------------------------------


@login_required
def group_change_many(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = get_managed_group(user, pk)
    other_groups = group.programme.groups.exclude(pk=group.pk).order_by("name")
    form = ChangeManyForm(request.POST or None, groups=other_groups)
    if request.method == "POST" and form.is_valid():
        ids = form.cleaned_data["enrolment"]
        # Ended enrolments of the group too: a repeated request answers what was done.
        chosen = list(Enrolment.objects.filter(group=group, pk__in=ids))
        if len(chosen) != len(ids):
            form.add_error(None, _("Some of the participants ticked are not in this group."))
        else:
            try:
                if form.cleaned_data["action"] == "move":
                    results = move_participants(
                        chosen,
                        form.cleaned_data["to_group"],
                        form.cleaned_data["reason"],
                        acting_user=user,
                    )
                    title = _("Moved to group %(group)s") % {
                        "group": form.cleaned_data["to_group"].name
                    }
                else:
                    results = withdraw_participants(
                        chosen, form.cleaned_data["reason"], acting_user=user
                    )
                    title = _("Withdrawn from group %(group)s") % {"group": group.name}
            except ProgrammesError as error:
                form.add_error(None, str(error.message))
            else:
                return _results_page(
                    request, group, [_row(r) for r in results], title=title, again=request.path
                )
    ticked = set(form.data.getlist("enrolment")) if form.is_bound else set()
    active = (
        Enrolment.objects.active()
        .filter(group=group)
        .select_related("person__unit")
        .order_by("person__name", "pk")
    )
    return render(
        request,
        "programmes/enrol_change.html",
        {
            "group": group,
            "programme": group.programme,
            "form": form,
            "active": active,
            "ticked": ticked,
            "other_groups": other_groups,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
