"""`manage.py import_roster PATH [--dry-run] [--unit-default NAME]`: the page's import, from
the command line, acting as the system."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cakap.people.roster import (
    Action,
    RosterFileError,
    apply_roster,
    find_unit,
    read_roster,
)


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
        try:
            plan = read_roster(None, data, path.name, unit_default)
        except RosterFileError as err:
            raise CommandError(str(err)) from None
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
            result = apply_roster(data, path.name, unit_default, acting_user=None)
        except RosterFileError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.skipped} skipped with problems."
            )
        )
