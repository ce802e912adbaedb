"""Frameworks as files: read YAML or XLSX into a plain spec, validate it naming every bad
row, write XLSX, and install a spec into the database (also from a migration).

A spec is JSON-ready so that a validated preview can travel back signed in a form:

    {"code", "name", "name_id", "description", "source",
     "levels": [{"number", "name", "name_id", "description"}],
     "areas": [{"code", "name", "name_id",
                "competences": [{"code", "name", "name_id", "description",
                                 "reference_value"}]}]}
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cakap.core import spreadsheets

if TYPE_CHECKING:  # migrations import this module; it needs no model at run time
    from cakap.competence.models import Framework

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = ("literasi-digital.yaml", "digcomp-2.2.yaml")
MAX_ROWS = 2000
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

Spec = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One bad row or field: where it is (sheet and row, or YAML path), which field, why."""

    where: str
    field: str
    message: str | Promise

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "field": self.field, "message": str(self.message)}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _names(raw: object) -> tuple[str, str]:
    """A name as {en, id} or one string used for both."""
    if isinstance(raw, dict):
        en, idn = _text(raw.get("en")), _text(raw.get("id"))
        return en or idn, idn
    return _text(raw), ""


# ---------------------------------------------------------------- validation


def validate(spec: Spec, places: dict[str, str] | None = None) -> list[Problem]:
    """Everything wrong with a spec. `places` maps internal paths ("levels.2") to the
    row a person will recognise ("levels, row 4")."""
    places = places or {}
    problems: list[Problem] = []

    def bad(path: str, field: str, message: str | Promise) -> None:
        problems.append(Problem(places.get(path, path), field, message))

    if not SLUG.match(spec.get("code", "")):
        bad("framework", "code", _("Give a code of letters, digits and hyphens."))
    if not spec.get("name"):
        bad("framework", "name", _("Give the framework a name."))
    numbers: set[int] = set()
    for i, level in enumerate(spec.get("levels", [])):
        number = level.get("number")
        if not isinstance(number, int) or number < 0 or number > 100:
            bad(f"levels.{i}", "number", _("A level number is a whole number from 0 to 100."))
        elif number in numbers:
            bad(f"levels.{i}", "number", _("This level number is used twice."))
        else:
            numbers.add(number)
        if not level.get("name"):
            bad(f"levels.{i}", "name", _("Give the level a name."))
    if len(spec.get("levels", [])) < 2:
        bad("levels", "levels", _("A framework needs at least two proficiency levels."))
    area_codes: set[str] = set()
    competence_codes: set[str] = set()
    n_competences = 0
    for i, area in enumerate(spec.get("areas", [])):
        code = area.get("code", "")
        if not code:
            bad(f"areas.{i}", "area_code", _("Give the area a code."))
        elif code in area_codes:
            bad(f"areas.{i}", "area_code", _("This area code is used twice."))
        area_codes.add(code)
        if not area.get("name"):
            bad(f"areas.{i}", "area_name", _("Give the area a name."))
        for j, comp in enumerate(area.get("competences", [])):
            n_competences += 1
            path = f"areas.{i}.competences.{j}"
            ccode = comp.get("code", "")
            if not ccode or len(ccode) > 20:
                bad(path, "code", _("Give the competence a code of at most 20 characters."))
            elif ccode in competence_codes:
                bad(path, "code", _("This competence code is used twice."))
            competence_codes.add(ccode)
            if not comp.get("name"):
                bad(path, "name", _("Give the competence a name."))
            if comp.get("reference_value") not in (None, ""):
                try:
                    Decimal(str(comp["reference_value"]))
                except InvalidOperation:
                    bad(path, "reference_value", _("The reference value is not a number."))
    if n_competences == 0:
        bad("areas", "competences", _("A framework needs at least one competence."))
    return problems


# ---------------------------------------------------------------- YAML


