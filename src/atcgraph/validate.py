"""Stage 3: check the inferred graph against the SHACL shapes, report for people.

Shapes run on the closure (inference='none': reasoning already happened), so
a constraint like "every study has a model" is met by inferred facts too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from atcgraph.fastshacl import Violation, compile_shapes, validate_store
from atcgraph.vocab import ATC, compact
from atcgraph.vocab import shorten as _short


@dataclass(frozen=True)
class Finding:
    study: str | None
    focus: str
    path: str | None
    message: str
    severity: str
    file: str | None
    value: str | None


@dataclass
class Report:
    conforms: bool
    findings: list[Finding]

    def summary(self) -> str:
        if self.conforms:
            return "conforms"
        studies = {f.study for f in self.findings if f.study}
        counts = Counter(f.severity for f in self.findings)
        parts = [_plural(n, sev.lower()) for sev, n in sorted(counts.items())]
        text = f"{' and '.join(parts)} in {_plural(len(studies), 'study', 'studies')}"
        loose = sum(f.study is None for f in self.findings)
        return f"{text} ({loose} not tied to a study)" if loose else text

    def to_text(self) -> str:
        """A table to read in a terminal: which file to open, what to fix."""
        if not self.findings:
            return self.summary() + "\n"
        header = ("file", "study", "focus", "property", "message")
        rows = [
            (f.file or "-", f.study or "-", f.focus, f.path or "-",
             f.message if f.value is None else f"{f.message} (value: {f.value})")
            for f in self.findings
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = [
            " | ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths)), row[4]]).rstrip()
            for row in [header, *rows]
        ]
        lines.insert(1, "-+-".join("-" * w for w in [*widths, len(header[4])]))
        return "\n".join([*lines, "", self.summary()]) + "\n"

    def merge(self, other: Report) -> Report:
        """Two validations of parts of one build, reported as one."""
        return Report(self.conforms and other.conforms, self.findings + other.findings)

    def to_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "summary": self.summary(),
             "findings": [asdict(f) for f in self.findings]},
            indent=2,
        )


def validate(data_graph: Graph, shapes_graph: Graph, sources: dict[Node, str]) -> Report:
    """Run SHACL and attach to each result the study and file a person should look at."""
    conforms, results, _ = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=False,
        abort_on_first=False,
    )
    findings = [
        _finding(data_graph, shapes_graph, results, r, sources)
        for r in results.subjects(RDF.type, SH.ValidationResult)
        if (None, SH.detail, r) not in results  # nested details restate their parent
    ]
    findings.sort(key=lambda f: (f.study is None, f.study or "", f.path or "", f.message,
                                 f.focus, f.value or ""))
    return Report(conforms=bool(conforms), findings=findings)


def validate_fast(store: ox.Store, shapes_graph: Graph, sources: Mapping[Node, str], quiet: bool = True) -> Report:
    """The same report from the compiled shapes run inside Oxigraph (fastshacl.py)."""
    violations = validate_store(store, compile_shapes(shapes_graph), quiet)
    findings = [_fast_finding(store, v, sources) for v in violations]
    findings.sort(key=lambda f: (f.study is None, f.study or "", f.path or "", f.message,
                                 f.focus, f.value or ""))
    return Report(conforms=not findings, findings=findings)


def _fast_finding(store: ox.Store, violation: Violation, sources: Mapping[Node, str]) -> Finding:
    focus = violation.focus
    study = _study_in_store(store, focus)
    file = sources.get(URIRef(focus)) or (sources.get(URIRef(study)) if study else None)
    return Finding(
        study=_short(study) if study else None,
        focus=_short(focus),
        path=_short_path(violation.path) if violation.path else None,
        message=violation.message or violation.component,
        severity=violation.severity.removeprefix(str(SH)),
        file=file,
        value=_short(violation.value) if violation.value is not None else None,
    )


def _study_in_store(store: ox.Store, focus: str) -> str | None:
    """As ``_study_of``: the focus if a study, else the first study reaching it in one or two hops."""
    if focus.startswith("_:"):
        return None
    node = f"<{focus}>"
    for pattern in (f"VALUES ?s {{ {node} }}", f"?s ?p {node} .", f"?s ?p ?m . ?m ?q {node} ."):
        rows = list(store.query(f"SELECT ?s WHERE {{ {pattern} ?s a <{ATC.Study}> }} ORDER BY ?s LIMIT 1"))
        if rows:
            return rows[0]["s"].value
    return None


def _short_path(path: str) -> str:
    """A compiled SPARQL path written as pyshacl's reports write it: ``atc:p``, ``^atc:p``, ``(a|b)``."""
    text = re.sub(r"<([^>]+)>", lambda m: _short(m.group(1)), path)
    return re.sub(r"\^\(([^()|/]+)\)", r"^\1", text)


def _finding(data: Graph, shapes: Graph, results: Graph, result: Node,
             sources: dict[Node, str]) -> Finding:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = results.value(result, SH.resultSeverity)
    study = _study_of(data, focus)
    file = sources.get(focus) or (sources.get(study) if study is not None else None)
    return Finding(
        study=compact(data, study) if study is not None else None,
        focus=compact(data, focus),
        path=_path_text(data, results, path) if path is not None else None,
        message=_message(data, shapes, results, result),
        severity=str(severity).removeprefix(str(SH)) if severity else "Violation",
        file=file,
        value=compact(data, value) if value is not None else None,
    )


def _message(data: Graph, shapes: Graph, results: Graph, result: Node) -> str:
    """The result's messages, followed by those of its sh:detail results (sh:node etc.)."""
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    if not messages:  # shape gave no sh:message: name the failed constraint instead
        component = results.value(result, SH.sourceConstraintComponent)
        messages = [compact(shapes, component) if component else "constraint violated"]
    details = []
    for detail in results.objects(result, SH.detail):
        path = results.value(detail, SH.resultPath)
        where = f"{_path_text(data, results, path)}: " if path is not None else ""
        details.append(where + _message(data, shapes, results, detail))
    text = "; ".join(messages)
    return f"{text} [{'; '.join(sorted(details))}]" if details else text


def _study_of(graph: Graph, focus: Node) -> Node | None:
    """The focus itself if a study, else the nearest study pointing at it (1-2 hops).

    If several studies reach it at the same distance the first by IRI is
    taken, so the report is stable.
    """
    studies = set(graph.subjects(RDF.type, ATC.Study))
    if focus in studies:
        return focus
    one_hop = set(graph.subjects(None, focus))
    for candidates in (one_hop, {s for mid in one_hop for s in graph.subjects(None, mid)}):
        found = sorted(candidates & studies)
        if found:
            return found[0]
    return None


def _path_text(data: Graph, results: Graph, path: Node) -> str:
    """SHACL property paths in SPARQL-like syntax: ``^atc:p``, ``atc:p/atc:q``."""
    if isinstance(path, URIRef):
        return compact(data, path)
    if not isinstance(path, BNode):
        return str(path)
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = results.value(path, predicate)
        if inner is not None:
            return template.format(_path_text(data, results, inner))
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        items = Collection(results, alternatives)
        return "(" + "|".join(_path_text(data, results, p) for p in items) + ")"
    return "/".join(_path_text(data, results, p) for p in Collection(results, path))


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"
