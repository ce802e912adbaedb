"""axe-core in the browser tests: run it on the page a test has open and report what it
finds. The script is vendored beside this module (static/vendor/VENDORED.md records its
version and source) and is never served to users: the test hands it to the page through
Playwright's evaluate, which the page's Content Security Policy does not govern."""

from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, object]]:
    """axe's violations on the open page whose impact is one of `impacts`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source() + "\n;true")
    return [v for v in page.evaluate(_RUN) if v["impact"] in impacts]


def describe(found: list[dict[str, object]]) -> str:
    """One line per violation and its first nodes, for an assertion's message."""
    lines = []
    for v in found:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']})")
        lines.extend(f"    {node}" for node in v["nodes"])  # type: ignore[attr-defined]
    return "\n".join(lines)
