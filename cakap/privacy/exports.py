"""A person's data as a file: a ZIP holding `data.json` (every value as text, numbers and
true/false; times in ISO 8601 UTC) and `data.html`, a page to read in any browser, in the
language of the request."""

import datetime
import decimal
import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cakap.core import formatting
from cakap.core.personal_data import Table, Value
from cakap.privacy.queries import Export

FORMAT = "cakap-personal-data/1"


def _json_value(value: Value) -> object:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _rows(table: Table) -> list[dict[str, object]]:
    return [{k: _json_value(v) for k, v in row.items()} for row in table.rows]


def as_json(export: Export) -> str:
    data = {
        "format": FORMAT,
        "generated_at": _json_value(export.generated_at),
        "person_id": export.person.pk,
        "sections": {s.key: {t.key: _rows(t) for t in s.tables} for s in export.sections},
        "processing": {t.key: _rows(t) for t in export.processing},
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _shown(value: Value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return f"{formatting.long_date(value)} {formatting.clock(value)}"
    if isinstance(value, datetime.date):
        return formatting.long_date(value)
    return str(value)


def _shown_table(table: Table) -> dict[str, object]:
    columns = [title for _key, title in table.columns]
    return {
        "key": table.key,
        "title": table.title,
        "record": table.record,
        "columns": columns,
        "rows": table.rows,
        "pairs": [list(zip(columns, map(_shown, row), strict=True)) for row in table.cells()],
    }


def as_html(export: Export) -> str:
    return render_to_string(
        "privacy/export.html",
        {
            "export": export,
            "sections": [
                {"title": s.title, "tables": [_shown_table(t) for t in s.tables]}
                for s in export.sections
            ],
            "processing": [_shown_table(t) for t in export.processing],
            "generated": _shown(export.generated_at),
        },
    )


def as_zip(export: Export) -> bytes:
    """The ZIP of the JSON file and the readable page."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", as_json(export))
        archive.writestr("data.html", as_html(export))
    return buffer.getvalue()


def filename(export: Export) -> str:
    return f"cakap-my-data-{export.generated_at.astimezone(formatting.JAKARTA):%Y%m%d-%H%M}.zip"