def spec_from_mapping(data: Any) -> Spec:
    """A spec from parsed YAML (a mapping); unknown keys are ignored."""
    if not isinstance(data, dict):
        data = {}
    name, name_id = _names(data.get("name"))
    levels = []
    for level in data.get("levels") or []:
        level = level if isinstance(level, dict) else {}
        lname, lname_id = _names(level.get("name"))
        number = level.get("number")
        levels.append(
            {
                "number": number if isinstance(number, int) else _text(number),
                "name": lname,
                "name_id": lname_id,
                "description": _text(level.get("description")),
            }
        )
    areas = []
    for area in data.get("areas") or []:
        area = area if isinstance(area, dict) else {}
        aname, aname_id = _names(area.get("name"))
        comps = []
        for comp in area.get("competences") or []:
            comp = comp if isinstance(comp, dict) else {}
            cname, cname_id = _names(comp.get("name"))
            ref = comp.get("reference_value")
            comps.append(
                {
                    "code": _text(comp.get("code")),
                    "name": cname,
                    "name_id": cname_id,
                    "description": _text(comp.get("description")),
                    "reference_value": None if ref in (None, "") else str(ref),
                }
            )
        areas.append(
            {
                "code": _text(area.get("code")),
                "name": aname,
                "name_id": aname_id,
                "competences": comps,
            }
        )
    return {
        "code": _text(data.get("code")),
        "name": name,
        "name_id": name_id,
        "description": _text(data.get("description")),
        "source": _text(data.get("source")),
        "levels": levels,
        "areas": areas,
    }


def read_yaml(content: bytes) -> tuple[Spec, list[Problem]]:
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, [Problem("file", "", _("This is not a readable YAML file: %s") % exc)]
    spec = spec_from_mapping(data)
    places = {f"levels.{i}": f"levels[{i + 1}]" for i in range(len(spec["levels"]))}
    for i, area in enumerate(spec["areas"]):
        places[f"areas.{i}"] = f"areas[{i + 1}]"
        for j in range(len(area["competences"])):
            places[f"areas.{i}.competences.{j}"] = f"areas[{i + 1}].competences[{j + 1}]"
    return spec, validate(spec, places)


def load_shipped(filename: str) -> Spec:
    return spec_from_mapping(yaml.safe_load((DATA_DIR / filename).read_text("utf-8")))


# ---------------------------------------------------------------- XLSX

LEVEL_COLUMNS = ["number", "name", "name_id", "description"]
COMPETENCE_COLUMNS = [
    "area_code",
    "area_name",
    "area_name_id",
    "code",
    "name",
    "name_id",
    "description",
    "reference_value",
]
FRAMEWORK_KEYS = ["code", "name", "name_id", "description", "source"]


def _rows(sheet: spreadsheets.SheetRows) -> list[tuple[int, dict[str, str]]]:
    """(row number, {header: text}) for each non-empty row below the header."""
    rows = iter(sheet.rows)
    header = [_text(h).lower() for h in next(rows, (0, ()))[1]]
    out = []
    for number, row in rows:
        if number > MAX_ROWS:
            break
        values = {header[i]: _text(v) for i, v in enumerate(row) if i < len(header) and header[i]}
        if any(values.values()):
            out.append((number, values))
    return out


def read_xlsx(content: bytes) -> tuple[Spec, list[Problem]]:
    """Sheets `framework` (key, value), `levels` and `competences`, headers as written
    by `write_xlsx`."""
    try:
        wb = {s.title: s for s in spreadsheets.read_workbook(content, max_rows=MAX_ROWS)}
    except spreadsheets.DamagedWorkbookError as exc:
        return {}, [Problem("file", "", exc.message)]
    missing = [s for s in ("framework", "levels", "competences") if s not in wb]
    if missing:
        return {}, [
            Problem("file", s, _("The workbook has no sheet named “%s”.") % s) for s in missing
        ]
    info = {}
    for _number, row in wb["framework"].rows:
        if row and row[0]:
            info[_text(row[0]).lower()] = _text(row[1] if len(row) > 1 else "")
    places: dict[str, str] = {}
    levels = []
    problems: list[Problem] = []
    for i, (number, values) in enumerate(_rows(wb["levels"])):
        places[f"levels.{i}"] = str(_("levels, row %d") % number)
        raw = values.get("number", "")
        try:
            value: int | str = int(float(raw))
        except ValueError:
            value = raw
        levels.append(
            {
                "number": value,
                "name": values.get("name", ""),
                "name_id": values.get("name_id", ""),
                "description": values.get("description", ""),
            }
        )
    areas: dict[str, dict[str, Any]] = {}
    for number, crow in _rows(wb["competences"]):
        code = crow.get("area_code", "")
        if code not in areas:
            places[f"areas.{len(areas)}"] = str(_("competences, row %d") % number)
            areas[code] = {
                "code": code,
                "name": crow.get("area_name", ""),
                "name_id": crow.get("area_name_id", ""),
                "competences": [],
            }
        area = areas[code]
        places[f"areas.{list(areas).index(code)}.competences.{len(area['competences'])}"] = str(
            _("competences, row %d") % number
        )
        area["competences"].append(
            {
                "code": crow.get("code", ""),
                "name": crow.get("name", ""),
                "name_id": crow.get("name_id", ""),
                "description": crow.get("description", ""),
                "reference_value": crow.get("reference_value") or None,
            }
        )
    spec = {
        "code": info.get("code", ""),
        "name": info.get("name", ""),
        "name_id": info.get("name_id", ""),
        "description": info.get("description", ""),
        "source": info.get("source", ""),
        "levels": levels,
        "areas": list(areas.values()),
    }
    places["framework"] = str(_("framework sheet"))
    return spec, problems + validate(spec, places)


