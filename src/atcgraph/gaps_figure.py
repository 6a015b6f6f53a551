"""The gap map as a figure for papers and slides (PNG and SVG), drawn with matplotlib.

Bubble area is the number of studies in a cell, the dark inner disc those with in vivo evidence,
a small grey dot an empty cell; empty categories keep their row or column. The SVG is
reproducible: a fixed hash salt for element ids and no creation date.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # no display: figures are files

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

if TYPE_CHECKING:
    from atcgraph.gaps import GapReport

ALL, VIVO, EMPTY, MISSING, GAP_BAND = "#9ecae1", "#08519c", "#b8c0c8", "#b2182b", "#fbeaea"


def figures(report: GapReport, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The figure in each of ``formats`` ("png", "svg"), drawn once."""
    m = report.matrix
    rows, columns = m.row_categories, m.column_categories
    most = max([c.n for c in m.cells.values()] + [1])
    scale = 620 / most  # marker area (points²) of the fullest cell
    with plt.rc_context({"svg.hashsalt": "atcgraph", "font.size": 9, "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=(1.6 + 0.62 * len(columns) + 2.4, 1.8 + 0.42 * len(rows) + 1.2))
        for y, row in enumerate(rows):
            for x, column in enumerate(columns):
                count = m.cell(row.iri, column.iri)
                if not count.n:
                    ax.scatter(x, y, s=6, color=EMPTY, linewidths=0)
                    continue
                ax.scatter(x, y, s=scale * count.n, color=ALL, linewidths=0)
                if count.in_vivo:
                    ax.scatter(x, y, s=scale * count.in_vivo, color=VIVO, linewidths=0)
                offset = 0.7 * math.sqrt(scale * count.n / math.pi) + 2  # just outside the bubble
                ax.annotate(str(count.n), (x, y), xytext=(offset, -offset), textcoords="offset points",
                            fontsize=7, fontweight="bold", ha="left", va="top")
        ax.set_xticks(range(len(columns)), [c.label for c in columns], rotation=50, ha="right")
        ax.set_yticks(range(len(rows)), [r.label for r in rows])
        empty = {c.iri for c in report.empty_rows} | {c.iri for c in report.empty_columns}
        for x, column in enumerate(columns):  # a whole category without a study: the plainest gap
            if column.iri in empty:
                ax.axvspan(x - 0.45, x + 0.45, color=GAP_BAND, zorder=0)
        for y, row in enumerate(rows):
            if row.iri in empty:
                ax.axhspan(y - 0.45, y + 0.45, color=GAP_BAND, zorder=0)
        for tick, category in [*zip(ax.get_xticklabels(), columns), *zip(ax.get_yticklabels(), rows)]:
            if category.iri in empty:
                tick.set_color(MISSING)
                tick.set_fontstyle("italic")
        ax.set_xlim(-0.6, len(columns) - 0.4)
        ax.set_ylim(len(rows) - 0.4, -0.6)
        ax.set_axisbelow(True)
        ax.grid(color="#e6e9ec", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(m.columns.title)
        ax.set_ylabel(m.rows.title)
        ax.set_title(f"{m.rows.title} × {m.columns.title}: {m.total.n} studies, {m.total.in_vivo} with in vivo "
                     f"evidence", loc="left", fontsize=10)
        sizes = sorted({1, max(1, most // 2), most})
        handles = [ax.scatter([], [], s=scale * n, color=ALL, linewidths=0, label=f"{n} {'study' if n == 1 else 'studies'}")
                   for n in sizes]
        handles.append(ax.scatter([], [], s=scale * most / 2, color=VIVO, linewidths=0, label="of which in vivo"))
        handles.append(ax.scatter([], [], s=6, color=EMPTY, linewidths=0, label="no study"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False,
                  labelspacing=1.6, borderpad=1.2, title="studies per cell", alignment="left")
        fig.text(0.01, 0.005, f"Source: Wang J et al. 2023 (CC BY 4.0), via atcgraph {report.version}. "
                 "Red italic on a shaded band: a category with no study.", fontsize=7, color="#5b6773")
        fig.tight_layout(rect=(0, 0.02, 1, 1))
        drawn = {}
        for fmt in formats:
            buffer = io.BytesIO()
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buffer, format=fmt, dpi=160, metadata=metadata)
            drawn[fmt] = buffer.getvalue()
        plt.close(fig)
    return drawn
