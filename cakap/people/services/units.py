"""Changes to the unit tree: add, rename (the old names stay as aliases), move with the
subtree, merge one unit into another, and the aliases rosters name a unit by. The same
contract as the other people services (cakap.people.services)."""

import dataclasses
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from cakap.core import audit
from cakap.core.text import NUL_MESSAGE, has_nul
from cakap.people.access import is_admin, scope_paths, under
from cakap.people.models import RoleAssignment, Unit, UnitAlias, User
from cakap.people.services.errors import UnitConflictError, UnitError, UnitForbiddenError
from cakap.people.services.people import _in_scope
from cakap.people.unit_matching import unit_key

Role = RoleAssignment.Role


@transaction.atomic
def create_unit(
    *,
    acting_user: User | None,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
) -> Unit:
    """Add a government unit. Administrators may add anywhere; organisers only below a
    unit in their scope; a top-level unit needs an administrator."""
    name = " ".join((name or "").split())
    short_name = " ".join((short_name or "").split())
    if not name:
        raise UnitError("name_required", _("Name is required."), field="name")
    if len(name) > 200 or len(short_name) > 60:
        raise UnitError("too_long", _("The name or short name is too long."), field="name")
    if kind not in Unit.Kind.values:
        raise UnitError("invalid_kind", _("This is not a known kind of unit."), field="kind")
    if (
        acting_user is not None
        and not is_admin(acting_user)
        and (parent is None or not _in_scope(parent, scope_paths(acting_user, Role.ORGANISER)))
    ):
        raise UnitForbiddenError("forbidden", _("You may not add a unit here."), field="parent")
    if Unit.objects.filter(parent=parent, name__iexact=name).exists():
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="name"
        )
    unit = Unit(name=name, short_name=short_name, kind=kind, parent=parent)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="name"
        ) from None
    audit.record("unit.create", unit, acting_user=acting_user)
    return unit


class UnitChanges(TypedDict, total=False):
    """The fields of a unit `update_unit` may change; each given one is set."""

    name: str
    short_name: str
    kind: str


def _organiser_may(actor: User | None, unit: Unit | None) -> bool:
    """Whether `actor` may change `unit` (None: the top of the tree, administrators only)."""
    if actor is None or is_admin(actor):
        return True
    return unit is not None and _in_scope(unit, scope_paths(actor, Role.ORGANISER))


def _require_unit_scope(unit: Unit | None, message: Any, *, acting_user: User | None) -> None:
    if not _organiser_may(acting_user, unit):
        raise UnitForbiddenError("forbidden", message, field="parent")


