"""Writes of the schedule generator and the local calendar: saving the sessions of a
proposal, adding and removing calendar days, a new iCalendar feed token. The rules are
in programmes/schedule.py, the reads in programmes/queries.py."""

import datetime
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakap.core.audit import record, snapshot
from cakap.people.models import Person, User
from cakap.programmes.models import CalendarDay, Group, Module, Programme, Session
from cakap.programmes.queries import VENUE_MAX, ModulePlan, existing_starts
from cakap.programmes.schedule import (
    ScheduleConflictError,
    ScheduleError,
    Slot,
)


@transaction.atomic
def create_sessions(
    group: Group,
    slots: Sequence[Slot],
    *,
    acting_user: User,
    venue: str = "",
    online_url: str = "",
    module_plan: str = ModulePlan.NONE,
    coach: Person | None = None,
) -> list[Session]:
    """Create the proposed sessions of a group, one audit entry each.

    Idempotent: a slot at which the group already has a session that is not cancelled is
    skipped, so confirming the same proposal twice creates nothing the second time. With
    `module_plan` "in_order" the programme's modules are given to the slots in order (the
    n-th slot gets the n-th module, whether or not it already existed).
    """
    if module_plan not in set(ModulePlan):
        raise ScheduleError("bad_module_plan", _("Choose how modules are assigned."))
    venue, online_url = venue.strip(), online_url.strip()
    if len(venue) > VENUE_MAX:
        raise ScheduleError("bad_venue", _("The venue name is too long."))
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            raise ScheduleError("bad_url", _("The online meeting link is not valid.")) from None
    if group.programme.status in (Programme.Status.FINISHED, Programme.Status.CANCELLED):
        raise ScheduleConflictError(
            "programme_closed", _("Sessions cannot be added to a finished or cancelled programme.")
        )
    # Serialise confirmations for one group so that two clicks cannot both insert.
    Group.objects.select_for_update().filter(pk=group.pk).first()
    if coach is not None and not group.coaches.filter(pk=coach.pk).exists():
        raise ScheduleError("not_a_coach", _("The coach does not coach this group."))
    if any(s.ends_at <= s.starts_at for s in slots):
        raise ScheduleError("bad_slot", _("A session must end after it starts."))
    modules: list[Module] = []
    if module_plan == ModulePlan.IN_ORDER:
        modules = list(group.programme.modules.order_by("order", "id"))
    taken = existing_starts(group, slots)
    new: list[Session] = []
    for index, slot in enumerate(sorted(set(slots))):
        if slot.starts_at in taken:
            continue
        new.append(
            Session(
                group=group,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                venue=venue,
                online_url=online_url,
                coach=coach,
                module=modules[index] if index < len(modules) else None,
            )
        )
    created: list[Session] = []
    for session in new:
        session.save(force_insert=True)
        record("session.created", session, note="schedule generator", acting_user=acting_user)
        created.append(session)
    return created


@transaction.atomic
def add_calendar_day(
    *,
    acting_user: User,
    date: datetime.date,
    kind: str,
    reason: str,
    programme: Programme | None = None,
) -> CalendarDay:
    """Add a local calendar correction: a blackout date or a working day on a listed holiday.

    Without a programme it applies to every programme of the deployment.
    """
    if kind not in CalendarDay.Kind.values:
        raise ScheduleError("bad_kind", _("Choose what kind of day this is."))
    reason = reason.strip()
    if not reason:
        raise ScheduleError("no_reason", _("Give a reason."))
    if CalendarDay.objects.filter(date=date, programme=programme).exists():
        raise ScheduleError("day_exists", _("This date already has an entry."))
    day = CalendarDay.objects.create(
        date=date, kind=kind, reason=reason[:200], programme=programme, created_by=acting_user
    )
    record("calendar_day.added", day, acting_user=acting_user)
    return day


@transaction.atomic
def remove_calendar_day(day: CalendarDay, *, acting_user: User) -> None:
    """Remove a local calendar correction; the audit trail keeps what it was."""
    record("calendar_day.removed", day, before=snapshot(day), after={}, acting_user=acting_user)
    day.delete()


@transaction.atomic
def regenerate_feed_token(user: User, *, acting_user: User) -> str:
    """Give `user` a new secret calendar-feed address; the old one stops working at once."""
    user.feed_token = secrets.token_urlsafe(24)
    user.save(update_fields=["feed_token"])
    record(
        "user.feed_token_regenerated",
        user,
        after={},
        note="calendar feed address",
        acting_user=acting_user,
    )
    return user.feed_token
