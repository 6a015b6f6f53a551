"""Gap reports for people and programs: Markdown for a code-hosting site, one self-contained HTML
page (no network at view time: its data, style and script are inline), tidy CSV with one row per
cell, JSON (the same data the page embeds), and the standard set with an index.

Nothing is counted here: numbers come from the SPARQL that gaps.py ran.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from atcgraph.export import write_bytes, write_text
from atcgraph.paths import TEMPLATES_DIR

if TYPE_CHECKING:
    from atcgraph.gaps import Category, ClaimCheck, Count, Gap, GapReport

FORMATS = ("md", "html", "csv", "json", "svg", "png")
TOP = 15  # ranked gaps shown in Markdown and HTML; CSV and JSON carry them all
SOURCE = ("Wang J et al. (2023, 'Customizing cancer treatment at the nanoscale: a focus on anaplastic "
          "thyroid cancer therapy', CC BY 4.0)")
METHOD = ("Expected = row total × column total / N, the studies a cell would hold if its row and column "
          "were independent; score = P(X ≤ observed) for X ~ Poisson(expected), lowest first, ties by larger "
          "expected. With few studies no single cell is improbable on its own: the order says where the margins "
          "lead one to expect evidence that is missing.")


FIGURES = ("png", "svg")


def render_all(report: GapReport, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The report in each of ``formats``; the figure formats share one drawing."""
    writers = {"md": to_markdown, "html": to_html, "csv": to_csv, "json": to_json}
    unknown = [fmt for fmt in formats if fmt not in writers and fmt not in FIGURES]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]}")
    rendered = {fmt: writers[fmt](report).encode("utf-8") for fmt in formats if fmt in writers}
    figures = tuple(fmt for fmt in formats if fmt in FIGURES)
    if figures:
        from atcgraph.gaps_figure import figures as draw  # matplotlib loads only when a figure is asked for

        rendered |= draw(report, figures)
    return {fmt: rendered[fmt] for fmt in formats}


def render(report: GapReport, fmt: str) -> bytes:
    return render_all(report, (fmt,))[fmt]


def stem(report: GapReport) -> str:
    """``target-x-modality``, ``carrier-2-x-strategy``: names that sort and need no quoting."""
    return "-x-".join(d.spec.replace(":", "-") for d in (report.matrix.rows, report.matrix.columns))


def write_set(reports: list[GapReport], directory: Path) -> list[Path]:
    """Each report as md, html, csv and json; the first (the main matrix) also as png and svg; an index."""
    written = []
    for i, report in enumerate(reports):
        formats = ("md", "html", "csv", "json") + (FIGURES if i == 0 else ())
        for fmt, data in render_all(report, formats).items():
            path = directory / f"{stem(report)}.{fmt}"
            write_bytes(data, path)
            written.append(path)
    for name, text in (("index.md", index_markdown(reports)), ("index.html", index_html(reports))):
        write_text(text, directory / name)
        written.append(directory / name)
    return written


# ------------------------------------------------------------------ words shared by every format
def title(report: GapReport) -> str:
    return f"Evidence and gap map: {report.matrix.rows.title} × {report.matrix.columns.title}"


def count_text(count: Count) -> str:
    return f"{count.n} ({count.in_vivo} vivo)" if count.n else "·"


def citations(report: GapReport, studies: tuple[str, ...], most: int | None = None) -> str:
    named = [report.studies[s].citation if s in report.studies else s for s in studies]
    shown = named if most is None or len(named) <= most else named[:most] + [f"{len(named) - most} more"]
    return ", ".join(shown)


def _listing(pairs: tuple[tuple[Category, int], ...], most: int = 4) -> str:
    if len(pairs) <= most + 1:  # "1 more" says less than naming it
        most = len(pairs)
    shown = [f"{c.label} {n}" for c, n in pairs[:most]]
    return ", ".join(shown + ([f"{len(pairs) - most} more"] if len(pairs) > most else []))