def _clean_unit_text(name: str, value: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if has_nul(text):
        raise UnitError("invalid", NUL_MESSAGE, field=name)
    if len(text) > limit:
        raise UnitError(
            "too_long",
            _("%(field)s is longer than %(n)d characters.")
            % {
                "field": {"name": _("Name"), "short_name": _("Short name")}.get(name, name),
                "n": limit,
            },
            field=name,
        )
    return text


def _sibling_clash(parent: Unit | None, name: str, exclude: Unit | None = None) -> bool:
    siblings = Unit.objects.filter(parent=parent, name__iexact=name)
    return (siblings.exclude(pk=exclude.pk) if exclude else siblings).exists()


def _duplicate_unit() -> UnitError:
    return UnitConflictError(
        "duplicate_unit", _("A unit with this name already exists there."), field="name"
    )


def _units_in_reach(actor: User | None) -> "models.QuerySet[Unit]":
    if actor is None or is_admin(actor):
        return Unit.objects.all()
    return Unit.objects.filter(under(scope_paths(actor, Role.ORGANISER), "path"))


def _key_owner(key: str, unit: Unit, *, acting_user: User | None) -> Unit | None:
    """Another unit within the actor's reach that `key` already names (by its name, short
    name or an alias), or None. An alias names one unit (decision 79)."""
    reach = _units_in_reach(acting_user).exclude(pk=unit.pk)
    by_alias = reach.filter(aliases__key=key).first()
    if by_alias is not None:
        return by_alias
    for other in reach.only("pk", "name", "short_name", "path", "parent_id"):
        if key in (unit_key(other.name), unit_key(other.short_name)):
            return other
    return None


def _alias(unit: Unit, name: str, *, acting_user: User | None) -> UnitAlias | None:
    """Add `name` as an alias of `unit` unless the unit already goes by it; None when it
    does. Raises when the name already names another unit in reach."""
    key = unit_key(name)
    if not key:
        raise UnitError("alias_required", _("Type the other name of the unit."), field="alias")
    if key in (unit_key(unit.name), unit_key(unit.short_name)):
        return None
    existing = UnitAlias.objects.filter(unit=unit, key=key).first()
    if existing is not None:
        return None
    owner = _key_owner(key, unit, acting_user=acting_user)
    if owner is not None:
        raise UnitConflictError(
            "alias_taken",
            _("“%(alias)s” already names %(unit)s.") % {"alias": name, "unit": owner.name},
            field="alias",
        )
    alias = UnitAlias(unit=unit, name=name)
    try:
        with transaction.atomic():
            alias.save()
    except IntegrityError:  # a concurrent request added it first
        return None
    audit.record(
        "unit.alias_add", unit, after={"alias": name, "alias_id": alias.pk}, acting_user=acting_user
    )
    return alias


@transaction.atomic
def add_unit_alias(unit: Unit, name: str, *, acting_user: User | None) -> UnitAlias:
    """Let rosters name `unit` by `name` too (matched without case, spaces or
    punctuation). Adding an alias the unit already has returns it; a name that already
    names another unit in the actor's reach is refused."""
    _require_unit_scope(unit, _("You may not change this unit."), acting_user=acting_user)
    name = _clean_unit_text("name", name, 200)
    created = _alias(unit, name, acting_user=acting_user)
    if created is not None:
        return created
    found = UnitAlias.objects.filter(unit=unit, key=unit_key(name)).first()
    if found is None:
        raise UnitConflictError(
            "alias_is_name", _("This is already the unit's name or short name."), field="alias"
        )
    return found


@transaction.atomic
def remove_unit_alias(alias: UnitAlias, *, acting_user: User | None) -> None:
    """Forget an alias; rosters that use it then need the unit mapped again. Removing an
    alias that is already gone does nothing."""
    _require_unit_scope(alias.unit, _("You may not change this unit."), acting_user=acting_user)
    deleted, _counts = UnitAlias.objects.filter(pk=alias.pk).delete()
    if deleted:
        audit.record(
            "unit.alias_remove",
            alias.unit,
            before={"alias": alias.name, "alias_id": alias.pk},
            acting_user=acting_user,
        )


@transaction.atomic
def update_unit(unit: Unit, *, acting_user: User | None, **fields: Unpack[UnitChanges]) -> Unit:
    """Rename a unit or change its short name or kind. The old name and short name stay
    as aliases, so that rosters with the older name still match (decision 79)."""
    _require_unit_scope(unit, _("You may not change this unit."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    clean: dict[str, str] = {}
    if "name" in fields:
        clean["name"] = _clean_unit_text("name", fields["name"], 200)
        if not clean["name"]:
            raise UnitError("name_required", _("Name is required."), field="name")
    if "short_name" in fields:
        clean["short_name"] = _clean_unit_text("short_name", fields["short_name"], 60)
    if "kind" in fields:
        if fields["kind"] not in Unit.Kind.values:
            raise UnitError("invalid_kind", _("This is not a known kind of unit."), field="kind")
        clean["kind"] = fields["kind"]
    changed = [name for name, value in clean.items() if getattr(unit, name) != value]
    if not changed:
        return unit
    if "name" in changed and _sibling_clash(unit.parent, clean["name"], exclude=unit):
        raise _duplicate_unit()
    before = audit.snapshot(unit, changed)
    old_names = [getattr(unit, n) for n in ("name", "short_name") if n in changed]
    for name in changed:
        setattr(unit, name, clean[name])
    try:
        with transaction.atomic():
            unit.save(update_fields=changed)
    except IntegrityError:
        raise _duplicate_unit() from None
    audit.record(
        "unit.update",
        unit,
        before=before,
        after=audit.snapshot(unit, changed),
        acting_user=acting_user,
    )
    for old in old_names:
        if old:
            try:
                with transaction.atomic():
                    _alias(unit, old, acting_user=acting_user)
            except UnitError:
                pass  # the old name names another unit now: it cannot point here too
    return unit


def _repath(unit: Unit, parent: Unit | None) -> None:
    """Put `unit` under `parent` and recompute the path of its whole subtree."""
    old = unit.path
    new = f"{parent.path if parent else '/'}{unit.pk}/"
    longest = max(
        len(p) for p in Unit.objects.filter(path__startswith=old).values_list("path", flat=True)
    )
    if longest - len(old) + len(new) > Unit._meta.get_field("path").max_length:  # type: ignore[operator]
        raise UnitError("too_deep", _("The unit tree would be too deep there."), field="parent")
    Unit.objects.filter(pk=unit.pk).update(parent=parent)
    Unit.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", len(old) + 1), output_field=models.CharField())
    )
    unit.refresh_from_db(fields=["parent", "path"])


@transaction.atomic
def move_unit(unit: Unit, parent: Unit | None, *, acting_user: User | None) -> Unit:
    """Put a unit (with its whole subtree) under another parent. Both must be within the
    actor's scope, so an organiser can neither move a unit out of their subtree nor lift
    the unit their role is anchored at; a unit cannot go under itself or its own
    descendants; the top of the tree is for administrators."""
    _require_unit_scope(unit, _("You may not move this unit."), acting_user=acting_user)
    _require_unit_scope(parent, _("You may not move a unit there."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    if (parent.pk if parent else None) == unit.parent_id:
        return unit
    if parent is not None and parent.path.startswith(unit.path):
        raise UnitError(
            "cycle", _("A unit cannot be put under itself or one of its own units."), field="parent"
        )
    if _sibling_clash(parent, unit.name, exclude=unit):
        raise UnitConflictError(
            "duplicate_unit", _("A unit with this name already exists there."), field="parent"
        )
    before = {"parent_id": unit.parent_id, "path": unit.path}
    _repath(unit, parent)
    audit.record(
        "unit.move",
        unit,
        before=before,
        after={"parent_id": unit.parent_id, "path": unit.path},
        acting_user=acting_user,
    )
    return unit


@dataclasses.dataclass
class MergeResult:
    """What a merge moved, per kind of record (their verbose names), and the aliases it
    added."""

    into: Unit
    moved: dict[str, int] = dataclasses.field(default_factory=dict)
    aliases: list[str] = dataclasses.field(default_factory=list)


def _references(model: type[models.Model]) -> list["models.ForeignKey[Any, Any]"]:
    """Every foreign key to `model` in the project, in any app, whether it has a reverse
    accessor or not."""
    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            fk = rel.remote_field
            if isinstance(fk, models.ForeignKey):
                found.append(fk)
    return found


def _unique_partners(fk: "models.ForeignKey[Any, Any]") -> list[list[str]]:
    """For each plain unique constraint that includes `fk`, its other fields."""
    meta = fk.model._meta
    sets = [list(s) for s in meta.unique_together]
    sets += [
        list(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    return [
        [f for f in s if f not in (fk.name, fk.attname)]
        for s in sets
        if fk.name in s or fk.attname in s
    ]


@transaction.atomic
def merge_units(unit: Unit, into: Unit, *, acting_user: User | None) -> MergeResult:
    """Merge `unit` into `into`: everything that names `unit` (its people, its child units,
    role assignments, programmes, frameworks, any record with a foreign key to a unit)
    moves to `into`; `unit`'s name and short name become aliases of `into`, and `unit` is
    removed. Refused into the unit itself or one of its own descendants, and outside the
    actor's scope. A child unit whose name `into` already has below it is refused by
    name (merge those two first)."""
    _require_unit_scope(unit, _("You may not merge this unit."), acting_user=acting_user)
    _require_unit_scope(into, _("You may not merge into this unit."), acting_user=acting_user)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    into = Unit.objects.select_for_update().get(pk=into.pk)
    if into.path.startswith(unit.path):
        raise UnitError(
            "merge_into_own",
            _("A unit cannot be merged into itself or one of its own units."),
            field="into",
        )
    clashes = sorted(
        set(unit.children.values_list("name", flat=True)).intersection(
            into.children.values_list("name", flat=True)
        )
    )
    if clashes:
        raise UnitConflictError(
            "child_clash",
            _("Both units have a unit named %(names)s below them. Merge those first.")
            % {"names": ", ".join(f"“{n}”" for n in clashes)},
            field="into",
        )
    result = MergeResult(into=into)
    moved_ids: dict[str, list[int]] = {}
    for child in list(unit.children.order_by("pk")):
        _repath(child, into)
        moved_ids.setdefault("children", []).append(child.pk)
    for fk in _references(Unit):
        if fk.model is Unit:
            continue  # the children, moved with their subtrees above
        rows = fk.model._base_manager.filter(**{fk.name: unit})
        for partners in _unique_partners(fk):
            if not partners:
                continue
            taken = set(fk.model._base_manager.filter(**{fk.name: into}).values_list(*partners))
            clash = [r for r in rows.values_list("pk", *partners) if tuple(r[1:]) in taken]
            if not clash:
                continue
            if fk.model in (RoleAssignment, UnitAlias) or fk.model._meta.auto_created:
                # The same grant, alias or link already exists on `into`: the copy adds nothing.
                fk.model._base_manager.filter(pk__in=[r[0] for r in clash]).delete()
            else:
                raise UnitConflictError(
                    "merge_clash",
                    _("%(things)s of both units would clash; change them first.")
                    % {"things": fk.model._meta.verbose_name_plural},
                    field="into",
                )
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            fk.model._base_manager.filter(pk__in=ids).update(**{fk.name: into})
            label = f"{fk.model._meta.label_lower}.{fk.name}"
            moved_ids[label] = ids
            plural = str(fk.model._meta.verbose_name_plural)
            result.moved[plural] = result.moved.get(plural, 0) + len(ids)
    if "children" in moved_ids:
        result.moved[str(Unit._meta.verbose_name_plural)] = len(moved_ids["children"])
    before = {"merged_unit_id": unit.pk, **audit.snapshot(unit, ["name", "short_name", "path"])}
    unit.delete()
    for old in (unit.name, unit.short_name):
        try:
            with transaction.atomic():
                if old and _alias(into, old, acting_user=acting_user) is not None:
                    result.aliases.append(old)
        except UnitError:
            pass  # another unit in reach goes by this name: it cannot point here too
    audit.record(
        "unit.merge",
        into,
        before=before,
        after={"moved": moved_ids, "aliases": result.aliases},
        acting_user=acting_user,
    )
    return result
