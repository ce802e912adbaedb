"""Writes of notices: making deliveries (`notify`, `notify_many`), a person's email
opt-outs (`set_email_preferences`) and the WhatsApp list's "opened" (`mark_opened`).

Producers (attendance's and competence's reminders) call `notify_many` with the notices
of one run. Each (key, person, channel) is written at most once: what exists is read
first, the rest inserted in one statement, and a race with another run falls back to
one insert at a time that skips what the other wrote. An email delivery is queued and
sent by a background task after the transaction commits; a WhatsApp delivery is
prepared for the click-to-chat list; an opted-out email or a missing address is logged
as skipped, so the organiser sees why nothing went. Deliveries are the system's own log
and write no audit entry each; a person's change of preferences and a coach's opening of
a chat do.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from cakap.core import audit
from cakap.core.background import enqueue_on_commit
from cakap.notices import tasks
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind, NoticePreference
from cakap.notices.whatsapp import has_whatsapp_number
from cakap.people.models import Person, User

Actor = User | AnonymousUser | None


@dataclass(frozen=True)
class Notice:
    """One event for one person: what `notify_many` delivers over each channel."""

    person: Person
    kind: str
    key: str
    subject: str
    body: str
    channels: Sequence[str] = (Channel.EMAIL,)
    programme_ref: int | None = None
    session_ref: int | None = None


def _opted_out(people: Iterable[Person], kinds: Iterable[str]) -> set[tuple[int, str]]:
    return set(
        NoticePreference.objects.filter(
            person__in=[p.pk for p in people], kind__in=set(kinds), email=False
        ).values_list("person_id", "kind")
    )


def _delivery(notice: Notice, channel: str, opted_out: set[tuple[int, str]]) -> Delivery:
    person = notice.person
    if channel == Channel.EMAIL:
        address = person.email
        if (person.pk, notice.kind) in opted_out:
            state = DeliveryState.OPTED_OUT
        elif not address:
            state = DeliveryState.NO_ADDRESS
        else:
            state = DeliveryState.QUEUED
    else:
        address = person.phone
        state = DeliveryState.PREPARED if has_whatsapp_number(address) else DeliveryState.NO_ADDRESS
    return Delivery(
        person=person,
        kind=notice.kind,
        channel=channel,
        key=notice.key[:120],
        state=state,
        address=address,
        subject=notice.subject[:200],
        body=notice.body,
        programme_ref=notice.programme_ref,
        session_ref=notice.session_ref,
    )


def _insert(deliveries: list[Delivery]) -> list[Delivery]:
    """Insert the deliveries; under a race with another run, one by one, skipping those
    the other run wrote first."""
    try:
        with transaction.atomic():
            return Delivery.objects.bulk_create(deliveries, batch_size=500)
    except IntegrityError:
        created = []
        for delivery in deliveries:
            try:
                with transaction.atomic():
                    delivery.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(delivery)
        return created


CHUNK = 500  # notices read and written per statement (SQLite's parameter limit)


def notify_many(notices: Iterable[Notice], *, acting_user: Actor = None) -> list[Delivery]:
    """Deliver each notice over its channels, once per (key, person, channel): the
    deliveries made now (those made by an earlier run are not made again). Emails are
    sent after commit by a background task; `acting_user` is None for the scheduler."""
    notices = list(notices)
    created: list[Delivery] = []
    with transaction.atomic():
        for start in range(0, len(notices), CHUNK):
            created += _notify_chunk(notices[start : start + CHUNK])
        queued = [d.pk for d in created if d.state == DeliveryState.QUEUED]
        for start in range(0, len(queued), CHUNK):
            enqueue_on_commit(tasks.send_email_deliveries, queued[start : start + CHUNK])
    return created


def _notify_chunk(notices: list[Notice]) -> list[Delivery]:
    existing = set(
        Delivery.objects.filter(
            key__in={n.key[:120] for n in notices}, person__in={n.person.pk for n in notices}
        ).values_list("key", "person_id", "channel")
    )
    opted_out = _opted_out([n.person for n in notices], [n.kind for n in notices])
    new: list[Delivery] = []
    seen: set[tuple[str, int, str]] = set()
    for notice in notices:
        for channel in notice.channels:
            ident = (notice.key[:120], notice.person.pk, str(channel))
            if ident in existing or ident in seen:
                continue
            seen.add(ident)
            new.append(_delivery(notice, channel, opted_out))
    return _insert(new) if new else []


def notify(
    person: Person,
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    channels: Sequence[str] = (Channel.EMAIL,),
    programme_ref: int | None = None,
    session_ref: int | None = None,
    acting_user: Actor = None,
) -> list[Delivery]:
    """Deliver one event to one person over `channels`, at most once per channel (the
    idempotency `key` names the event: "session-tomorrow:42")."""
    notice = Notice(person, kind, key, subject, body, channels, programme_ref, session_ref)
    return notify_many([notice], acting_user=acting_user)


def set_email_preferences(
    person: Person, email_kinds: Iterable[str], *, acting_user: Actor
) -> dict[str, bool]:
    """Set which kinds of notice `person` gets by email (every kind not named is turned
    off); the choice per kind afterwards."""
    wanted = {str(k) for k in email_kinds} & set(NoticeKind.values)
    with transaction.atomic():
        rows = {
            p.kind: p for p in NoticePreference.objects.select_for_update().filter(person=person)
        }
        before = {k: (rows[k].email if k in rows else True) for k in NoticeKind.values}
        after = {k: k in wanted for k in NoticeKind.values}
        for kind, email in after.items():
            if before[kind] == email:
                continue
            if kind in rows:
                rows[kind].email = email
                rows[kind].save(update_fields=["email", "updated_at"])
            else:
                NoticePreference.objects.create(person=person, kind=kind, email=email)
        if before != after:
            audit.record(
                "notices.preferences",
                person,
                acting_user=acting_user,
                before={f"email_{k}": v for k, v in before.items()},
                after={f"email_{k}": v for k, v in after.items()},
            )
    return after


def mark_opened(delivery: Delivery, *, acting_user: User) -> Delivery:
    """Record that the staff member opened the WhatsApp chat of a prepared message. A
    second opening keeps the first time."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state == DeliveryState.OPENED:
            return locked
        before = {"state": locked.state}
        locked.state = DeliveryState.OPENED
        locked.opened_at = timezone.now()
        locked.opened_by = acting_user
        locked.save(update_fields=["state", "opened_at", "opened_by"])
        audit.record(
            "notices.whatsapp_opened",
            locked,
            acting_user=acting_user,
            before=before,
            after={"state": locked.state},
        )
    return locked
