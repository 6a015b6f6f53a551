"""How query results reach people and programs: table, CSV, TSV or SPARQL JSON, with labels.

Every column holding IRIs gets a ``<name>Label`` column beside it (a ``label`` member in JSON),
so a person reads "NIS (SLC5A5)" where the store says ``atcd:target-nis``.
"""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from atcgraph.engines import Engine, Result
from atcgraph.vocab import curie

FORMATS = ("table", "csv", "tsv", "json")


def render(result: Result, engine: Engine, fmt: str) -> str:
    """The result in the requested format, labels looked up in the same engine."""
    iris = {cell for row in result.rows for cell in row if isinstance(cell, URIRef)}
    labels = engine.labels(sorted(iris))
    if fmt == "json":
        return _json(result, labels)
    header, rows = _with_labels(result, labels, compact=fmt == "table")
    if fmt == "table":
        return _table(header, rows, len(result.rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _with_labels(result: Result, labels: dict[URIRef, str], compact: bool) -> tuple[list[str], list[list[str]]]:
    labelled = [any(isinstance(row[i], URIRef) for row in result.rows) for i in range(len(result.variables))]
    header: list[str] = []
    for name, has_iris in zip(result.variables, labelled):
        header += [name, f"{name}Label"] if has_iris else [name]
    rows = []
    for row in result.rows:
        cells: list[str] = []
        for cell, has_iris in zip(row, labelled):
            cells.append(_text(cell, compact))
            if has_iris:
                cells.append(labels.get(cell, "") if isinstance(cell, URIRef) else "")
        rows.append(cells)
    return header, rows


def _text(cell: Node | None, compact: bool) -> str:
    if cell is None:
        return ""
    if isinstance(cell, URIRef):
        return curie(str(cell)) if compact else str(cell)
    if isinstance(cell, BNode):
        return f"_:{cell}"
    return str(cell)


def _table(header: list[str], rows: list[list[str]], count: int) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(out) + "\n"


def _json(result: Result, labels: dict[URIRef, str]) -> str:
    """W3C SPARQL 1.1 Query Results JSON, with an extra ``label`` member on IRIs."""
    bindings = []
    for row in result.rows:
        binding = {}
        for name, cell in zip(result.variables, row):
            if cell is not None:
                binding[name] = _json_term(cell, labels)
        bindings.append(binding)
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _json_term(cell: Node, labels: dict[URIRef, str]) -> dict[str, str]:
    if isinstance(cell, URIRef):
        term = {"type": "uri", "value": str(cell)}
        if cell in labels:
            term["label"] = labels[cell]
        return term
    if isinstance(cell, BNode):
        return {"type": "bnode", "value": str(cell)}
    assert isinstance(cell, Literal)
    term = {"type": "literal", "value": str(cell)}
    if cell.language:
        term["xml:lang"] = cell.language
    elif cell.datatype and cell.datatype != XSD.string:
        term["datatype"] = str(cell.datatype)
    return term