def explain(gap: Gap, report: GapReport) -> str:
    """The evidence around a gap in one paragraph: same row, same column, carriers used for the row."""
    m = report.matrix
    row_n, column_n = m.row_totals[gap.row.iri].n, m.column_totals[gap.column.iri].n
    held = "none" if not gap.observed else f"only {gap.observed}"
    text = (f"{_capital(gap.row.label)}: {row_n} {_studies(row_n)}, {held} with {gap.column.label} "
            f"(expected {gap.expected:.1f})")
    text += f"; with other {m.columns.plural}: {_listing(gap.same_row)}." if gap.same_row else "."
    text += f" {_capital(gap.column.label)}: {column_n} {_studies(column_n)}"
    text += f", with other {m.rows.plural}: {_listing(gap.same_column)}." if gap.same_column else "."
    if gap.row_carriers:
        text += f" Nanocarrier classes already used for {gap.row.label}: {_listing(gap.row_carriers)}."
    return text


def check_summary(check: ClaimCheck, report: GapReport) -> str:
    where = f"{check.claimed.label} within {check.scope.label}" if check.scope else check.claimed.label
    if not check.within:
        found = "no study"
    else:
        found = f"{len(check.within)} {_studies(len(check.within))} ({citations(report, check.within)})"
    if check.expected is not None:
        found += f"; {check.expected:.1f} expected from the margins"
    if check.elsewhere:
        found += f"; {len(check.elsewhere)} outside that scope ({citations(report, check.elsewhere, most=3)})"
    return f"{where}: {found}"


def _capital(text: str) -> str:
    """Sentence case for a label at the start of a sentence; 'mTOR' and 'BRAF' stay as they are."""
    return text[:1].upper() + text[1:] if text[:1].islower() and not text[1:2].isupper() else text


def _studies(n: int) -> str:
    return "study" if n == 1 else "studies"


def headline(report: GapReport) -> list[str]:
    m = report.matrix
    filled, cells = len(m.cells), len(m.row_categories) * len(m.column_categories)
    lines = [
        f"**{m.total.n} studies** have at least one {m.rows.title} and one {m.columns.title}: "
        f"{m.total.in_vivo} with in vivo evidence, {m.total.in_vitro} with in vitro evidence.",
        f"**{filled} of {cells} cells** ({100 * filled / cells:.0f}%) hold at least one study; "
        f"{len(report.gaps)} cells hold fewer studies than their margins predict.",
    ]
    empty = [f"{c.label} ({m.rows.title})" for c in report.empty_rows]
    empty += [f"{c.label} ({m.columns.title})" for c in report.empty_columns]
    if empty:
        lines.append(f"**No study at all** for: {', '.join(empty)}.")
    verdicts = [g.verdict for g in report.review_gaps]
    lines.append(f"**{len(verdicts)} gaps the review states**: {verdicts.count('confirmed')} confirmed by the "
                 f"data, {verdicts.count('partly contradicted')} partly contradicted, "
                 f"{verdicts.count('contradicted')} contradicted.")
    return lines


