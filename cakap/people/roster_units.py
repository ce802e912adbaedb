"""The roster import's units: which unit each "Unit Kerja" cell names, what to suggest
for a name that names none, and the organiser's answer (map it to a unit, remembered
as an alias, or create the unit).

A cell names a unit when it equals (without case, spaces or punctuation) the name,
short name or an alias of exactly one unit in the importer's reach, or when the
organiser mapped that name for this file. The rules of the suggestions are pure and
live in `unit_matching`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cakap.core.errors import DomainError
from cakap.people import services
from cakap.people.access import units_managed_by
from cakap.people.models import Unit, UnitAlias, User
from cakap.people.unit_matching import Candidate, Suggestion, suggest, unit_key


def units_for_import(actor: User | None) -> list[Unit]:
    """Units an import by `actor` may place people in (the system: every unit)."""
    return list(Unit.objects.all() if actor is None else units_managed_by(actor))


class UnitIndex:
    """Units by every key they go by: name, short name and aliases."""

    def __init__(self, units: Iterable[Unit], aliases: Iterable[tuple[int, str]] = ()) -> None:
        self.units = list(units)
        by_id = {u.pk: u for u in self.units}
        names: dict[int, list[str]] = {u.pk: [u.name, u.short_name] for u in self.units}
        for unit_id, alias in aliases:
            if unit_id in names:
                names[unit_id].append(alias)
        self._names = names
        self._by_key: dict[str, list[Unit]] = {}
        for unit_id, texts in names.items():
            for text in texts:
                key = unit_key(text or "")
                if key and by_id[unit_id] not in self._by_key.get(key, []):
                    self._by_key.setdefault(key, []).append(by_id[unit_id])

    def find(self, text: str) -> list[Unit]:
        return self._by_key.get(unit_key(text), [])

    def candidates(self, among: Iterable[Unit] | None = None) -> list[Candidate]:
        return [
            Candidate(u.pk, u.name, tuple(t for t in self._names[u.pk] if t))
            for u in (self.units if among is None else among)
        ]


def unit_index(actor: User | None) -> UnitIndex:
    """The index of the units in `actor`'s reach: two queries."""
    units = units_for_import(actor)
    aliases = UnitAlias.objects.filter(unit__in=[u.pk for u in units]).values_list(
        "unit_id", "name"
    )
    return UnitIndex(units, aliases)


def find_unit(actor: User | None, text: str) -> Unit | None:
    """The one unit in `actor`'s reach that `text` names, or None."""
    found = unit_index(actor).find(text)
    return found[0] if len(found) == 1 else None


@dataclass
class UnknownUnit:
    """A unit name of the file that names no single unit, with what to offer for it."""

    text: str  # as the file first writes it
    lines: list[int] = field(default_factory=list)
    ambiguous: list[Unit] = field(default_factory=list)  # the units it names, if several
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def key(self) -> str:
        return unit_key(self.text)


def resolve(
    index: UnitIndex, text: str, unit_map: Mapping[str, Unit] | None
) -> tuple[Unit | None, list[Unit]]:
    """The unit `text` names (the organiser's mapping first), or None with the several
    it names."""
    mapped = (unit_map or {}).get(unit_key(text))
    if mapped is not None:
        return mapped, []
    found = index.find(text)
    return (found[0], []) if len(found) == 1 else (None, found)


def note_unknown(
    unknown: dict[str, UnknownUnit], text: str, line: int, several: list[Unit]
) -> None:
    entry = unknown.setdefault(unit_key(text), UnknownUnit(text=text, ambiguous=several))
    entry.lines.append(line)


def with_suggestions(index: UnitIndex, unknown: dict[str, UnknownUnit]) -> list[UnknownUnit]:
    """The unknown names in the order the file first has them, each with its
    suggestions: for a name that names several units, those units, closest first."""
    for entry in unknown.values():
        among = entry.ambiguous or None
        limit = len(entry.ambiguous) if entry.ambiguous else 3
        entry.suggestions = suggest(entry.text, index.candidates(among), limit=limit)
        if entry.ambiguous and not entry.suggestions:
            entry.suggestions = [Suggestion(u.pk, u.name, 1.0) for u in entry.ambiguous]
    return sorted(unknown.values(), key=lambda e: e.lines[0])


def parse_mapping(actor: User | None, pairs: Iterable[tuple[str, int]]) -> dict[str, Unit]:
    """The mapping {name key: unit} from (name, unit id) pairs; raises DomainError naming
    the first unit id outside `actor`'s reach."""
    reach = {u.pk: u for u in units_for_import(actor)}
    mapping: dict[str, Unit] = {}
    for text, unit_id in pairs:
        if unit_id not in reach or not unit_key(text):
            raise services.UnitError(
                "unknown_unit",
                _("There is no unit %(id)s among your units for “%(name)s”.")
                % {"id": unit_id, "name": text},
                field="map",
            )
        mapping[unit_key(text)] = reach[unit_id]
    return mapping


def remember_mapping(text: str, unit: Unit, *, acting_user: User | None) -> bool:
    """Remember that rosters name `unit` as `text` (an alias), so the next file matches;
    False when that name also names another unit in reach, so only this import can use
    the mapping."""
    try:
        with transaction.atomic():
            services.add_unit_alias(unit, text, acting_user=acting_user)
    except services.UnitConflictError as err:
        return err.code == "alias_is_name"
    return True


def create_unit_for_name(
    text: str, *, name: str, kind: str, parent: Unit | None, acting_user: User | None
) -> Unit:
    """Create the unit a roster names (under `parent`, in the actor's scope); when it
    gets another name than the file's, the file's becomes its alias."""
    with transaction.atomic():
        unit = services.create_unit(
            name=name or text, kind=kind, parent=parent, acting_user=acting_user
        )
        if unit_key(name or text) != unit_key(text):
            try:
                with transaction.atomic():
                    services.add_unit_alias(unit, text, acting_user=acting_user)
            except DomainError:
                pass  # the file's name names another unit too: mapped for this file only
    return unit
