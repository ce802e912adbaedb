"""Charts rendered on the server to SVG by matplotlib (Agg), so that a page and a later
PDF report draw the same picture. Pages show each chart beside a table of its numbers.

The figures are built with matplotlib's object API (no pyplot state), which is safe
in a threaded server. SVGs carry no date and fixed element ids, so the same data
gives the same bytes.
"""

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib import rcParams  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

rcParams["svg.hashsalt"] = "cakap"
rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, accessible
rcParams["font.family"] = "sans-serif"

BRAND = "#0b6e4f"
PRE_COLOUR = "#9aa3af"
HEAT = LinearSegmentedColormap.from_list("cakap", ["#fdecea", "#fff4e0", "#e1f2e6", BRAND])


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def data_uri(svg: str) -> str:
    """The SVG as a data: URI for an <img>: an image document keeps its own styles,
    which the page's strict CSP would refuse inline."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)[:3]) or label


def pre_post_bars(
    labels: Sequence[str],
    pre: Sequence[float | None],
    post: Sequence[float | None],
    *,
    pre_label: str,
    post_label: str,
    axis_label: str,
) -> str:
    """Horizontal bars, pre and post per competence, on a 0-100 scale."""
    n = max(len(labels), 1)
    fig = Figure(figsize=(6.4, 0.55 * n + 1.1))
    ax = fig.subplots()
    ys = list(range(len(labels)))
    height = 0.38
    ax.barh(
        [y - height / 2 for y in ys],
        [v or 0 for v in pre],
        height,
        label=pre_label,
        color=PRE_COLOUR,
    )
    ax.barh(
        [y + height / 2 for y in ys], [v or 0 for v in post], height, label=post_label, color=BRAND
    )
    ax.set_yticks(ys, [_wrap(s) for s in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(axis_label, fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(
        fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / n), ncol=2, frameon=False
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    colour_label: str,
) -> str:
    """Participants by competences, coloured by score 0-100; a blank cell has no score.
    The columns are named by the competences' names (wrapped), not their codes."""
    n_rows, n_cols = max(len(rows), 1), max(len(columns), 1)
    fig = Figure(figsize=(min(1.4 + 0.7 * n_cols, 14), 1.6 + 0.32 * n_rows))
    ax = fig.subplots()
    grid = [[float("nan") if v is None else v for v in row] for row in values] or [[float("nan")]]
    image = ax.imshow(grid, cmap=HEAT, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(
        range(len(columns)),
        [_wrap(c, 20) for c in columns],
        fontsize=7,
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(len(rows)), [_wrap(r, 24) for r in rows], fontsize=7)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v is not None:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6)
    bar = fig.colorbar(image, ax=ax, fraction=0.04)
    bar.set_label(colour_label, fontsize=7)
    bar.ax.tick_params(labelsize=7)
    return _svg(fig)
