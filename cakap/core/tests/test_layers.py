"""The layers hold: core imports no other Cakap app, and no migration imports Cakap code.

Read from the source with ast, so that an import inside a function counts as much as
one at the top. Core's own tests are left out: the scope sweep, the API fuzz run and
the other site-wide tests in cakap/core/tests drive every app by design, and no code
imports them.
"""

import ast
from pathlib import Path

import cakap

CAKAP = Path(cakap.__file__).resolve().parent
CORE = CAKAP / "core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(CAKAP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # `from cakap import people` names the app in the alias, not the module.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _cakap_part(module: str) -> str | None:
    """The Cakap package a module belongs to ("people" for cakap.people.models)."""
    parts = module.split(".")
    if parts[0] != "cakap":
        return None
    return parts[1] if len(parts) > 1 else ""


def _core_files() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "tests" not in p.relative_to(CORE).parts)


def test_core_imports_no_other_cakap_app():
    files = _core_files()
    assert CORE / "migrations" / "0001_initial.py" in files  # migrations are walked too
    wrong = [
        f"{path.relative_to(CAKAP.parent)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if _cakap_part(module) not in (None, "core")
    ]
    assert wrong == []


def test_no_migration_imports_cakap_code():
    migrations = sorted(CAKAP.glob("*/migrations/*.py"))
    assert len(migrations) > 10
    wrong = [
        f"{path.relative_to(CAKAP.parent)}:{line} imports {module}"
        for path in migrations
        for line, module in _imports(path)
        if _cakap_part(module) is not None
    ]
    assert wrong == []


def test_the_walk_sees_every_kind_of_import(tmp_path, monkeypatch):
    """The checks above would pass vacuously if the walk missed an import form."""
    fake = tmp_path / "cakap" / "core"
    fake.mkdir(parents=True)
    source = fake / "mod.py"
    source.write_text(
        "import cakap.people.models\n"
        "from cakap.programmes import services\n"
        "from .. import attendance\n"
        "def later():\n"
        "    from cakap.competence.models import Framework\n"
        "from . import audit\n"
    )
    monkeypatch.setattr(f"{__name__}.CAKAP", tmp_path / "cakap")
    parts = sorted(str(_cakap_part(module)) for _line, module in _imports(source))
    assert parts == ["attendance", "competence", "core", "people", "programmes"]
