"""Programmes' part of a person's data (UU 27/2022; cakap/core/personal_data.py): their
enrolments with their history, and the groups and sessions they coach; the activity
that keeps a record; and clearing the free text of their enrolments."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cakap.core.personal_data import AuditRef, Table
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment, Group, Session


def export(person: Person) -> list[Table]:
    """Enrolments (current and ended, with the reason), and what the person coaches."""
    enrolments = (
        Enrolment.objects.filter(person=person)
        .select_related("programme", "group")
        .order_by("enrolled_at", "pk")
    )
    coached = (
        Group.objects.filter(coaches=person).select_related("programme").order_by("programme_id")
    )
    sessions = (
        Session.objects.filter(coach=person)
        .select_related("group__programme")
        .order_by("starts_at", "pk")
    )
    return [
        Table(
            "enrolments",
            _("Enrolments and their history"),
            [
                ("programme", _("programme")),
                ("group", _("group")),
                ("status", _("status")),
                ("enrolled_at", _("enrolled at")),
                ("ended_at", _("ended at")),
                ("end_reason", _("reason")),
            ],
            [
                {
                    "programme": e.programme.title,
                    "group": e.group.name,
                    "status": e.get_status_display(),
                    "enrolled_at": e.enrolled_at,
                    "ended_at": e.ended_at,
                    "end_reason": e.end_reason,
                }
                for e in enrolments
            ],
        ),
        Table(
            "coached_groups",
            _("Groups coached"),
            [("programme", _("programme")), ("group", _("group"))],
            [{"programme": g.programme.title, "group": g.name} for g in coached],
        ),
        Table(
            "coached_sessions",
            _("Sessions coached"),
            [
                ("programme", _("programme")),
                ("group", _("group")),
                ("starts_at", _("starts at")),
                ("status", _("status")),
            ],
            [
                {
                    "programme": s.group.programme.title,
                    "group": s.group.name,
                    "starts_at": s.starts_at,
                    "status": s.get_status_display(),
                }
                for s in sessions
            ],
        ),
    ]


def audit_refs(person: Person) -> list[AuditRef]:
    return [
        (
            "programmes.enrolment",
            Enrolment.objects.filter(person=person).values_list("pk", flat=True),
        )
    ]


def active_since(since: datetime.datetime) -> QuerySet[Person]:
    """People enrolled, or whose enrolment ended, since `since`; people enrolled in or
    coaching a programme that ends after it; people coaching a session since then."""
    day = since.date()
    return Person.objects.filter(
        Q(enrolments__enrolled_at__gte=since)
        | Q(enrolments__ended_at__gte=since)
        | Q(enrolments__programme__end_date__gte=day)
        | Q(coached_groups__programme__end_date__gte=day)
        | Q(coached_sessions__starts_at__gte=since)
    )


def anonymise(person: Person, *, acting_user: User | None) -> None:
    """Clear the free-text reasons of the person's ended enrolments (a withdrawal's
    reason may say why); the enrolments stay for the counts."""
    Enrolment.objects.filter(person=person).exclude(end_reason="").update(end_reason="")
