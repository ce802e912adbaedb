"""The shape in which an app hands over its part of a person's data (UU 27/2022).

Every app that keeps something about a person has a `personal_data` module with
`export(person) -> list[Table]` (its records about them), `audit_refs(person)` (the
objects of theirs whose audit entries are their processing history) and, where it has
any, `active_since(since)` (the people with activity there since then) and
`anonymise(person, *, acting_user)` (retention's part in it). cakap/privacy finds the
modules by name, so a new app adds its part by adding its module.
"""

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise

# What a cell may hold: plain values, written as text in the JSON and on the page.
Value = str | int | bool | None | datetime.datetime | datetime.date | decimal.Decimal


@dataclass
class Table:
    """One kind of record about the person: a stable key for the JSON file, a heading
    and column headings (translated) for the readable page, and the rows."""

    key: str
    title: str | Promise
    columns: list[tuple[str, str | Promise]]
    rows: list[dict[str, Value]] = field(default_factory=list)
    # One record (the person, the login): shown field by field rather than as a table.
    record: bool = False

    def cells(self) -> list[list[Value]]:
        """The rows as lists in the order of the columns, for the page."""
        return [[row.get(key) for key, _ in self.columns] for row in self.rows]


# (object_type as the audit trail writes it, "people.person"; the objects' keys)
AuditRef = tuple[str, Iterable[object]]