# ------------------------------------------------------------------ Markdown
def to_markdown(report: GapReport) -> str:
    m = report.matrix
    out = [f"# {title(report)}", "",
           f"The nanomedicine studies for anaplastic thyroid cancer that the review by {SOURCE} discusses, "
           f"as encoded in atcgraph {report.version}. A cell counts distinct studies: `3 (2 vivo)` is three "
           "studies, two of them with in vivo evidence; `·` is none.", ""]
    out += [f"- {line}" for line in headline(report)] + ["", "## The map", ""]
    header = [f"{m.rows.title} \\ {m.columns.title}", *(c.label for c in m.column_categories), "all"]
    out += [_md_row(header), "|" + "---|" + "---:|" * (len(header) - 1)]
    for row in m.row_categories:
        cells = [count_text(m.cell(row.iri, c.iri)) for c in m.column_categories]
        out.append(_md_row([f"**{row.label}**", *cells, _total(m.row_totals.get(row.iri))]))
    totals = [_total(m.column_totals.get(c.iri)) for c in m.column_categories]
    out += [_md_row(["**all**", *totals, f"**{_total(m.total)}**"]), ""]
    out += ["## Ranked gaps", "", METHOD, ""]
    out += [_md_row(["#", m.rows.title, m.columns.title, "studies", "expected", "P(≤ observed)",
                     "the evidence around it", "reproduce"]), "|---:|---|---|---:|---:|---:|---|---|"]
    for rank, gap in enumerate(report.gaps[:TOP], 1):
        out.append(_md_row([str(rank), gap.row.label, gap.column.label, str(gap.observed), f"{gap.expected:.2f}",
                            f"{gap.score:.2f}", explain(gap, report), f"`{gap.command}`"]))
    if len(report.gaps) > TOP:
        out += ["", f"{len(report.gaps) - TOP} more in the CSV and JSON reports."]
    out += ["", "## What the review says is missing", "",
            "Each claim is encoded in `data/entities/review_gaps.ttl` and checked against the studies: a claim "
            "of absence holds when no study falls within it, a claim of scarcity when fewer do than the "
            "margins of the gap map predict.", "",
            _md_row(["the review's claim", "where it says so", "verdict", "what the data hold"]), "|---|---|---|---|"]
    for gap in report.review_gaps:
        evidence = "<br>".join(check_summary(c, report) for c in gap.checks)
        out.append(_md_row([gap.label, gap.quote, f"**{gap.verdict}**", evidence]))
    out += ["", "## How it was made", "",
            f"Counted by SPARQL over the inferred graph: `queries/gaps/matrix.rq` with the {m.rows.name} and "
            f"{m.columns.name} dimension queries of `queries/gaps/` (see its README). Regenerate with "
            f"`atcgraph gaps --rows {m.rows.spec} --cols {m.columns.spec} --format md`.", ""]
    return "\n".join(out)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _total(count: Count | None) -> str:
    return f"{count.n} ({count.in_vivo} vivo)" if count else "0"


# ------------------------------------------------------------------ CSV and JSON
def to_csv(report: GapReport) -> str:
    """One row per cell, empty ones included, with its expected count and gap rank."""
    m = report.matrix
    ranks = {(g.row.iri, g.column.iri): (i, g.score) for i, g in enumerate(report.gaps, 1)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "rowLabel", "column", "columnLabel", "studies", "inVivo", "inVitro",
                     "expected", "gapRank", "gapScore", "studyCitations"])
    for row in m.row_categories:
        for column in m.column_categories:
            count = m.cell(row.iri, column.iri)
            rank, score = ranks.get((row.iri, column.iri), ("", None))
            writer.writerow([row.iri, row.label, column.iri, column.label, count.n, count.in_vivo, count.in_vitro,
                             f"{m.expected(row.iri, column.iri):.3f}", rank,
                             "" if score is None else f"{score:.4f}", "; ".join(
                                 report.studies[s].citation for s in count.studies if s in report.studies)])
    return buffer.getvalue()


