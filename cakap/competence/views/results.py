"""Results pages: aggregates, the group heatmap, a participant's profile, item analysis
and the XLSX export. Every figure is computed over the people the reader may see."""

import hashlib
from fractions import Fraction
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cakap.competence import charts, exports, queries
from cakap.competence.access import (
    get_administration_for_user,
    get_instrument_for_user,
    get_participant_for_results,
    groups_for_results,
    participants_visible_to,
)
from cakap.competence.forms import ResultsFilterForm
from cakap.competence.models import Instrument
from cakap.competence.views.instruments import can_read_results
from cakap.people import reads
from cakap.people.identity import signed_in
from cakap.people.models import User

CHART_SECONDS = 24 * 3600


def _staff_instrument(user: User, pk: int) -> Instrument:
    instrument = get_instrument_for_user(user, pk)
    if not can_read_results(user, instrument.programme):
        raise Http404
    return instrument


def _pct(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _cached_chart(
    labels: list[str],
    pre: list[float | None],
    post: list[float | None],
    *,
    pre_label: str,
    post_label: str,
    axis_label: str,
) -> str:
    """The summary's bars, drawn once per set of numbers and words: the same data gives
    the same SVG (charts.py), and drawing it costs more than the rest of the page."""
    key = (
        "competence:bars:"
        + hashlib.sha256(
            repr((labels, pre, post, pre_label, post_label, axis_label)).encode()
        ).hexdigest()
    )
    chart = cache.get(key)
    if not isinstance(chart, str):
        chart = charts.data_uri(
            charts.pre_post_bars(
                labels,
                pre,
                post,
                pre_label=pre_label,
                post_label=post_label,
                axis_label=axis_label,
            )
        )
        cache.set(key, chart, CHART_SECONDS)
    return chart


@login_required
def instrument_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary first (the programme, per group and per unit, with the n behind each
    figure), then one page of the people, of one group or one unit if asked
    (`?group=`, `?unit=`, `?page=`): nothing on it grows with the whole roster."""
    user = signed_in(request)
    instrument = _staff_instrument(user, pk)
    people = participants_visible_to(user, instrument.programme)
    data = queries.results_summary(user, instrument, people=people)
    tables = [
        (_("Programme"), data.aggregate("programme")),
        (_("Groups"), data.aggregate("group")),
        (_("Units"), data.aggregate("unit")),
    ]
    programme_rows = tables[0][1]
    chart = ""
    if programme_rows and data.competences:
        row = programme_rows[0]
        chart = _cached_chart(
            [c.short for c in data.competences],
            [_pct(row.per_competence[c.pk].pre) for c in data.competences],
            [_pct(row.per_competence[c.pk].post) for c in data.competences],
            pre_label=_("Pre-test"),
            post_label=_("Post-test"),
            axis_label=_("Mean score (%) of people with both"),
        )
    filters = ResultsFilterForm(
        request.GET,
        groups=[(r.key, r.label) for r in data.aggregate("group")],
        units=[(r.key, r.label) for r in data.aggregate("unit")],
    )
    group_id = unit_id = None
    if filters.is_valid():
        group_id, unit_id = filters.cleaned_data["group"], filters.cleaned_data["unit"]
    page = queries.people_page(
        user,
        instrument,
        group_id=group_id,
        unit_id=unit_id,
        page=request.GET.get("page"),
        people=people,
    )
    query = urlencode({k: v for k, v in (("group", group_id), ("unit", unit_id)) if v is not None})
    return render(
        request,
        "competence/results.html",
        {
            "instrument": instrument,
            "programme": instrument.programme,
            "data": data,
            "tables": tables,
            "chart": chart,
            "heatmaps": set(
                groups_for_results(user, instrument.programme).values_list("pk", flat=True)
            ),
            "filters": filters,
            "page": page,
            "people": page.object_list,
            "query": query,
        },
    )


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbook of every score in scope and the aggregates (built on the request)."""
    user = signed_in(request)
    instrument = _staff_instrument(user, pk)
    reads.record_read(
        user,
        reads.Kind.RESULTS_FILE,
        scope=reads.Scope.PROGRAMME,
        scope_id=instrument.programme_id,
        scope_label=f"{instrument.programme}: {instrument}",
        detail="xlsx",
    )
    response = HttpResponse(
        exports.results_workbook(user, instrument),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="results-{instrument.pk}.xlsx"'
    return response


@login_required
def heatmap(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    """The coach's view of a group: participants by competences, latest phase by default."""
    user = signed_in(request)
    instrument = _staff_instrument(user, pk)
    group = groups_for_results(user, instrument.programme).filter(pk=group_pk).first()
    if group is None:
        raise Http404
    data = queries.instrument_results(user, instrument, group_id=group.pk)
    phase = request.GET.get("phase") or data.latest_phase()
    if phase not in (queries.PRE, queries.POST):
        phase = queries.PRE

    def value(person: queries.PersonResult, competence_id: int) -> Fraction | None:
        cell = person.cell(competence_id)
        return cell.pre if phase == queries.PRE else cell.post

    matrix = [[_pct(value(p, c.pk)) for c in data.competences] for p in data.people]
    rows = [
        {
            "person": p,
            "cells": [
                (
                    queries.show(value(p, c.pk)),
                    p.cell(c.pk).pre_level if phase == queries.PRE else p.cell(c.pk).post_level,
                )
                for c in data.competences
            ],
        }
        for p in data.people
    ]
    chart = ""
    if data.people and data.competences:
        chart = charts.data_uri(
            charts.heatmap(
                [p.name for p in data.people],
                [c.label for c in data.competences],
                matrix,
                colour_label=_("Score (%)"),
            )
        )
    return render(
        request,
        "competence/heatmap.html",
        {
            "instrument": instrument,
            "group": group,
            "data": data,
            "rows": rows,
            "phase": phase,
            "chart": chart,
        },
    )


@login_required
def profile(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """A participant's pre and post per competence, and three competences to focus on."""
    user = signed_in(request)
    instrument = get_instrument_for_user(user, pk)
    person = get_participant_for_results(user, instrument.programme, person_pk)
    data = queries.instrument_results(user, instrument, person_id=person.pk)
    me = next((p for p in data.people if p.id == person.pk), None)
    if me is None:
        raise Http404
    if person.user_id != user.pk:
        reads.record_read(
            user,
            reads.Kind.COMPETENCE_PROFILE,
            scope=reads.Scope.PERSON,
            scope_id=person.pk,
            person_id=person.pk,
            detail=str(instrument)[:100],
        )
    rows: list[dict[str, object]] = [
        {
            "competence": c,
            "cell": me.cell(c.pk),
            "pre": queries.show(me.cell(c.pk).pre),
            "post": queries.show(me.cell(c.pk).post),
            "gain": queries.show(me.cell(c.pk).gain),
            "normalised": queries.show_g(me.cell(c.pk).normalised),
        }
        for c in data.competences
    ]
    chart = ""
    if any(me.cell(c.pk).latest is not None for c in data.competences):
        chart = charts.data_uri(
            charts.pre_post_bars(
                [c.short for c in data.competences],
                [_pct(me.cell(c.pk).pre) for c in data.competences],
                [_pct(me.cell(c.pk).post) for c in data.competences],
                pre_label=_("Pre-test"),
                post_label=_("Post-test"),
                axis_label=_("Score (%)"),
            )
        )
    return render(
        request,
        "competence/profile.html",
        {
            "instrument": instrument,
            "person": person,
            "rows": rows,
            "focus": queries.weakest(me, data.competences),
            "chart": chart,
            "is_self": person.user_id == user.pk,
        },
    )


@login_required
def item_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    instrument = administration.instrument
    if instrument.kind != Instrument.Kind.KNOWLEDGE or not can_read_results(
        user, instrument.programme
    ):
        raise Http404
    return render(
        request,
        "competence/item_analysis.html",
        {
            "administration": administration,
            "instrument": instrument,
            "rows": queries.item_analysis(user, administration),
        },
    )
