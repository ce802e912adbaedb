"""Calendars, the schedule generator, local calendar days and the personal iCalendar feed."""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_date
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from cakap.core import bounds
from cakap.core.formatting import JAKARTA, local
from cakap.people.identity import signed_in
from cakap.people.models import User
from cakap.programmes.access import (
    can_manage,
    get_managed_programme,
    get_programme_for_user,
    programmes_managed_by,
    sessions_coached_by,
    sessions_visible_to,
)
from cakap.programmes.forms import CalendarDayForm, ScheduleForm, fingerprint
from cakap.programmes.ical import feed_for, feed_url, own_sessions, user_for_token, webcal_url
from cakap.programmes.models import CalendarDay, Programme, Session
from cakap.programmes.queries import (
    LocalCalendar,
    ModulePlan,
    existing_starts,
    find_conflicts,
    local_calendar,
    propose_for,
)
from cakap.programmes.schedule import ScheduleError
from cakap.programmes.services.schedule import (
    add_calendar_day,
    create_sessions,
    regenerate_feed_token,
    remove_calendar_day,
)

MY_SCHEDULE_LIMIT = 200


def _today() -> datetime.date:
    return timezone.localdate(timezone=JAKARTA)


def _month_param(value: str | None, today: datetime.date) -> datetime.date:
    """The first day of the month in `?month=YYYY-MM`, this month when missing or invalid."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if bounds.MIN_DATE.year <= year <= bounds.MAX_DATE.year and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    return today.replace(day=1)


def _date_param(value: str | None, today: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return today
    return day if bounds.date_in_range(day) else today


def _add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_label(first: datetime.date) -> str:
    return f"{MONTHS[first.month]} {first.year}"


def _starts_between(
    sessions: QuerySet[Session], first: datetime.date, last: datetime.date
) -> QuerySet[Session]:
    """Sessions starting on a WIB date from `first` to `last`, with what the calendar shows."""
    lo = datetime.datetime.combine(first, datetime.time.min, tzinfo=JAKARTA)
    hi = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, JAKARTA)
    return (
        sessions.filter(starts_at__gte=lo, starts_at__lt=hi)
        .select_related("group__programme", "module", "coach")
        .order_by("starts_at", "pk")
    )


@dataclass
class DayCell:
    date: datetime.date
    in_month: bool
    is_today: bool
    holiday: str
    blackout: bool
    sessions: list[Session] = field(default_factory=list)

    @property
    def label(self) -> str:
        """'Sen 7 Jul': readable alone, as the cell is when phones show the grid as a list."""
        locale = "en" if (get_language() or "id").startswith("en") else "id"
        return str(format_date(self.date, "EEE d MMM", locale=locale))


def _by_day(sessions: Iterable[Session]) -> dict[datetime.date, list[Session]]:
    days: dict[datetime.date, list[Session]] = defaultdict(list)
    for session in sessions:
        days[local(session.starts_at).date()].append(session)
    return days


def _cells(
    first: datetime.date,
    last: datetime.date,
    month: int | None,
    sessions: Iterable[Session],
    cal: LocalCalendar,
    today: datetime.date,
) -> list[DayCell]:
    by_day = _by_day(sessions)
    cells = []
    day = first
    while day <= last:
        cells.append(
            DayCell(
                date=day,
                in_month=month is None or day.month == month,
                is_today=day == today,
                holiday=cal.holiday_on(day),
                blackout=day in cal.blackouts,
                sessions=by_day.get(day, []),
            )
        )
        day += datetime.timedelta(days=1)
    return cells


def _month_grid(first_of_month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday before the month's first day to the Sunday after its last (weeks start Senin)."""
    start = first_of_month - datetime.timedelta(days=first_of_month.weekday())
    last_of_month = _add_months(first_of_month, 1) - datetime.timedelta(days=1)
    end = last_of_month + datetime.timedelta(days=6 - last_of_month.weekday())
    return start, end


def _month_context(
    sessions: QuerySet[Session], programme: Programme | None, month: datetime.date
) -> dict[str, object]:
    today = _today()
    start, end = _month_grid(month)
    cal = local_calendar(programme, start, end)
    cells = _cells(start, end, month.month, _starts_between(sessions, start, end), cal, today)
    return {
        "month": month,
        "month_label": _month_label(month),
        "prev_month": _add_months(month, -1),
        "next_month": _add_months(month, 1),
        "this_month": today.replace(day=1),
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
        "cells": cells,
    }