def write_xlsx(spec: Spec) -> bytes:
    """A workbook that `read_xlsx` reads back as the same spec."""
    book = spreadsheets.Book()
    ws = book.sheet("framework")
    for key in FRAMEWORK_KEYS:
        ws.append([key, spec.get(key, "")])
    levels = book.sheet("levels")
    levels.append(LEVEL_COLUMNS)
    for level in spec["levels"]:
        levels.append([level[c] for c in LEVEL_COLUMNS])
    comps = book.sheet("competences")
    comps.append(COMPETENCE_COLUMNS)
    for area in spec["areas"]:
        for comp in area["competences"]:
            comps.append(
                [area["code"], area["name"], area["name_id"]]
                + [comp.get(c) or "" for c in COMPETENCE_COLUMNS[3:]]
            )
    return book.to_bytes()


# ---------------------------------------------------------------- install


def install(
    spec: Spec,
    models: dict[str, Any],
    *,
    builtin: bool,
    owner_unit: Model | None = None,
    created_by: Model | None = None,
) -> Any:
    """Create or replace the framework `spec["code"]` and its parts.

    `models` holds the classes Framework, Level, Area, Competence: the real ones, or a
    migration's historical ones. Areas, competences and levels are matched by code or
    number and updated in place, so scores that point at them survive a reload. An owner
    unit and creator are set only when given (a shipped framework has neither).
    """
    extra: dict[str, object] = {"builtin": builtin}
    if owner_unit is not None:
        extra["owner_unit"] = owner_unit
    if created_by is not None:
        extra["created_by"] = created_by
    framework_model = models["Framework"]
    framework, _created = framework_model.objects.update_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "name_id": spec.get("name_id", ""),
            "description": spec.get("description", ""),
            "source": spec.get("source", ""),
            **extra,
        },
    )
    for level in spec["levels"]:
        models["Level"].objects.update_or_create(
            framework=framework,
            number=level["number"],
            defaults={
                "name": level["name"],
                "name_id": level.get("name_id", ""),
                "description": level.get("description", ""),
            },
        )
    order = 0
    for a_order, area_spec in enumerate(spec["areas"], start=1):
        area, _c = models["Area"].objects.update_or_create(
            framework=framework,
            code=area_spec["code"],
            defaults={
                "name": area_spec["name"],
                "name_id": area_spec.get("name_id", ""),
                "order": a_order,
            },
        )
        for comp in area_spec["competences"]:
            order += 1
            ref = comp.get("reference_value")
            models["Competence"].objects.update_or_create(
                framework=framework,
                code=comp["code"],
                defaults={
                    "area": area,
                    "name": comp["name"],
                    "name_id": comp.get("name_id", ""),
                    "description": comp.get("description", ""),
                    "order": order,
                    "reference_value": Decimal(str(ref)) if ref not in (None, "") else None,
                },
            )
    return framework


def spec_of(framework: "Framework") -> Spec:
    """The spec of a framework in the database (for export)."""
    return {
        "code": framework.code,
        "name": framework.name,
        "name_id": framework.name_id,
        "description": framework.description,
        "source": framework.source,
        "levels": [
            {
                "number": lv.number,
                "name": lv.name,
                "name_id": lv.name_id,
                "description": lv.description,
            }
            for lv in framework.levels.all()
        ],
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "name_id": area.name_id,
                "competences": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "name_id": c.name_id,
                        "description": c.description,
                        "reference_value": None
                        if c.reference_value is None
                        else str(c.reference_value),
                    }
                    for c in area.competences.all()
                ],
            }
            for area in framework.areas.all()
        ],
    }
