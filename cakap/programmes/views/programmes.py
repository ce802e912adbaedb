"""Organiser pages for programmes, modules, groups, enrolments and sessions.

Reads go through the visibility functions of cakap.programmes.access, writes through
the managed scope (organisers of the programme's unit, administrators); anything else
answers 404. Each write parses a form, calls a service and maps a domain error to the
form or to a message.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cakap.core.lookups import get_or_404
from cakap.people.access import is_admin, is_organiser, scope_paths, under
from cakap.people.identity import signed_in
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes import services
from cakap.programmes.access import (
    can_manage,
    enrolments_visible_to,
    get_managed_programme,
    groups_visible_to,
    is_programme_staff,
    people_enrollable_by,
    programmes_managed_by,
    programmes_visible_to,
    sessions_visible_to,
)
from cakap.programmes.forms import (
    CoachesForm,
    EnrolForm,
    GroupForm,
    ModuleForm,
    MoveParticipantForm,
    MoveSessionForm,
    ProgrammeForm,
    ReasonForm,
    SessionForm,
)
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session

ACTIVE = Enrolment.Status.ACTIVE
SEARCH_LIMIT = 20


# Service arguments that a form asks for under another name.
_FIELD_ALIASES = {"starts_at": "start_time", "ends_at": "end_time"}


def _form_error(form: forms.Form, error: services.ProgrammesError) -> None:
    """Show a domain error next to the field it names, or above the form."""
    field = _FIELD_ALIASES.get(error.field or "", error.field)
    field = field if field in form.fields else None
    form.add_error(field, str(error.message))


# Scoped look-ups for writes: only what the user manages; 404 otherwise.


def _managed_group(user: User, pk: int) -> Group:
    return get_or_404(
        Group.objects.select_related("programme").filter(programme__in=programmes_managed_by(user)),
        pk,
    )


def _managed_module(user: User, pk: int) -> Module:
    return get_or_404(
        Module.objects.select_related("programme").filter(
            programme__in=programmes_managed_by(user)
        ),
        pk,
    )


def _managed_enrolment(user: User, pk: int) -> Enrolment:
    return get_or_404(
        Enrolment.objects.select_related("group", "person", "programme").filter(
            programme__in=programmes_managed_by(user)
        ),
        pk,
    )


def _managed_session(user: User, pk: int) -> Session:
    return get_or_404(
        Session.objects.select_related("group__programme", "module", "coach").filter(
            group__programme__in=programmes_managed_by(user)
        ),
        pk,
    )


def _organiser_units(user: User) -> QuerySet[Unit]:
    if is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(under(scope_paths(user, RoleAssignment.Role.ORGANISER), "path"))


def _coach_candidates(programme: Programme, group: Group | None = None) -> QuerySet[Person]:
    """Staff of the coaching unit, holders of the coach role over a unit that holds the
    programme's organiser or coaching unit (decision 81), and whoever already coaches
    the group."""
    q = Q(unit__path__startswith=programme.coaching_unit.path)
    above = {
        path[: i + 1]
        for unit in (programme.coaching_unit, programme.organiser_unit)
        for path in [unit.path]
        for i, ch in enumerate(path)
        if ch == "/" and i > 0
    }
    q |= Q(user__roles__role="coach", user__roles__unit__path__in=sorted(above))
    if group is not None:
        q |= Q(coached_groups=group)
    return Person.objects.filter(q).select_related("unit").distinct().order_by("name")


# Programmes ------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    status = request.GET.get("status", "")
    programmes = (
        programmes_visible_to(user)
        .select_related("organiser_unit", "coaching_unit")
        .annotate(n_participants=Count("enrolments", filter=Enrolment.active_q("enrolments")))
        .order_by("-start_date", "title", "pk")
    )
    if status in Programme.Status.values:
        programmes = programmes.filter(status=status)
    else:
        status = ""
    page = Paginator(programmes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/programme_list.html",
        {
            "page": page,
            "programmes": page.object_list,
            "status": status,
            "statuses": Programme.Status.choices,
            "can_create": is_organiser(user),
        },
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    units = _organiser_units(user)
    form = ProgrammeForm(request.POST or None, organiser_units=units, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(**form.service_fields(), acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The programme was created."))
            return redirect("programmes:programme-detail", programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    units = _organiser_units(user) | Unit.objects.filter(pk=programme.organiser_unit_id)
    form = ProgrammeForm(
        request.POST or None,
        initial=ProgrammeForm.initial_for(programme),
        organiser_units=units.distinct(),
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(
                programme, **form.service_fields(programme.pass_criteria), acting_user=user
            )
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("programmes:programme-detail", programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = (
        programmes_visible_to(user)
        .select_related("organiser_unit", "coaching_unit")
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        raise Http404
    groups = (
        groups_visible_to(user)
        .filter(programme=programme)
        .annotate(n_participants=Count("enrolments", filter=Enrolment.active_q("enrolments")))
        .prefetch_related("coaches")
        .order_by("name")
    )
    sessions = (
        Session.objects.filter(
            group__in=groups_visible_to(user).filter(programme=programme),
            ends_at__gte=timezone.now(),
        )
        .select_related("group", "module", "coach")
        .order_by("starts_at")[:20]
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "manage": can_manage(user, programme),
            "staff": is_programme_staff(user, programme),
            "modules": programme.modules.all(),
            "groups": groups,
            "sessions": sessions,
            "criteria": programme.pass_criteria or {},
        },
    )


# Modules ---------------------------------------------------------------------------------


@login_required
def module_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_module(programme, **form.cleaned_data, acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The module was added."))
            return redirect("programmes:programme-detail", programme.pk)
    return render(
        request,
        "programmes/module_form.html",
        {"form": form, "programme": programme, "module": None},
    )


@login_required
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    module = _managed_module(user, pk)
    initial = {"title": module.title, "summary": module.summary, "order": module.order}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data["order"] is None:
            data["order"] = module.order
        try:
            services.update_module(module, **data, acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The module was saved."))
            return redirect("programmes:programme-detail", module.programme_id)
    return render(
        request,
        "programmes/module_form.html",
        {"form": form, "programme": module.programme, "module": module},
    )


@login_required
@require_POST
def module_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    module = _managed_module(user, pk)
    try:
        services.remove_module(module, acting_user=user)
    except services.ProgrammesError as error:
        messages.error(request, str(error.message))
        return redirect("programmes:module-edit", module.pk)
    messages.success(request, _("The module was removed."))
    return redirect("programmes:programme-detail", module.programme_id)


# Groups ----------------------------------------------------------------------------------


@login_required
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = GroupForm(request.POST or None, coaches=_coach_candidates(programme))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                programme,
                name=form.cleaned_data["name"],
                coaches=form.cleaned_data["coaches"],
                acting_user=user,
            )
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The group was created."))
            return redirect("programmes:group-detail", group.pk)
    return render(request, "programmes/group_form.html", {"form": form, "programme": programme})


def _search_people(user: User, q: str) -> list[Person]:
    """People the user may see whose name or NIP matches, for enrolling."""
    q = q.strip()
    if len(q) < 2:
        return []
    digits = "".join(ch for ch in q if ch.isdigit())
    cond = Q(name__icontains=q)
    if len(digits) >= 4:
        cond |= Q(nip__contains=digits)
    return list(
        people_enrollable_by(user)
        .filter(cond)
        .select_related("unit")
        .order_by("name")[:SEARCH_LIMIT]
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = groups_visible_to(user).select_related("programme").filter(pk=pk).first()
    if group is None:
        raise Http404
    manage = can_manage(user, group.programme)
    q = request.GET.get("q", "") if manage else ""
    results = _search_people(user, q) if manage else []
    if manage and request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "programmes/_person_results.html",
            {"group": group, "results": results, "q": q},
        )
    enrolments = enrolments_visible_to(user).filter(group=group).select_related("person__unit")
    active = [e for e in enrolments if e.status == ACTIVE]
    history = sorted(
        (e for e in enrolments if e.status != ACTIVE),
        key=lambda e: e.ended_at or e.enrolled_at,
        reverse=True,
    )
    coaches = list(group.coaches.select_related("unit").order_by("name"))
    context: dict[str, object] = {
        "group": group,
        "programme": group.programme,
        "manage": manage,
        "coaches": coaches,
        "active": active,
        "history": history,
        "sessions": list(
            group.sessions.filter(ends_at__gte=timezone.now())
            .select_related("module", "coach")
            .order_by("starts_at")[:10]
        ),
        "q": q,
        "results": results,
    }
    context["coaches_me"] = any(c.user_id == request.user.pk for c in coaches)
    if manage:
        context["other_groups"] = list(group.programme.groups.exclude(pk=group.pk).order_by("name"))
        context["coaches_form"] = CoachesForm(
            initial={"coaches": [c.pk for c in coaches]},
            coaches=_coach_candidates(group.programme, group),
        )
    return render(request, "programmes/group_detail.html", context)


@login_required
@require_POST
def group_coaches(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = _managed_group(user, pk)
    form = CoachesForm(request.POST, coaches=_coach_candidates(group.programme, group))
    if not form.is_valid():
        messages.error(request, _("Choose coaches from the list."))
        return redirect("programmes:group-detail", group.pk)
    try:
        services.set_group_coaches(group, form.cleaned_data["coaches"], acting_user=user)
    except services.ProgrammesError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The coaches were saved."))
    return redirect("programmes:group-detail", group.pk)


@login_required
@require_POST
def group_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = _managed_group(user, pk)
    form = EnrolForm(request.POST, people=people_enrollable_by(user))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("person", [])))
        return redirect("programmes:group-detail", group.pk)
    person = form.cleaned_data["person"]
    try:
        services.enrol_participant(group, person, acting_user=user)
    except services.ProgrammesError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(name)s is enrolled in this group.") % {"name": person.full_name}
        )
    return redirect("programmes:group-detail", group.pk)


@login_required
@require_POST
def enrolment_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    enrolment = _managed_enrolment(user, pk)
    groups = enrolment.programme.groups.exclude(pk=enrolment.group_id)
    form = MoveParticipantForm(request.POST, groups=groups)
    if not form.is_valid():
        messages.error(request, _("Choose a group and give a reason to move a participant."))
        return redirect("programmes:group-detail", enrolment.group_id)
    try:
        new = services.move_participant(
            enrolment, form.cleaned_data["to_group"], form.cleaned_data["reason"], acting_user=user
        )
    except services.ProgrammesError as error:
        messages.error(request, str(error.message))
        return redirect("programmes:group-detail", enrolment.group_id)
    messages.success(
        request,
        _("%(name)s moved to group %(group)s.")
        % {"name": enrolment.person.full_name, "group": new.group.name},
    )
    return redirect("programmes:group-detail", enrolment.group_id)


@login_required
@require_POST
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    enrolment = _managed_enrolment(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to withdraw a participant."))
        return redirect("programmes:group-detail", enrolment.group_id)
    try:
        services.withdraw_participant(enrolment, form.cleaned_data["reason"], acting_user=user)
    except services.ProgrammesError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(name)s was withdrawn.") % {"name": enrolment.person.full_name}
        )
    return redirect("programmes:group-detail", enrolment.group_id)


# Sessions --------------------------------------------------------------------------------


@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    group = _managed_group(user, pk)
    form = SessionForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(group, **form.service_fields(), acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The session was planned."))
            return redirect("programmes:session-detail", session.pk)
    return render(
        request, "programmes/session_form.html", {"form": form, "group": group, "session": None}
    )


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    session = _managed_session(user, pk)
    form = SessionForm(
        request.POST or None, initial=SessionForm.initial_for(session), group=session.group
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session, **form.service_fields(), acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("programmes:session-detail", session.pk)
    return render(
        request,
        "programmes/session_form.html",
        {"form": form, "group": session.group, "session": session},
    )


def _session_page(
    request: HttpRequest,
    session: Session,
    *,
    manage: bool,
    cancel_form: ReasonForm | None = None,
    move_form: MoveSessionForm | None = None,
) -> HttpResponse:
    context: dict[str, object] = {
        "session": session,
        "group": session.group,
        "programme": session.group.programme,
        "manage": manage,
        # Coaches of the group and organisers run its check-in and roll.
        "runs": manage or session.group.coaches.filter(user=request.user.pk).exists(),
    }
    if manage and session.status == Session.Status.PLANNED:
        context["cancel_form"] = cancel_form or ReasonForm(prefix="cancel")
        context["move_form"] = move_form or MoveSessionForm(
            prefix="move", initial=MoveSessionForm.times_initial(session)
        )
    return render(request, "programmes/session_detail.html", context)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    session = (
        sessions_visible_to(user)
        .select_related("group__programme", "module", "coach", "moved_to", "moved_from")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return _session_page(request, session, manage=can_manage(user, session.group.programme))


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    session = _managed_session(user, pk)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.cancel_session(session, form.cleaned_data["reason"], acting_user=user)
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The session was cancelled."))
            return redirect("programmes:session-detail", session.pk)
    return _session_page(request, session, manage=True, cancel_form=form)


@login_required
@require_POST
def session_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    session = _managed_session(user, pk)
    form = MoveSessionForm(request.POST, prefix="move")
    if form.is_valid():
        try:
            new = services.move_session(
                session,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except services.ProgrammesError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The session was moved."))
            return redirect("programmes:session-detail", new.pk)
    return _session_page(request, session, manage=True, move_form=form)
