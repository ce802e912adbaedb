import datetime
import math
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cakap.core.errors import DomainError
from cakap.core.formatting import clock
from cakap.people import (
    invitations,
    reads,
    roster,
    roster_targets,
    roster_units,
    services,
    throttle,
)
from cakap.people.access import (
    get_person_for_editing,
    get_person_for_user,
    is_organiser,
    people_editable_by,
    people_visible_to,
    sees_in_full,
    units_managed_by,
    units_visible_to,
)
from cakap.people.forms import (
    PasswordResetRequestForm,
    PersonForm,
    RosterUploadForm,
    UnitMappingForm,
)
from cakap.people.identity import signed_in
from cakap.people.models import Person, Unit, User
from cakap.people.queries import search_people
from cakap.people.views import logins


def _try_again(until: datetime.datetime | None) -> str:
    """'Try again after 10:45 WIB (in about 15 minutes).', or a plain 'later'."""
    if until is None:
        return _("Try again in a few minutes.")
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Try again after %(time)s (in about %(minutes)s minute).",
        "Try again after %(time)s (in about %(minutes)s minutes).",
        minutes,
    ) % {"time": clock(until), "minutes": minutes}


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Mapping[str, object] | None = None,
    *args: object,
    **kwargs: object,
) -> HttpResponse:
    """Shown instead of the login form when too many attempts failed (django-axes),
    saying when to try again."""
    until = throttle.login_paused_until(request, credentials)
    response = render(
        request, "registration/locked_out.html", {"try_again": _try_again(until)}, status=429
    )
    if until is not None:
        response["Retry-After"] = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per typed email and per address
    (throttle.reset_request_refused_until); a refusal says when to try again and is the
    same for an email that has an account and one that has none."""

    form_class = PasswordResetRequestForm
    template_name = "people/auth/password_reset_form.html"
    email_template_name = "people/auth/password_reset_email.txt"
    subject_template_name = "people/auth/password_reset_subject.txt"
    success_url = reverse_lazy("people:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        until = throttle.reset_request_refused_until(self.request, form.cleaned_data["email"])
        if until is None:
            # Cakap's name and address, from settings, rather than the request's host.
            self.extra_email_context = invitations.site_context()
            return super().form_valid(form)
        form.add_error(
            None,
            _("Too many password-reset requests from here or for this email. %(when)s")
            % {"when": _try_again(until)},
        )
        response = self.form_invalid(form)
        response.status_code = 429
        return response


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if not is_organiser(request.user):  # type: ignore[arg-type]
        raise Http404
    people = people_visible_to(request.user).select_related("unit")  # type: ignore[arg-type]
    q = request.GET.get("q", "").strip()
    people = search_people(people, q)
    page = Paginator(people.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    # Logins go to people the organiser manages who have none: ticked, or all at once.
    without = people_editable_by(signed_in(request)).filter(pk__in=people.values("pk"))
    context = {"page": page, "q": q, "without_login": without.filter(user__isnull=True).count()}
    return render(request, "people/person_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    person = get_person_for_user(user, pk)
    if person.user_id != user.pk:
        reads.record_read(
            user,
            reads.Kind.PROFILE,
            scope=reads.Scope.PERSON,
            scope_id=person.pk,
            person_id=person.pk,
        )
    can_edit = people_editable_by(user).filter(pk=person.pk).exists()
    context = {"person": person, "can_edit": can_edit, "full": sees_in_full(user, person)}
    if can_edit:
        context.update(logins.person_context(request, person))
    return render(request, "people/person_detail.html", context)


def _require_organiser(request: HttpRequest) -> User:
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    return user


def _save_person(request: HttpRequest, form: PersonForm, person: Person | None) -> Person | None:
    """Hand the form's values to the service; a refusal becomes a form error."""
    user = signed_in(request)
    data = dict(form.cleaned_data)
    nip = data.pop("superior", "")
    if nip:
        # Only among the people the organiser sees; a NIP outside names no one.
        data["superior"] = people_visible_to(user).filter(nip=nip).first()
        if data["superior"] is None:
            form.add_error("superior", _("No person you can see has this NIP."))
            return None
    elif person is not None:
        data["superior"] = None
    try:
        if person is None:
            return services.create_person(
                nip=data.pop("nip"),
                name=data.pop("name"),
                unit=data.pop("unit"),
                **data,
                acting_user=user,
            )
        return services.update_person(person, **data, acting_user=user)
    except DomainError as err:
        field = getattr(err, "field", None)
        form.add_error(field if field in form.fields else None, str(err.message))
        return None


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user = _require_organiser(request)
    form = PersonForm(request.POST or None, units=units_managed_by(user))
    if request.method == "POST" and form.is_valid():
        person = _save_person(request, form, None)
        if person is not None:
            messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
            return redirect("people:person-detail", person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    person = get_person_for_editing(user, pk)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    initial["superior"] = person.superior.nip if person.superior else ""
    form = PersonForm(request.POST or None, initial=initial, units=units_managed_by(user))
    if request.method == "POST" and form.is_valid():
        saved = _save_person(request, form, person)
        if saved is not None:
            messages.success(
                request, _("Changes to %(name)s were saved.") % {"name": saved.full_name}
            )
            return redirect("people:person-detail", saved.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    """The unit tree, each unit under its parent, in one query."""
    user = _require_organiser(request)
    units = list(units_visible_to(user).order_by("path"))
    managed = set(units_managed_by(user).values_list("pk", flat=True))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent, []).append(unit)

    def branch(parent: int | None) -> list[dict[str, object]]:
        children = sorted(by_parent.get(parent, []), key=lambda u: u.name.casefold())
        return [{"unit": u, "managed": u.pk in managed, "children": branch(u.pk)} for u in children]

    return render(request, "people/unit_tree.html", {"nodes": branch(None)})


_IMPORT_SESSION_KEY = "people_roster_import"


def _pending_import(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(_IMPORT_SESSION_KEY)
    return pending if isinstance(pending, dict) else None


def _forget_import(request: HttpRequest) -> None:
    pending = request.session.pop(_IMPORT_SESSION_KEY, None)
    if isinstance(pending, dict):
        roster.discard_upload(str(pending.get("token", "")))


def _unit_map(pending: dict[str, Any], units: Any) -> dict[str, Unit]:
    """The organiser's mapping of this file's unit names, {key: unit}, limited to `units`
    (their reach now: a unit taken out of it since no longer counts)."""
    raw = pending.get("unit_map")
    if not isinstance(raw, dict) or not raw:
        return {}
    ids = {int(v) for v in raw.values() if isinstance(v, int)}
    found = {u.pk: u for u in units.filter(pk__in=ids)}
    return {str(k): found[v] for k, v in raw.items() if v in found}


def _mapping_forms(
    plan: roster.RosterPlan, units: Any, data: Any = None
) -> list[tuple[roster_units.UnknownUnit, UnitMappingForm]]:
    return [
        (
            entry,
            UnitMappingForm(
                data,
                prefix=f"u{i}",
                initial={"text": entry.text, "new_name": entry.text, "choice": ""},
                suggestions=[(s.id, s.label) for s in entry.suggestions],
                units=units,
            ),
        )
        for i, entry in enumerate(plan.unknown_units)
    ]


def _pending_roster(
    request: HttpRequest, units: Any
) -> tuple[dict[str, Any], bytes, Unit | None] | HttpResponse | None:
    """The upload waiting for confirmation: its record, its bytes and its default unit;
    None when nothing waits; a redirect (with a message) when its file is gone."""
    pending = _pending_import(request)
    if pending is None:
        return None
    data = roster.load_upload(str(pending.get("token", "")))
    if data is None:
        request.session.pop(_IMPORT_SESSION_KEY, None)
        messages.error(request, _("The uploaded file is no longer available. Upload it again."))
        return redirect("people:roster-import")
    unit_default = units.filter(pk=pending.get("unit_default") or 0).first()
    return pending, data, unit_default


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    """Upload a roster (POST) and see what each row would do (GET) before confirming.

    The uploaded file waits in storage under a random token kept in the session, and is
    read again on confirmation (`roster_import_confirm`), so app servers keep no state
    of their own.
    """
    user = _require_organiser(request)
    units = units_managed_by(user)
    form = RosterUploadForm(units=units)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(roster.MAX_FILE_BYTES + 1)
            unit_default = form.cleaned_data["unit_default"]
            try:
                roster.read_roster(user, data, upload.name, unit_default)
            except roster.RosterFileError as err:
                form.add_error("file", str(err.message))
            else:
                _forget_import(request)
                request.session[_IMPORT_SESSION_KEY] = {
                    "token": roster.stash_upload(data),
                    "filename": upload.name,
                    "unit_default": unit_default.pk if unit_default else None,
                }
                return redirect("people:roster-import")

    found = _pending_roster(request, units)
    if isinstance(found, HttpResponse):
        return found
    plan = pending = None
    mapping_forms: list[Any] = []
    if found is not None:
        pending, data, unit_default = found
        try:
            plan = roster.read_roster(
                user,
                data,
                str(pending.get("filename", "")),
                unit_default,
                _unit_map(pending, units),
            )
        except roster.RosterFileError as err:
            _forget_import(request)
            messages.error(request, str(err.message))
            return redirect("people:roster-import")
        pending = {**pending, "unit_default_name": unit_default.name if unit_default else ""}
        mapping_forms = _mapping_forms(plan, units)
    context = {
        "form": form,
        "plan": plan,
        "pending": pending,
        "Action": roster.Action,
        "mapping_forms": mapping_forms,
        "targets": roster_targets.targets_for(user) if plan else [],
    }
    return render(request, "people/roster_import.html", context)


@require_POST
@login_required
def roster_import_units(request: HttpRequest) -> HttpResponse:
    """The organiser's answers for the unit names of the waiting roster that name no
    single unit: map each to a unit (remembered as an alias, so the next file matches,
    and kept for this file) or create it. All answers are saved together or none."""
    user = _require_organiser(request)
    units = units_managed_by(user)
    found = _pending_roster(request, units)
    if found is None:
        messages.info(request, _("No roster is waiting to be imported. Upload one first."))
        return redirect("people:roster-import")
    if isinstance(found, HttpResponse):
        return found
    pending, data, unit_default = found
    try:
        plan = roster.read_roster(
            user, data, str(pending.get("filename", "")), unit_default, _unit_map(pending, units)
        )
    except roster.RosterFileError as err:
        _forget_import(request)
        messages.error(request, str(err.message))
        return redirect("people:roster-import")
    forms = _mapping_forms(plan, units, request.POST)
    if not all(form.is_valid() for _entry, form in forms):
        for entry, form in forms:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"{entry.text}: {error}")
        return redirect("people:roster-import")
    unit_map = dict(pending.get("unit_map") or {})
    saved = remembered = 0
    try:
        with transaction.atomic():
            for entry, form in forms:
                choice = form.cleaned_data.get("choice", "")
                if form.cleaned_data.get("text") != entry.text or choice == form.LATER:
                    continue
                if choice == form.NEW:
                    unit = roster_units.create_unit_for_name(
                        entry.text,
                        name=form.cleaned_data.get("new_name") or entry.text,
                        kind=form.cleaned_data.get("kind") or Unit.Kind.OTHER,
                        parent=form.cleaned_data["parent"],
                        acting_user=user,
                    )
                    remembered += 1
                else:
                    chosen = units.filter(pk=form.chosen_unit_id() or 0).first()
                    if chosen is None:
                        raise services.UnitError(
                            "choose_unit",
                            _("“%(name)s”: choose the unit.") % {"name": entry.text},
                        )
                    unit = chosen
                    remembered += roster_units.remember_mapping(entry.text, unit, acting_user=user)
                unit_map[entry.key] = unit.pk
                saved += 1
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("people:roster-import")
    request.session[_IMPORT_SESSION_KEY] = {**pending, "unit_map": unit_map}
    if saved:
        messages.success(
            request,
            ngettext(
                "%(n)d unit name mapped; %(kept)d remembered for the next files.",
                "%(n)d unit names mapped; %(kept)d remembered for the next files.",
                saved,
            )
            % {"n": saved, "kept": remembered},
        )
    return redirect("people:roster-import")


@require_POST
@login_required
def roster_import_confirm(request: HttpRequest) -> HttpResponse:
    """Save every valid row of the upload waiting in the session; nothing waits: back
    to the upload page, which says so."""
    user = _require_organiser(request)
    found = _pending_roster(request, units_managed_by(user))
    if found is None:
        messages.info(request, _("No roster is waiting to be imported. Upload one first."))
        return redirect("people:roster-import")
    if isinstance(found, HttpResponse):
        return found
    pending, data, unit_default = found
    units = units_managed_by(user)
    try:
        result = roster.apply_roster(
            data,
            str(pending.get("filename", "")),
            unit_default,
            acting_user=user,
            unit_map=_unit_map(pending, units),
            target=request.POST.get("target", "").strip(),
        )
    except roster.RosterFileError as err:
        messages.error(request, str(err.message))
        return redirect("people:roster-import")
    _forget_import(request)
    messages.success(
        request,
        _(
            "Roster imported: %(created)d added, %(updated)d updated, "
            "%(unchanged)d unchanged, %(skipped)d skipped with problems."
        )
        % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        },
    )
    report = result.enrolment
    if report is not None:
        messages.success(
            request,
            _("Enrolled in %(group)s: %(enrolled)d; already in it: %(already)d.")
            % {
                "group": report.target.label,
                "enrolled": len(report.enrolled),
                "already": len(report.already),
            },
        )
        if report.already:
            messages.info(
                request,
                _("Already in this group, not enrolled again: %(people)s.")
                % {"people": "; ".join(p.full_name for p in report.already)},
            )
        if report.elsewhere:
            messages.warning(
                request,
                _("In another group of this programme, left there: %(people)s.")
                % {
                    "people": "; ".join(
                        f"{person.full_name} ({group})" for person, group in report.elsewhere
                    )
                },
            )
    return redirect("people:person-list")


@require_POST
@login_required
def roster_import_cancel(request: HttpRequest) -> HttpResponse:
    """Forget the upload waiting in the session and remove its file."""
    _require_organiser(request)
    _forget_import(request)
    return redirect("people:roster-import")
