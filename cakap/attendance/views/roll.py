"""Pages for the manual roll, absence requests and "my attendance". Each view looks its
objects up through cakap.attendance.access (404 out of scope), parses a form, calls a
service and renders."""

import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cakap.attendance import queries, services
from cakap.attendance.access import (
    absence_requests_decidable_by,
    absence_requests_visible_to,
    can_decide_absences,
    get_session_for_roll,
    records_visible_to,
)
from cakap.attendance.forms import AbsenceDecisionForm, AbsenceRequestForm, RollForm
from cakap.attendance.models import EXCUSED, AbsenceRequest, AttendanceRecord, Status
from cakap.people import reads
from cakap.people.access import person_of
from cakap.people.identity import signed_in
from cakap.people.models import Person, User
from cakap.programmes.access import get_session_for_user, programmes_visible_to
from cakap.programmes.models import Programme, Session

# --- The manual roll ---------------------------------------------------------------------


def _roster(session: Session) -> list[tuple[Person, AttendanceRecord | None]]:
    """Active participants of the session's group with their record: two queries."""
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(session=session)}
    enrolments = session.roster().select_related("person").order_by("person__name", "person_id")
    return [(e.person, records.get(e.person_id)) for e in enrolments]


def _pending_requests(session: Session) -> dict[int, AbsenceRequest]:
    return {
        r.person_id: r
        for r in AbsenceRequest.objects.filter(session=session, state=AbsenceRequest.State.PENDING)
    }


def _roll_context(session: Session, form: RollForm) -> dict[str, object]:
    rows = form.rows()
    pending = _pending_requests(session)
    for row in rows:
        row["request"] = pending.get(row["person"].pk)
    closed = services.is_closed(session)
    return {
        "session": session,
        "programme": session.group.programme,
        "group": session.group,
        "form": form,
        "rows": rows,
        "excused": sorted(EXCUSED),
        "closed": closed,
        # Past its window but not closed yet: the scheduled job closes it (decision 15
        # as amended); the page only says so and offers the coach "close now".
        "window_passed": services.awaits_closing(session, timezone.now()),
        "window_closes_at": services.window_closes_at(session),
        **_counts(form.roster),
    }


def _counts(roster: list[tuple[Person, AttendanceRecord | None]]) -> dict[str, object]:
    """How many of the roster have each status, and how many are not marked yet."""
    records = [r for _p, r in roster if r is not None]
    return {
        "counts": {
            label: sum(1 for r in records if r.status == status) for status, label in Status.choices
        },
        "unmarked": sum(1 for _p, r in roster if r is None),
    }


@login_required
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster grid: one status per participant, saved together in one transaction."""
    user = signed_in(request)
    session = get_session_for_roll(user, pk)
    roster = _roster(session)
    if request.method == "POST":
        form = RollForm(roster, request.POST, request.FILES)
        if form.is_valid():
            try:
                changed = services.save_roll(session, form.changes(), acting_user=user)
            except services.RollError as exc:
                name = f"{exc.field or 'status'}-{exc.person.pk}" if exc.person else None
                form.add_error(name if name in form.fields else None, str(exc.message))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Saved: %(count)d change to the roll.",
                        "Saved: %(count)d changes to the roll.",
                        changed,
                    )
                    % {"count": changed},
                )
                return redirect("attendance:roll", pk=session.pk)
    else:
        form = RollForm(roster)
    return render(request, "attendance/roll_grid.html", _roll_context(session, form))


@login_required
@require_POST
def roll_row(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Save one row of the roll (htmx) and answer with the row redrawn, and the counts
    above the roll redrawn out of band."""
    user = signed_in(request)
    session = get_session_for_roll(user, pk)
    full = _roster(session)
    roster = [(p, r) for p, r in full if p.pk == person_pk]
    if not roster:
        raise Http404
    form = RollForm(roster, request.POST, request.FILES)
    saved = False
    if form.is_valid():
        try:
            services.save_roll(session, form.changes(), acting_user=user)
            saved = True
        except services.RollError as exc:
            name = f"{exc.field or 'status'}-{person_pk}"
            form.add_error(name if name in form.fields else None, str(exc.message))
    if saved:
        full = _roster(session)
        form = RollForm([(p, r) for p, r in full if p.pk == person_pk])
    context = _roll_context(session, form)
    context.update(_counts(full))
    context["row"] = context["rows"][0]  # type: ignore[index]
    context["saved"] = saved
    context["oob"] = True
    return render(request, "attendance/_roll_row.html", context)


