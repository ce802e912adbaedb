"""Competence's part of a person's data (UU 27/2022; cakap/core/personal_data.py): their
assessments (attempts), answers and scores per competence, and the observations they
made as a coach (named by instrument, not by whom they observed); and the activity that
keeps a record. Answers are option numbers and scale values, so anonymising the person
leaves nothing here to remove."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cakap.competence.models import Answer, Attempt, CompetenceScore
from cakap.core.personal_data import AuditRef, Table
from cakap.people.models import Person


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def export(person: Person) -> list[Table]:
    """Attempts with their times, the answers given and the scores per competence."""
    attempts = (
        Attempt.objects.filter(person=person)
        .select_related("administration__instrument__programme", "observer")
        .order_by("started_at", "pk")
    )
    answers = (
        Answer.objects.filter(attempt__person=person)
        .select_related("attempt__administration__instrument", "item")
        .order_by("attempt_id", "item__order", "item_id")
    )
    scores = (
        CompetenceScore.objects.filter(attempt__person=person)
        .select_related("attempt__administration__instrument", "competence")
        .order_by("attempt_id", "competence__code")
    )
    observed = (
        Attempt.objects.filter(observer=person)
        .select_related("administration__instrument__programme")
        .order_by("started_at", "pk")
    )
    instrument = _("instrument")
    phase = _("phase")
    return [
        Table(
            "assessments",
            _("Assessments"),
            [
                ("programme", _("programme")),
                ("instrument", instrument),
                ("phase", phase),
                ("started_at", _("started at")),
                ("deadline", _("time is up at")),
                ("submitted_at", _("submitted at")),
                ("closed_automatically", _("closed automatically")),
                ("observer", _("observed by")),
            ],
            [
                {
                    "programme": a.administration.instrument.programme.title,
                    "instrument": a.administration.instrument.title,
                    "phase": a.administration.get_phase_display(),
                    "started_at": a.started_at,
                    "deadline": a.deadline,
                    "submitted_at": a.submitted_at,
                    "closed_automatically": a.closed_automatically,
                    "observer": a.observer.full_name if a.observer else "",
                }
                for a in attempts
            ],
        ),
        Table(
            "answers",
            _("Answers"),
            [
                ("instrument", instrument),
                ("phase", phase),
                ("item", _("item")),
                ("value", _("answer")),
                ("answered_at", _("answered at")),
            ],
            [
                {
                    "instrument": a.attempt.administration.instrument.title,
                    "phase": a.attempt.administration.get_phase_display(),
                    "item": a.item.text[:200],
                    "value": _value(a.value),
                    "answered_at": a.answered_at,
                }
                for a in answers
            ],
        ),
        Table(
            "results",
            _("Results per competence"),
            [
                ("instrument", instrument),
                ("phase", phase),
                ("competence", _("competence")),
                ("earned", _("points earned")),
                ("possible", _("points possible")),
                ("percent", _("percent")),
                ("level", _("level")),
            ],
            [
                {
                    "instrument": s.attempt.administration.instrument.title,
                    "phase": s.attempt.administration.get_phase_display(),
                    "competence": f"{s.competence.code} {s.competence.label}",
                    "earned": s.earned,
                    "possible": s.possible,
                    "percent": s.percent,
                    "level": s.level,
                }
                for s in scores
            ],
        ),
        Table(
            "observations_made",
            _("Observations made as a coach"),
            [
                ("programme", _("programme")),
                ("instrument", instrument),
                ("phase", phase),
                ("started_at", _("started at")),
            ],
            [
                {
                    "programme": a.administration.instrument.programme.title,
                    "instrument": a.administration.instrument.title,
                    "phase": a.administration.get_phase_display(),
                    "started_at": a.started_at,
                }
                for a in observed
            ],
        ),
    ]


def audit_refs(person: Person) -> list[AuditRef]:
    return [
        (
            "competence.attempt",
            Attempt.objects.filter(person=person).values_list("pk", flat=True),
        )
    ]


def active_since(since: datetime.datetime) -> QuerySet[Person]:
    """People who started or submitted an assessment, or were observed, since `since`."""
    return Person.objects.filter(
        pk__in=Attempt.objects.filter(Q(started_at__gte=since) | Q(submitted_at__gte=since)).values(
            "person_id"
        )
    )
