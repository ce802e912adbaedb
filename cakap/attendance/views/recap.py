"""The recaps: a programme's summary with one page of its participants, the at-risk list,
one group's heatmap (its recap matrix), and their files. Organisers and coaches run them;
leaders read them for the participants of their units (access.RecapView), with nothing
on the page that changes anything and no files.

The programme's pages take the filters `group`, `unit` (the unit and its subtree),
`status` (overview.STATUS_CHOICES) and `page`, which the leader's dashboard links with.
"""

from collections.abc import Sequence
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.attendance import exports, overview, queries
from cakap.attendance.access import (
    RecapView,
    get_group_for_recap,
    get_group_recap,
    get_programme_for_recap,
    get_programme_recap,
)
from cakap.attendance.forms import RecapFilterForm
from cakap.people import reads
from cakap.people.identity import signed_in
from cakap.programmes.models import Programme

type Choices = Sequence[tuple[str, str | Promise]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVERYONE = [("", _("Everyone")), *overview.STATUS_CHOICES]
RISKS = [(k, v) for k, v in overview.STATUS_CHOICES if k in overview.RISK_STATUSES]


def _file(request: HttpRequest, recap: queries.Recap, fmt: str, stem: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope = recap.group or recap.programme
    reads.record_read(
        request.user,
        reads.Kind.RECAP_FILE,
        scope=reads.Scope.GROUP if recap.group else reads.Scope.PROGRAMME,
        scope_id=scope.pk,
        scope_label=str(scope),
        detail=fmt,
    )
    if fmt == "csv":
        response = HttpResponse(
            "\ufeff" + exports.recap_csv(recap), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(exports.recap_xlsx(recap), content_type=XLSX)
    filename = f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def recap_group_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    group = get_group_for_recap(signed_in(request), pk)
    return _file(request, queries.recap_for_group(group), fmt, f"recap-group-{group.pk}")


@login_required
def recap_programme_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    programme = get_programme_for_recap(signed_in(request), pk)
    recap = queries.recap_for_programme(programme)
    return _file(request, recap, fmt, f"recap-programme-{programme.pk}")


def _column_heads(recap: queries.Recap) -> list[dict[str, object]]:
    return [
        {"column": c, "label": exports.column_label(recap, c), "total": t}
        for c, t in zip(recap.columns, recap.totals, strict=True)
    ]


@login_required
def recap_group(request: HttpRequest, pk: int) -> HttpResponse:
    """One group's heatmap: everyone of the group by its sessions (a leader: the
    participants of their units). Bounded by the group, whatever the programme's size."""
    group, view = get_group_recap(signed_in(request), pk)
    recap = queries.recap_for_group(group, view.people)
    return render(
        request,
        "attendance/recap_matrix.html",
        {
            "recap": recap,
            "programme": recap.programme,
            "group": group,
            "columns": _column_heads(recap),
            "letters": [(queries.LETTERS[s], s.label) for s in queries.STATUS_ORDER],
            "runs": view.runs,
        },
    )


def _overview(
    request: HttpRequest, programme: Programme, view: RecapView, statuses: Choices
) -> tuple[overview.Overview, RecapFilterForm]:
    groups = {g.pk: g for g in programme.groups.order_by("name")}
    form = RecapFilterForm(request.GET, groups=groups, statuses=statuses)
    form.is_valid()
    filters = form.filters()
    if not filters.status and statuses is RISKS:
        filters = overview.Filters(filters.group, filters.unit, overview.AT_RISK)
    return overview.overview(programme, view.people, filters, groups), form


def _context(found: overview.Overview, form: RecapFilterForm, page: object) -> dict[str, object]:
    filters = found.filters
    return {
        "programme": found.programme,
        "found": found,
        "form": form,
        "filters": filters,
        "page": page,
        "query": urlencode(filters.query()),
        "up": filters.unit.parent if filters.unit else None,
        "errors": [e for errors in form.errors.values() for e in errors],
    }


@login_required
def recap_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's recap: the summary per group and per unit, then one page of the
    participants' matrix by meeting number."""
    programme, view = get_programme_recap(signed_in(request), pk)
    found, form = _overview(request, programme, view, EVERYONE)
    page = Paginator(found.entries, overview.PER_PAGE).get_page(request.GET.get("page"))
    recap = overview.page_recap(programme, list(page))
    return render(
        request,
        "attendance/recap_programme.html",
        {
            **_context(found, form, page),
            "recap": recap,
            "columns": _column_heads(recap),
            "letters": [(queries.LETTERS[s], s.label) for s in queries.STATUS_ORDER],
            "runs": view.runs,
        },
    )


@login_required
def risk_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants below the target pace or no longer able to reach the target, those
    who cannot first; a page at a time, with the summary of the scope."""
    programme, view = get_programme_recap(signed_in(request), pk)
    found, form = _overview(request, programme, view, RISKS)
    page = Paginator(found.at_risk_first(), overview.PER_PAGE).get_page(request.GET.get("page"))
    people = overview.page_people(page)
    rows = [(e, people[e.enrolment_id]) for e in page if e.enrolment_id in people]
    return render(
        request,
        "attendance/risk_list.html",
        {**_context(found, form, page), "rows": rows, "runs": view.runs},
    )
