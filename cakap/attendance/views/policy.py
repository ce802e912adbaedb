"""The organiser's pages for how attendance is taken: a programme's check-in rules and a
session's venue with its window overrides. Only the programme's organisers reach them
(404 for anyone else); everyone who sees the programme reads the rules on its and its
sessions' pages (templatetags/attendance.py).

A form carries a fingerprint of the values it was opened with: when someone else saved
in between, the save is refused and the page says so, rather than silently putting
back what the other person changed.
"""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cakap.attendance.access import get_session_to_manage
from cakap.attendance.forms import PolicyForm, VenueForm
from cakap.attendance.models import AttendancePolicy, SessionVenue
from cakap.attendance.queries import session_rules
from cakap.attendance.services.policy import (
    POLICY_FIELDS,
    SESSION_FIELDS,
    VENUE_FIELDS,
    PolicyError,
    set_attendance_policy,
    set_session_venue,
)
from cakap.attendance.windows import policy_for, venue_for
from cakap.core import audit
from cakap.core.errors import DomainError
from cakap.people.identity import signed_in
from cakap.programmes.access import get_managed_programme
from cakap.programmes.models import Session

SESSIONS_PER_PAGE = 25


def _fingerprint(values: dict[str, object]) -> str:
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _policy_fingerprint(policy: AttendancePolicy) -> str:
    return _fingerprint(audit.snapshot(policy, POLICY_FIELDS))


def _venue_fingerprint(session: Session, venue: SessionVenue | None) -> str:
    values = audit.snapshot(session, SESSION_FIELDS)
    if venue is not None:
        values.update(audit.snapshot(venue, VENUE_FIELDS))
    return _fingerprint(values)


def _form_error(form: PolicyForm | VenueForm, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _changed_meanwhile(form: PolicyForm | VenueForm, current: str) -> bool:
    """Whether the values changed since the form was opened; the form then says so and
    takes the current fingerprint, so that saving again (after a look) goes through."""
    if form.cleaned_data.get("seen") in ("", None, current):
        return False
    form.add_error(
        None,
        _(
            "Someone else changed these settings after you opened this page. The "
            "current settings are shown above the form; check them, then save again."
        ),
    )
    form.data = form.data.copy()
    form.data["seen"] = current
    return True


@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's check-in rules: window, lateness, code, location and venue point,
    shared phones; with the sessions that have a venue or window of their own."""
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    policy = policy_for(programme)
    seen = _policy_fingerprint(policy)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(policy, seen))
    if request.method == "POST" and form.is_valid() and not _changed_meanwhile(form, seen):
        try:
            set_attendance_policy(programme, **form.service_fields(), acting_user=user)
        except PolicyError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The check-in rules were saved."))
            return redirect("programmes:programme-detail", programme.pk)
    own = (
        Session.objects.filter(group__programme=programme, ends_at__gte=timezone.now())
        .exclude(status__in=(Session.Status.CANCELLED, Session.Status.MOVED))
        .select_related("group__programme__attendance_policy", "attendance")
        .order_by("starts_at", "pk")
    )
    page = Paginator(own, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/policy_form.html",
        {
            "programme": programme,
            "form": form,
            "policy": policy,
            "page": page,
            "sessions": [session_rules(s) for s in page.object_list],
        },
    )


@login_required
def session_venue(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's venue (name, address, meeting link, point and radius) and its window
    overrides; empty overrides take the programme's."""
    user = signed_in(request)
    session = get_session_to_manage(user, pk)
    policy = policy_for(session.group.programme)
    venue = venue_for(session)
    seen = _venue_fingerprint(session, venue)
    form = VenueForm(
        request.POST or None,
        policy=policy,
        initial=VenueForm.initial_for(session, venue, seen),
    )
    gone = session.status in (Session.Status.CANCELLED, Session.Status.MOVED)
    if request.method == "POST" and form.is_valid() and not _changed_meanwhile(form, seen):
        try:
            set_session_venue(session, **form.service_fields(), acting_user=user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The venue and check-in of this session were saved."))
            return redirect("programmes:session-detail", session.pk)
    return render(
        request,
        "attendance/venue_form.html",
        {
            "session": session,
            "programme": session.group.programme,
            "form": form,
            "rules": session_rules(session),
            "gone": gone,
        },
    )