@login_required
@require_POST
def roll_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close attendance now: unmarked participants become alpa, the session held."""
    user = signed_in(request)
    session = get_session_for_roll(user, pk)
    try:
        made = services.close_session_attendance(session, acting_user=user)
    except services.RollError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            ngettext(
                "Attendance closed: %(count)d unmarked participant recorded as alpa.",
                "Attendance closed: %(count)d unmarked participants recorded as alpa.",
                made,
            )
            % {"count": made},
        )
    return redirect("attendance:roll", pk=session.pk)


def _document_response(
    request: HttpRequest, file: FieldFile, person: Person, session_id: int
) -> FileResponse:
    if not file:
        raise Http404
    if person.user_id != request.user.pk:
        reads.record_read(
            request.user,
            reads.Kind.DOCUMENT,
            scope=reads.Scope.SESSION,
            scope_id=session_id,
            person_id=person.pk,
            detail=PurePosixPath(file.name or "").name,
        )
    name = PurePosixPath(file.name or "document").name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
def record_document(request: HttpRequest, pk: int) -> FileResponse:
    record = records_visible_to(signed_in(request)).select_related("person").filter(pk=pk).first()
    if record is None:
        raise Http404
    return _document_response(request, record.document, record.person, record.session_id)


# --- Absence requests --------------------------------------------------------------------


@login_required
def absence_request(request: HttpRequest, session_pk: int) -> HttpResponse:
    """A participant asks beforehand to be excused from one of their sessions."""
    user = signed_in(request)
    session = get_session_for_user(user, session_pk)
    enrolled = session.roster().filter(person__user=user).exists()
    if not enrolled:
        raise Http404
    programme = session.group.programme
    if request.method == "POST":
        form = AbsenceRequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.request_absence(
                    session,
                    form.cleaned_data["status"],
                    form.cleaned_data["reason"],
                    form.cleaned_data.get("document"),
                    acting_user=user,
                )
            except services.RollError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc.message))
            else:
                messages.success(
                    request, _("Your request was sent. The organiser will decide on it.")
                )
                return redirect("attendance:my-attendance-programme", programme_pk=programme.pk)
    else:
        form = AbsenceRequestForm()
    return render(
        request,
        "attendance/absence_form.html",
        {"session": session, "programme": programme, "form": form},
    )


@login_required
def absence_queue(request: HttpRequest) -> HttpResponse:
    """The organiser's queue: pending requests first, then the latest decisions."""
    user = signed_in(request)
    if not can_decide_absences(user):
        raise Http404
    base = absence_requests_decidable_by(user).select_related(
        "person__unit", "session__group__programme", "decided_by"
    )
    pending = list(base.filter(state=AbsenceRequest.State.PENDING).order_by("session__starts_at"))
    decided = list(base.exclude(state=AbsenceRequest.State.PENDING).order_by("-decided_at")[:20])
    return render(
        request,
        "attendance/absence_queue.html",
        {"pending": pending, "decided": decided, "form": AbsenceDecisionForm()},
    )


@login_required
@require_POST
def absence_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    absence = absence_requests_decidable_by(user).filter(pk=pk).first()
    if absence is None:
        raise Http404
    form = AbsenceDecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "decline") or not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return redirect("attendance:absence-queue")
    try:
        services.decide_absence(absence, approve, form.cleaned_data["note"], acting_user=user)
    except services.RollError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            (_("Approved: %(name)s") if approve else _("Declined: %(name)s"))
            % {"name": absence.person.full_name},
        )
    return redirect("attendance:absence-queue")


@login_required
def absence_document(request: HttpRequest, pk: int) -> FileResponse:
    absence = (
        absence_requests_visible_to(signed_in(request))
        .select_related("person")
        .filter(pk=pk)
        .first()
    )
    if absence is None:
        raise Http404
    return _document_response(request, absence.document, absence.person, absence.session_id)


# --- My attendance -----------------------------------------------------------------------


def _my_programmes(user: User) -> QuerySet[Programme]:
    return (
        programmes_visible_to(user)
        .filter(enrolments__person__user=user)
        .distinct()
        .order_by("-start_date", "title")
    )


@login_required
def my_index(request: HttpRequest) -> HttpResponse:
    """The programmes the participant takes part in; straight to it when there is one."""
    programmes = list(_my_programmes(signed_in(request)))
    if len(programmes) == 1:
        return redirect("attendance:my-attendance-programme", programme_pk=programmes[0].pk)
    return render(request, "attendance/my_index.html", {"programmes": programmes})


@login_required
def my_programme(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """Each session's status and the participant's percentage against the target."""
    user = signed_in(request)
    programme = _my_programmes(user).filter(pk=programme_pk).first()
    person = person_of(user)
    if programme is None or person is None:
        raise Http404
    mine = queries.my_attendance(person, programme)
    if mine is None:
        raise Http404
    requests = list(
        AbsenceRequest.objects.filter(person=person, session__group__programme=programme)
        .select_related("session")
        .order_by("-created_at")
    )
    asked = {r.session_id for r in requests if r.state == AbsenceRequest.State.PENDING}
    now = timezone.now()
    return render(
        request,
        "attendance/my_programme.html",
        {
            "mine": mine,
            "programme": programme,
            "requests": requests,
            "asked": asked,
            "now": now,
            "count_items": [
                (queries.LETTERS[s], s.label, mine.counts[s]) for s in queries.STATUS_ORDER
            ],
        },
    )
