"""A programme's delivery log and the WhatsApp lists (decision 93): what went out, when,
over which channel and in which state; and the prepared click-to-chat messages of a
session or a programme, one wa.me link per person, which the coach or organiser taps
through. Opening a chat is a POST (a small form per row, opening a new tab) that records
the opening and answers 303 to the wa.me address; htmx then refreshes the list."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cakap.attendance.notice_access import (
    deliveries_for,
    get_delivery_to_open,
    get_programme_for_notices,
    get_session_for_whatsapp,
)
from cakap.notices import queries, services
from cakap.notices.forms import LogFilterForm
from cakap.notices.models import Channel, DeliveryState
from cakap.notices.whatsapp import chat_url
from cakap.people.identity import signed_in
from cakap.programmes.access import programmes_managed_by


class _Redirect303(HttpResponseRedirect):
    status_code = 303
    allowed_schemes = ["https"]  # noqa: RUF012 Django's own class attribute


@login_required
def programme_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's deliveries, newest first, 50 a page, filtered by kind, channel,
    state and person."""
    user = signed_in(request)
    programme = get_programme_for_notices(user, pk)
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    deliveries = deliveries_for(user, programme).select_related("person")
    for name in ("kind", "channel", "state"):
        if filters.get(name):
            deliveries = deliveries.filter(**{name: filters[name]})
    person = request.GET.get("person", "")
    if person.isdigit():
        deliveries = deliveries.filter(person_id=int(person))
    deliveries = deliveries.order_by("-created_at", "-pk")
    page = queries.page_of(deliveries, request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    context = {
        "programme": programme,
        "form": form,
        "page": page,
        "counts": [
            (DeliveryState(state).label, n)
            for state, n in sorted(queries.state_counts(deliveries).items())
        ],
        "query": query,
        "manage": programmes_managed_by(user).filter(pk=programme.pk).exists(),
    }
    return render(request, "attendance/notices_log.html", context)


@login_required
def whatsapp_session(request: HttpRequest, pk: int) -> HttpResponse:
    """The prepared WhatsApp messages of one session."""
    user = signed_in(request)
    session = get_session_for_whatsapp(user, pk)
    rows = queries.whatsapp_for_session(session.pk)
    context = {"session": session, "rows": rows, "programme": None}
    template = "attendance/_whatsapp_rows.html" if request.htmx else "attendance/whatsapp.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def whatsapp_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """The prepared WhatsApp messages of a programme that belong to no session (falling
    behind, tests opening and closing)."""
    user = signed_in(request)
    programme = get_programme_for_notices(user, pk)
    deliveries = (
        deliveries_for(user, programme)
        .filter(channel=Channel.WHATSAPP, session_ref__isnull=True)
        .select_related("person")
        .order_by("-created_at", "person__name", "pk")[: queries.PER_PAGE * 4]
    )
    context = {"session": None, "rows": queries.chat_rows(deliveries), "programme": programme}
    template = "attendance/_whatsapp_rows.html" if request.htmx else "attendance/whatsapp.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@login_required
def whatsapp_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the chat was opened, then send the browser to it (303)."""
    user = signed_in(request)
    delivery = get_delivery_to_open(user, pk)
    if not delivery.address:
        return HttpResponse(_("This person has no phone number for WhatsApp."), status=400)
    services.mark_opened(delivery, acting_user=user)
    return _Redirect303(chat_url(delivery.address, delivery.body))
