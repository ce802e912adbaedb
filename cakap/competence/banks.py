"""Question banks as XLSX: one row per item, read with a preview that names every bad row.

Columns: competence (the framework's code), type (single, multiple, true_false,
statement, check), text, option_a ... option_f, correct (letters "A" or "A,C";
for true_false "true" or "false"), points.
"""

import string
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.competence.models import Instrument, Item
from cakap.competence.services import MAX_OPTIONS, ItemSpec, check_item, competences_by_code
from cakap.core import spreadsheets

LETTERS = string.ascii_uppercase[:MAX_OPTIONS]
OPTION_COLUMNS = [f"option_{c.lower()}" for c in LETTERS]
COLUMNS = ["competence", "type", "text", *OPTION_COLUMNS, "correct", "points"]
MAX_ROWS = 2000
TRUE_WORDS = {"true", "benar", "b", "t", "ya", "yes", "1"}
FALSE_WORDS = {"false", "salah", "s", "f", "tidak", "no", "0"}


@dataclass
class BankRow:
    number: int
    spec: ItemSpec | None
    values: dict[str, str]
    problems: list[tuple[str, str | Promise]] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _correct(kind: str, raw: str, n_options: int) -> list[int] | None:
    raw = raw.strip().lower()
    if kind == Item.Kind.TRUE_FALSE:
        if raw in TRUE_WORDS:
            return [0]
        if raw in FALSE_WORDS:
            return [1]
        return None
    if kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE):
        letters = [p.strip().upper() for p in raw.replace(";", ",").split(",") if p.strip()]
        if not letters or any(p not in LETTERS[:n_options] for p in letters):
            return None
        return [LETTERS.index(p) for p in letters]
    return []


def read_bank(content: bytes, instrument: Instrument) -> tuple[list[BankRow], list[str]]:
    """Every row of the first sheet, each with its problems; and file-level problems."""
    try:
        sheets = spreadsheets.read_workbook(content, max_rows=MAX_ROWS)
    except spreadsheets.DamagedWorkbookError as exc:
        return [], [str(exc.message)]
    rows = iter(sheets[0].rows if sheets else [])
    header = [_text(h).lower() for h in next(rows, (0, ()))[1]]
    missing = [c for c in ("competence", "type", "text") if c not in header]
    if missing:
        return [], [str(_("The first row must name the columns; missing: %s") % ", ".join(missing))]
    competences = competences_by_code(instrument)
    out: list[BankRow] = []
    for number, raw in rows:
        values = {header[i]: _text(v) for i, v in enumerate(raw) if i < len(header) and header[i]}
        if not any(values.values()):
            continue
        if number > MAX_ROWS:
            return out, [str(_("A bank may have at most %d rows.") % (MAX_ROWS - 1))]
        options = [values.get(c, "") for c in OPTION_COLUMNS]
        while options and not options[-1]:
            options.pop()
        row = BankRow(number, None, values)
        kind = values.get("type", "").lower()
        if "" in options:
            row.problems.append(
                ("options", _("Options must be filled from option_a without gaps."))
            )
        correct = _correct(kind, values.get("correct", ""), len(options))
        if correct is None:
            row.problems.append(
                ("correct", _("Name the right option(s) as letters, or true/false."))
            )
            correct = []
        try:
            points = int(values.get("points") or 1)
        except ValueError:
            points = 0
        spec = ItemSpec(
            values.get("competence", ""), kind, values.get("text", ""), options, correct, points
        )
        for problem in check_item(instrument, spec, competences):
            if problem[0] not in {p[0] for p in row.problems}:
                row.problems.append(problem)
        if not row.problems:
            row.spec = spec
        out.append(row)
    if not out:
        return out, [str(_("The file has no items."))]
    return out, []


def write_bank(instrument: Instrument) -> bytes:
    """The instrument's items in the format `read_bank` reads."""
    book = spreadsheets.Book()
    ws = book.sheet("items")
    ws.append(COLUMNS)
    for item in instrument.items.select_related("competence").order_by("order", "pk"):
        options = list(item.options) + [""] * (MAX_OPTIONS - len(item.options))
        if item.kind == Item.Kind.TRUE_FALSE:
            correct = "true" if item.correct == [0] else "false"
        elif item.kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE):
            correct = ",".join(LETTERS[i] for i in item.correct)
        else:
            correct = ""
        ws.append([item.competence.code, item.kind, item.text, *options, correct, item.points])
    return book.to_bytes()
