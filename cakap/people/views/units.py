"""The unit pages: add, change (rename, move), merge, and the other names (aliases) a
unit goes by. Organisers within their own subtree, administrators everywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cakap.core.errors import DomainError
from cakap.people import services
from cakap.people.access import get_unit_for_managing, is_admin, is_organiser, units_managed_by
from cakap.people.forms import UnitAliasForm, UnitForm, UnitMergeForm
from cakap.people.identity import signed_in
from cakap.people.models import Unit, UnitAlias, User


def _require_organiser(request: HttpRequest) -> User:
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    return user


def _form_error(form: UnitForm | UnitMergeForm | UnitAliasForm, err: DomainError) -> None:
    field = getattr(err, "field", None)
    form.add_error(field if field in form.fields else None, str(err.message))


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    user = _require_organiser(request)
    parents = units_managed_by(user)
    initial: dict[str, object] = {"kind": Unit.Kind.DINAS}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = parents.filter(pk=int(parent_id)).first()
    form = UnitForm(request.POST or None, initial=initial, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.create_unit(
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                parent=data["parent"],
                acting_user=user,
            )
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": unit.name})
            return redirect("people:unit-edit", unit.pk)
    return render(request, "people/unit_form.html", {"form": form, "unit": None})


def _parents(user: User, unit: Unit) -> QuerySet[Unit]:
    """Where `unit` may go: the units `user` manages outside its own subtree, and where it
    is now (so that keeping it there is no move, even above the user's scope)."""
    return Unit.objects.filter(
        Q(pk__in=units_managed_by(user).exclude(path__startswith=unit.path).values("pk"))
        | Q(pk=unit.parent_id or 0)
    )


def _unit_page(
    request: HttpRequest,
    user: User,
    unit: Unit,
    form: UnitForm | None = None,
    alias_form: UnitAliasForm | None = None,
    status: int = 200,
) -> HttpResponse:
    parents = _parents(user, unit)
    form = form or UnitForm(
        initial={
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "parent": unit.parent_id,
        },
        parents=parents,
    )
    context = {
        "unit": unit,
        "form": form,
        "alias_form": alias_form or UnitAliasForm(),
        "aliases": list(unit.aliases.order_by("name")),
        "people_count": unit.people.count(),
        "children": list(unit.children.order_by("name")),
        "is_admin": is_admin(user),
    }
    return render(request, "people/unit_form.html", context, status=status)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a unit's name, short name and kind, and where it belongs (a move, with its
    whole subtree)."""
    user = signed_in(request)
    unit = get_unit_for_managing(user, pk)
    if request.method != "POST":
        return _unit_page(request, user, unit)
    form = UnitForm(request.POST, parents=_parents(user, unit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.update_unit(
                    unit,
                    name=data["name"],
                    short_name=data["short_name"],
                    kind=data["kind"],
                    acting_user=user,
                )
                if (data["parent"].pk if data["parent"] else None) != unit.parent_id:
                    services.move_unit(unit, data["parent"], acting_user=user)
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": data["name"]})
            return redirect("people:unit-edit", unit.pk)
    unit.refresh_from_db()
    return _unit_page(request, user, unit, form=form, status=400)


@login_required
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a unit into another (GET: choose it and see what moves)."""
    user = signed_in(request)
    unit = get_unit_for_managing(user, pk)
    targets = units_managed_by(user).exclude(path__startswith=unit.path)
    form = UnitMergeForm(request.POST or None, units=targets)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.merge_units(unit, form.cleaned_data["into"], acting_user=user)
        except DomainError as err:
            _form_error(form, err)
        else:
            moved = ", ".join(f"{n} {label}" for label, n in result.moved.items()) or _("nothing")
            messages.success(
                request,
                _("%(unit)s was merged into %(into)s; moved: %(moved)s.")
                % {"unit": unit.name, "into": result.into.name, "moved": moved},
            )
            return redirect("people:unit-edit", result.into.pk)
    context = {
        "unit": unit,
        "form": form,
        "people_count": unit.people.count(),
        "children_count": unit.children.count(),
    }
    return render(request, "people/unit_merge.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def unit_alias_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    unit = get_unit_for_managing(user, pk)
    form = UnitAliasForm(request.POST)
    if form.is_valid():
        try:
            alias = services.add_unit_alias(unit, form.cleaned_data["alias"], acting_user=user)
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(
                request,
                _("Rosters may now name %(unit)s “%(alias)s”.")
                % {"unit": unit.name, "alias": alias.name},
            )
            return redirect("people:unit-edit", unit.pk)
    return _unit_page(request, user, unit, alias_form=form, status=400)


@require_POST
@login_required
def unit_alias_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    unit = get_unit_for_managing(user, pk)
    raw = request.POST.get("alias", "")
    alias = UnitAlias.objects.filter(unit=unit, pk=int(raw)).first() if raw.isdigit() else None
    if alias is None:
        messages.info(request, _("That other name was already removed."))
    else:
        services.remove_unit_alias(alias, acting_user=user)
        messages.success(request, _("“%(alias)s” was removed.") % {"alias": alias.name})
    return redirect("people:unit-edit", unit.pk)
