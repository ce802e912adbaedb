"""Reads of notices: a person's email choices, the delivery logs (a person's own, a
person's for their organiser, a programme's) and a session's WhatsApp list."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from cakap.notices.models import Channel, Delivery, NoticeKind, NoticePreference
from cakap.notices.whatsapp import chat_url
from cakap.people.models import Person

PER_PAGE = 50


def email_preferences(person: Person) -> dict[str, bool]:
    """Per kind, whether `person` gets it by email."""
    off = set(
        NoticePreference.objects.filter(person=person, email=False).values_list("kind", flat=True)
    )
    return {k: k not in off for k in NoticeKind.values}


def deliveries_of(person: Person) -> QuerySet[Delivery]:
    return Delivery.objects.filter(person=person).order_by("-created_at", "-pk")


def programme_log(
    programme_id: int,
    *,
    person_id: int | None = None,
    kind: str = "",
    channel: str = "",
    state: str = "",
) -> QuerySet[Delivery]:
    """A programme's deliveries, newest first, with their person, filtered."""
    deliveries = Delivery.objects.for_programme(programme_id).select_related("person")
    if person_id is not None:
        deliveries = deliveries.filter(person_id=person_id)
    if kind:
        deliveries = deliveries.filter(kind=kind)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.order_by("-created_at", "-pk")


def state_counts(deliveries: QuerySet[Delivery]) -> dict[str, int]:
    """How many deliveries of the list are in each state (one query)."""
    rows = deliveries.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n")
    return dict(rows)


def page_of(deliveries: QuerySet[Delivery], number: str | int | None) -> Page[Delivery]:
    return Paginator(deliveries, PER_PAGE).get_page(number)


@dataclass(frozen=True)
class ChatRow:
    """One prepared WhatsApp message of the list, with its click-to-chat link."""

    delivery: Delivery
    url: str


def chat_rows(deliveries: Iterable[Delivery]) -> list[ChatRow]:
    """Each WhatsApp delivery with its wa.me link (none without a usable phone)."""
    return [ChatRow(d, chat_url(d.address, d.body) if d.address else "") for d in deliveries]


def whatsapp_for_session(session_id: int) -> list[ChatRow]:
    """The WhatsApp messages prepared for a session, by kind and person (one query)."""
    deliveries = (
        Delivery.objects.filter(session_ref=session_id, channel=Channel.WHATSAPP)
        .select_related("person")
        .order_by("kind", "person__name", "pk")
    )
    return chat_rows(deliveries)
