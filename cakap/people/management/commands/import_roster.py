"""`manage.py import_roster PATH [--dry-run] [--unit-default NAME] [--map "NAME=UNIT_ID"]...
[--group GROUP_ID]`: the page's import, from the command line, acting as the system.

Unit names of the file that name no unit are listed with the closest units as
suggestions; `--map` says which unit a name means (remembered as an alias unless
`--dry-run`, as the page does), `--group` enrols everyone imported into a group."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cakap.core.errors import DomainError
from cakap.people.roster import (
    Action,
    RosterFileError,
    apply_roster,
    find_unit,
    read_roster,
)
from cakap.people.roster_targets import find_target
from cakap.people.roster_units import parse_mapping, remember_mapping
from cakap.people.unit_matching import unit_key as name_key


class Command(BaseCommand):
    help = "Import civil servants from a BKPSDM roster (.xlsx or .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .xlsx or .csv file")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, change nothing"
        )
        parser.add_argument(
            "--unit-default",
            metavar="NAME",
            default="",
            help="unit (name or short name) for new people whose unit cell is empty",
        )
        parser.add_argument(
            "--map",
            metavar="NAME=UNIT_ID",
            action="append",
            default=[],
            help="the unit a unit name of the file means (repeat for each name)",
        )
        parser.add_argument(
            "--group",
            metavar="GROUP_ID",
            default="",
            help="also enrol everyone imported into this group",
        )

    def _mapping(self, pairs: list[str]) -> list[tuple[str, int]]:
        found = []
        for pair in pairs:
            name, sep, unit_id = pair.rpartition("=")
            if not sep or not name.strip() or not unit_id.strip().isdigit():
                raise CommandError(f"--map {pair!r}: write it as NAME=UNIT_ID.")
            found.append((name.strip(), int(unit_id)))
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CommandError(f"Cannot read {path}: {err.strerror}") from None
        unit_default = None
        if options["unit_default"]:
            unit_default = find_unit(None, options["unit_default"])
            if unit_default is None:
                raise CommandError(f"No single unit is called {options['unit_default']!r}.")
        pairs = self._mapping(options["map"])
        try:
            unit_map = parse_mapping(None, pairs)
        except DomainError as err:
            raise CommandError(str(err)) from None
        target = f"group:{options['group']}" if options["group"] else ""
        if target and find_target(None, target) is None:
            raise CommandError(f"No open group has the id {options['group']!r}.")
        try:
            plan = read_roster(None, data, path.name, unit_default, unit_map)
        except RosterFileError as err:
            raise CommandError(str(err)) from None
        for entry in plan.unknown_units:
            lines = ", ".join(str(n) for n in entry.lines)
            self.stderr.write(f"Unit {entry.text!r} (rows {lines}) names no single unit.")
            for s in entry.suggestions:
                self.stderr.write(f'  suggestion: --map "{entry.text}={s.id}"  ({s.label})')
            if not entry.suggestions:
                self.stderr.write("  no unit has a similar name")
        for row in plan.rows:
            for problem in row.problems:
                self.stderr.write(f"Row {row.line}: {problem}")
            if row.action != Action.SKIP:
                for note in row.dropped:
                    self.stderr.write(f"Row {row.line}: {note}")
            if row.action == Action.UPDATE:
                changes = "; ".join(
                    f"{k}: {old!r} -> {new!r}" for k, (old, new) in row.changes.items()
                )
                self.stdout.write(f"Row {row.line}: update {row.nip_grouped} ({changes})")
            elif row.action == Action.CREATE:
                self.stdout.write(f"Row {row.line}: create {row.nip_grouped} {row.full_name}")
        for other in plan.not_people:
            self.stdout.write(f"Row {other.line}: not a person, not imported: {other.text}")
        counts = plan.counts
        summary = (
            f"{counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, "
            f"{counts[Action.UNCHANGED]} unchanged, {counts[Action.SKIP]} skipped with problems"
        )
        if plan.with_values_left_out:
            summary += f", {plan.with_values_left_out} with a phone or email left out"
        if plan.not_people:
            summary += f", {len(plan.not_people)} rows that are not people"
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {summary}. Nothing was changed.")
            return
        try:
            with transaction.atomic():  # the aliases are kept only with the import
                for name, _unit_id in pairs:
                    if not remember_mapping(name, unit_map[name_key(name)], acting_user=None):
                        self.stderr.write(f"{name!r} names another unit too: for this file only.")
                result = apply_roster(
                    data,
                    path.name,
                    unit_default,
                    acting_user=None,
                    unit_map=unit_map,
                    target=target,
                )
        except RosterFileError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.skipped} skipped with problems."
            )
        )
        report = result.enrolment
        if report is not None:
            self.stdout.write(
                f"Enrolled in {report.target.label}: {len(report.enrolled)}; "
                f"already in it: {len(report.already)}."
            )
            for person in report.already:
                self.stdout.write(f"  already enrolled: {person.nip_grouped} {person.full_name}")
            for person, group in report.elsewhere:
                self.stdout.write(
                    f"  in group {group} of this programme, left there: "
                    f"{person.nip_grouped} {person.full_name}"
                )