@login_required
@require_GET
def programme_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's month: sessions the user may see, holidays and blackout days."""
    user = signed_in(request)
    programme = get_programme_for_user(user, pk)
    month = _month_param(request.GET.get("month"), _today())
    sessions = sessions_visible_to(user).filter(group__programme=programme)
    context = _month_context(sessions, programme, month)
    context.update(programme=programme, can_manage=can_manage(user, programme))
    return render(request, "programmes/calendar_month.html", context)


@login_required
@require_GET
def programme_week(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's week, Monday to Sunday, around `?date=YYYY-MM-DD`."""
    user = signed_in(request)
    programme = get_programme_for_user(user, pk)
    today = _today()
    day = _date_param(request.GET.get("date"), today)
    start = day - datetime.timedelta(days=day.weekday())
    end = start + datetime.timedelta(days=6)
    sessions = sessions_visible_to(user).filter(group__programme=programme)
    cal = local_calendar(programme, start, end)
    cells = _cells(start, end, None, _starts_between(sessions, start, end), cal, today)
    return render(
        request,
        "programmes/calendar_week.html",
        {
            "programme": programme,
            "cells": cells,
            "week_start": start,
            "week_end": end,
            "prev_week": start - datetime.timedelta(days=7),
            "next_week": start + datetime.timedelta(days=7),
            "today": today,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "can_manage": can_manage(user, programme),
        },
    )


def _my_sessions(user: User) -> QuerySet[Session]:
    """What a user attends or coaches, plus every session of the programmes they manage."""
    q = Q(pk__in=own_sessions(user).values("pk")) | Q(
        group__programme__in=programmes_managed_by(user).values("pk")
    )
    return Session.objects.filter(q)


NEXT_TO_RUN = 3


def _to_run(user: User, mine: QuerySet[Session]) -> tuple[list[Session], list[Session]]:
    """The sessions of the groups `user` coaches that are on today (WIB), ended or not, so
    that a late roll is one tap away too, and the next few after today; neither cancelled
    nor moved. The coach's home shows them with a button to each one's check-in screen."""
    today = _today()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=JAKARTA)
    tomorrow = start + datetime.timedelta(days=1)
    runs = (
        mine.filter(pk__in=sessions_coached_by(user).values("pk"), starts_at__gte=start)
        .exclude(status__in=(Session.Status.CANCELLED, Session.Status.MOVED))
        .select_related("group__programme", "module")
        .order_by("starts_at", "pk")
    )
    on_today = list(runs.filter(starts_at__lt=tomorrow))
    return on_today, list(runs.filter(starts_at__gte=tomorrow)[:NEXT_TO_RUN])


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    """The coach's sessions of today and the next ones, each a tap from its check-in
    screen; upcoming sessions grouped by day, a month grid, and the calendar subscription."""
    user = signed_in(request)
    mine = _my_sessions(user)
    run_today, run_next = _to_run(user, mine)
    upcoming = list(
        mine.filter(ends_at__gte=timezone.now())
        .select_related("group__programme", "module", "coach")
        .order_by("starts_at", "pk")[: MY_SCHEDULE_LIMIT + 1]
    )
    more = len(upcoming) > MY_SCHEDULE_LIMIT
    month = _month_param(request.GET.get("month"), _today())
    context = _month_context(mine, None, month)
    context.update(
        days=sorted(_by_day(upcoming[:MY_SCHEDULE_LIMIT]).items()),
        more=more,
        run_today=run_today,
        run_next=run_next,
        feed_url=feed_url(request, user),
        webcal_url=webcal_url(request, user),
    )
    return render(request, "programmes/my_schedule.html", context)


def _preview(form: ScheduleForm, programme: Programme) -> dict[str, Any]:
    """Recompute the proposal from the submitted form, with what the organiser must check."""
    wanted = form.schedule_request()
    data = form.cleaned_data
    proposal = propose_for(wanted)
    digest = fingerprint(proposal.slots)
    existing = existing_starts(wanted.group, proposal.slots)
    conflicts = find_conflicts(proposal.slots, wanted.group, data["coach"], data["venue"])
    by_slot = defaultdict(list)
    for conflict in conflicts:
        by_slot[conflict.slot].append(conflict)
    modules = (
        list(programme.modules.order_by("order", "id"))
        if data["module_plan"] == ModulePlan.IN_ORDER
        else []
    )
    rows = [
        {
            "slot": slot,
            "exists": slot.starts_at in existing,
            "module": modules[i] if i < len(modules) else None,
            "conflicts": by_slot.get(slot, []),
        }
        for i, slot in enumerate(proposal.slots)
    ]
    return {
        "proposal": proposal,
        "rows": rows,
        "conflicts": conflicts,
        "fingerprint": digest,
        "new_count": len(proposal.slots) - len(existing),
        "outside_period": [
            s for s in proposal.slots if not programme.start_date <= s.date <= programme.end_date
        ],
    }