def to_data(report: GapReport) -> dict:
    """Everything a reader or program needs, in plain JSON types; the HTML page embeds it."""
    m = report.matrix

    def dimension(dim, categories, totals) -> dict:
        return {"dimension": dim.spec, "title": dim.title, "categories": [
            {"iri": c.iri, "label": c.label, **_count(totals.get(c.iri))} for c in categories]}

    def named(pairs: tuple[tuple[Category, int], ...]) -> list[dict]:
        return [{"iri": c.iri, "label": c.label, "studies": n} for c, n in pairs]

    return {
        "title": title(report),
        "generator": f"atcgraph {report.version}",
        "source": SOURCE,
        "method": METHOD,
        "headline": headline(report),
        "rows": dimension(m.rows, m.row_categories, m.row_totals),
        "columns": dimension(m.columns, m.column_categories, m.column_totals),
        "total": _count(m.total),
        "cells": [
            {"row": r.iri, "column": c.iri, **_count(m.cell(r.iri, c.iri)),
             "expected": round(m.expected(r.iri, c.iri), 4), "members": list(m.cell(r.iri, c.iri).studies)}
            for r in m.row_categories for c in m.column_categories
        ],
        "gaps": [
            {"rank": i, "row": g.row.iri, "rowLabel": g.row.label, "column": g.column.iri,
             "columnLabel": g.column.label, "observed": g.observed, "expected": round(g.expected, 4),
             "score": round(g.score, 4), "sameRow": named(g.same_row), "sameColumn": named(g.same_column),
             "rowCarriers": named(g.row_carriers), "explanation": explain(g, report), "command": g.command}
            for i, g in enumerate(report.gaps, 1)
        ],
        "reviewGaps": [
            {"iri": g.iri, "label": g.label, "quote": g.quote, "comment": g.comment,
             "wording": "absence" if g.absence else "scarcity", "verdict": g.verdict,
             "checks": [_check(c, report) for c in g.checks]}
            for g in report.review_gaps
        ],
        "studies": {
            s.iri: {"citation": s.citation, "firstAuthor": s.first_author, "year": s.year,
                    "reference": s.reference, "section": s.section, "finding": s.finding,
                    "carriers": list(s.carriers), "payloads": list(s.payloads),
                    "inVivo": s.in_vivo, "inVitro": s.in_vitro}
            for s in report.studies.values()
        },
        "sparql": m.sparql,
    }


def _count(count: Count | None) -> dict:
    return {"studies": count.n, "inVivo": count.in_vivo, "inVitro": count.in_vitro} if count else \
        {"studies": 0, "inVivo": 0, "inVitro": 0}


def _check(check: ClaimCheck, report: GapReport) -> dict:
    scope = {"iri": check.scope.iri, "label": check.scope.label} if check.scope else None
    return {"claimed": {"iri": check.claimed.iri, "label": check.claimed.label}, "scope": scope,
            "within": list(check.within), "expected": None if check.expected is None else round(check.expected, 4),
            "elsewhere": list(check.elsewhere), "confirmed": check.confirmed, "summary": check_summary(check, report)}


def to_json(report: GapReport) -> str:
    return json.dumps(to_data(report), indent=1, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ HTML
def to_html(report: GapReport) -> str:
    """templates/gapmap.html with the report's data inlined; ``<`` is escaped so no string ends the script."""
    template = (TEMPLATES_DIR / "gapmap.html").read_text(encoding="utf-8")
    data = json.dumps(to_data(report), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return template.replace("{{TITLE}}", html.escape(title(report))).replace("{{TOP}}", str(TOP)).replace("{{DATA}}", data)


def index_markdown(reports: list[GapReport]) -> str:
    out = ["# Gap-analysis reports", "",
           f"Evidence and gap maps of the studies in the review by {SOURCE}. Each map comes as Markdown, "
           "a self-contained HTML page (open it offline in any browser), CSV (one row per cell) and JSON; "
           "the first also as PNG and SVG figures.", ""]
    for i, report in enumerate(reports):
        name = stem(report)
        files = ["md", "html", "csv", "json"] + (["png", "svg"] if i == 0 else [])
        links = " · ".join(f"[{fmt}]({name}.{fmt})" for fmt in files)
        out += [f"## {title(report)}", "", links, ""] + [f"- {line}" for line in headline(report)] + [""]
    return "\n".join(out)


def index_html(reports: list[GapReport]) -> str:
    items = []
    for i, report in enumerate(reports):
        name = stem(report)
        files = ["html", "md", "csv", "json"] + (["png", "svg"] if i == 0 else [])
        links = " · ".join(f'<a href="{name}.{fmt}">{fmt}</a>' for fmt in files)
        items.append(f"<li><a href=\"{name}.html\"><b>{html.escape(title(report))}</b></a><br>{links}</li>")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gap-analysis reports</title>"
            "<link rel=\"icon\" href=\"data:,\"><style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;"
            "margin:2rem auto;padding:0 1rem}li{margin:.8rem 0}</style></head><body><h1>Gap-analysis reports</h1>"
            f"<p>Evidence and gap maps of the studies in the review by {html.escape(SOURCE)}.</p>"
            f"<ul>{''.join(items)}</ul></body></html>\n")
