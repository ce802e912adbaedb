"""The notices' part of a person's data (UU 27/2022; cakap/core/personal_data.py): what
was sent to them (the delivery log) and their email choices for the export; the
deliveries whose audit entries (a chat opened) are their processing history; and, on
anonymising, the messages' text and the address they went to."""

from django.utils.translation import gettext_lazy as _

from cakap.core.personal_data import AuditRef, Table
from cakap.notices.models import Delivery, NoticeKind, NoticePreference
from cakap.people.models import Person, User


def export(person: Person) -> list[Table]:
    """The deliveries to the person and their per-kind email choices."""
    deliveries = Delivery.objects.filter(person=person).order_by("created_at", "pk")
    off = set(
        NoticePreference.objects.filter(person=person, email=False).values_list("kind", flat=True)
    )
    return [
        Table(
            "deliveries",
            _("Notices sent"),
            [
                ("kind", _("kind")),
                ("channel", _("channel")),
                ("state", _("state")),
                ("address", _("address")),
                ("subject", _("subject")),
                ("body", _("message")),
                ("created_at", _("created")),
                ("sent_at", _("sent")),
                ("opened_at", _("opened")),
            ],
            [
                {
                    "kind": d.get_kind_display(),
                    "channel": d.get_channel_display(),
                    "state": d.get_state_display(),
                    "address": d.address,
                    "subject": d.subject,
                    "body": d.body,
                    "created_at": d.created_at,
                    "sent_at": d.sent_at,
                    "opened_at": d.opened_at,
                }
                for d in deliveries
            ],
        ),
        Table(
            "notice_preferences",
            _("My notices"),
            [("kind", _("kind")), ("email", _("by email"))],
            [{"kind": str(label), "email": kind not in off} for kind, label in NoticeKind.choices],
        ),
    ]


def audit_refs(person: Person) -> list[AuditRef]:
    opened = Delivery.objects.filter(person=person, opened_at__isnull=False)
    return [("notices.delivery", opened.values_list("pk", flat=True))]


def anonymise(person: Person, *, acting_user: User | None) -> None:
    """Keep what went out, when and how (the counts); forget the text and the address."""
    Delivery.objects.filter(person=person).update(subject="", body="", address="", error="")