@login_required
def schedule_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisers propose a group's sessions around holidays, preview them, then confirm."""
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    context: dict[str, object] = {"programme": programme}
    if request.method != "POST":
        today = _today()
        form = ScheduleForm(
            programme,
            initial={
                "start_date": max(today, programme.start_date),
                "count": programme.target_sessions or None,
                "group": request.GET.get("group") or None,
            },
        )
        return render(request, "programmes/schedule_generate.html", {**context, "form": form})

    form = ScheduleForm(programme, request.POST)
    if form.is_valid():
        try:
            preview = _preview(form, programme)
        except ScheduleError as error:
            form.add_error(None, str(error))
        else:
            confirming = request.POST.get("action") == "confirm"
            if confirming and form.cleaned_data["fingerprint"] == preview["fingerprint"]:
                return _confirm(request, form, programme, preview)
            if confirming:
                messages.warning(
                    request,
                    _("The proposal changed since the preview. Check it again, then confirm."),
                )
            context.update(preview)
    return render(request, "programmes/schedule_generate.html", {**context, "form": form})


def _confirm(
    request: HttpRequest, form: ScheduleForm, programme: Programme, preview: dict[str, Any]
) -> HttpResponse:
    data = form.cleaned_data
    slots = preview["proposal"].slots
    try:
        created = create_sessions(
            data["group"],
            slots,
            venue=data["venue"],
            online_url=data["online_url"],
            module_plan=data["module_plan"],
            coach=data["coach"],
            acting_user=signed_in(request),
        )
    except ScheduleError as error:
        form.add_error(None, str(error))
        return render(
            request,
            "programmes/schedule_generate.html",
            {"programme": programme, "form": form, **preview},
        )
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d session was added to the calendar.",
                "%(count)d sessions were added to the calendar.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("These sessions were already in the calendar."))
    first = local(slots[0].starts_at) if slots else None
    target = reverse("programmes:programme-calendar", args=[programme.pk])
    return redirect(f"{target}?month={first:%Y-%m}" if first else target)


@login_required
def calendar_days(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisers keep a programme's blackout dates and working days on listed holidays."""
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = CalendarDayForm()
    if request.method == "POST":
        remove = request.POST.get("remove", "")
        if remove:
            if not remove.isdigit():
                raise Http404
            day = get_object_or_404(programme.calendar_days.all(), pk=int(remove))
            remove_calendar_day(day, acting_user=user)
            messages.success(request, _("The date was removed."))
            return redirect("programmes:calendar-days", pk=programme.pk)
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            try:
                add_calendar_day(
                    date=form.cleaned_data["date"],
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    programme=programme,
                    acting_user=user,
                )
            except ScheduleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The date was added."))
                return redirect("programmes:calendar-days", pk=programme.pk)
    cal = local_calendar(programme, programme.start_date, programme.end_date)
    holidays = [
        {"date": d, "name": n, "working": d in cal.working} for d, n in sorted(cal.holidays.items())
    ]
    own = list(programme.calendar_days.order_by("date"))
    shared = list(
        CalendarDay.objects.filter(
            programme__isnull=True, date__range=(programme.start_date, programme.end_date)
        ).order_by("date")
    )
    return render(
        request,
        "programmes/calendar_days.html",
        {"programme": programme, "form": form, "holidays": holidays, "own": own, "shared": shared},
    )


@require_safe
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed. The secret address is the only key: no login, so that
    phone calendars can subscribe."""
    user = user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(feed_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cakap.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_POST
def ical_regenerate(request: HttpRequest) -> HttpResponse:
    """Give the signed-in user a new feed address; the old one stops working."""
    regenerate_feed_token(signed_in(request), acting_user=signed_in(request))
    messages.success(
        request,
        _("Your calendar address was changed. Subscribe again with the new address."),
    )
    return redirect("programmes:my-schedule")
