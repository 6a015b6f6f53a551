"""The fast validator: the project's SHACL shapes compiled to SPARQL and run inside Oxigraph.

pyshacl (validate.py) stays the reference; tests/test_fastpath.py proves that on the real graph
and on every failing fixture the two report the same (focus node, path, shape, constraint)
results. Each constraint becomes one SELECT returning the violating focus nodes (and values),
so validation is a few dozen indexed queries instead of a walk over every focus node in Python.

Supported: targets sh:targetClass, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf; paths
(IRI, inverse, alternative, sequence); sh:minCount, sh:maxCount, sh:datatype, sh:class, sh:in,
sh:hasValue, sh:nodeKind, sh:pattern, sh:minLength, sh:maxLength, sh:minInclusive,
sh:maxInclusive, sh:minExclusive, sh:maxExclusive, sh:lessThanOrEquals, sh:or / sh:xone / sh:and /
sh:not of simple shapes, and SPARQL-based constraints. Anything else raises, so a shape the fast
path cannot check is never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from atcgraph.engines import on_every_core
from atcgraph.errors import AtcGraphError
from atcgraph.progress import bar

_IGNORED = {RDF.type, RDFS.comment, RDFS.label, SH.message, SH.severity, SH.name, SH.description,
            SH.order, SH.group, SH.deactivated, SH.property, SH.sparql, SH.targetClass, SH.targetNode,
            SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.prefixes, SH.declare}
_NUMERIC = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


@dataclass(frozen=True)
class Check:
    """One constraint as a query returning ``?this`` (and ``?value``) for each violation."""

    shape: Node
    component: str
    path: str | None
    message: str
    severity: str
    query: str
    constraint: Node | None = None  # the sh:SPARQLConstraint node, for SPARQL-based constraints


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    value: str | None
    shape: Node
    component: str
    message: str
    severity: str
    constraint: Node | None = None


def validate_store(store: ox.Store, checks: list[Check], quiet: bool = True) -> list[Violation]:
    """Run every check; one violation per result row.

    Oxigraph releases the GIL while it evaluates a query, so the checks run on one thread per
    core; results are gathered in the checks' order, so the report does not depend on timing.
    """
    results = on_every_core(lambda check: _run(store, check), checks)
    return [v for found in bar(results, "validating", quiet, total=len(checks)) for v in found]


def _run(store: ox.Store, check: Check) -> list[Violation]:
    solutions = store.query(check.query)
    names = {v.value for v in solutions.variables}
    found = []
    for row in solutions:
        value = row["value"] if "value" in names else None
        found.append(Violation(_text(row["this"]), check.path, None if value is None else _text(value),
                               check.shape, check.component, _fill(check.message, row, names),
                               check.severity, check.constraint))
    return found


def _fill(message: str, row: ox.QuerySolution, names: set[str]) -> str:
    """Substitute ``{?var}`` and ``{$this}`` placeholders from the result row, as pyshacl does."""
    def value(match: re.Match[str]) -> str:
        name = "this" if match.group(1) == "$this" else match.group(1)[1:]
        term = row[name] if name in names else None
        return _text(term) if term is not None else match.group(0)
    return re.sub(r"\{([?$]\w+)\}", value, message)


def _text(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value  # type: ignore[attr-defined]


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every constraint of every shape with a target, as a SPARQL check."""
    prefixes = _prefixes(shapes)
    checks: list[Check] = []
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape)} | _targeted(shapes)
    for shape in sorted(node_shapes, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        target = _target(shapes, shape)
        if target is None:
            continue
        checks += _node_checks(shapes, shape, target, prefixes)
        for prop in shapes.objects(shape, SH.property):
            checks += _property_checks(shapes, prop, target)
    return checks


def _targeted(shapes: Graph) -> set[Node]:
    return {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
            for s in shapes.subjects(p, None)}


def _target(shapes: Graph, shape: Node) -> str | None:
    parts = [f"{{ ?this a {_n3(c)} }}" for c in shapes.objects(shape, SH.targetClass)]
    parts += [f"{{ VALUES ?this {{ {_n3(n)} }} }}" for n in shapes.objects(shape, SH.targetNode)]
    parts += [f"{{ ?this {_n3(p)} [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ [] {_n3(p)} ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    return " UNION ".join(parts) if parts else None


def _meta(shapes: Graph, shape: Node, fallback: Node | None = None) -> tuple[str, str]:
    message = shapes.value(shape, SH.message) or (shapes.value(fallback, SH.message) if fallback else None)
    severity = shapes.value(shape, SH.severity) or SH.Violation
    return (str(message) if message else ""), str(severity)


def _node_checks(shapes: Graph, shape: Node, target: str, prefixes: str) -> list[Check]:
    message, severity = _meta(shapes, shape)
    checks = []
    for constraint in shapes.objects(shape, SH.sparql):
        text = str(shapes.value(constraint, SH.select))
        cmessage, _ = _meta(shapes, constraint, shape)
        checks.append(Check(shape, "SPARQLConstraintComponent", None, cmessage, severity,
                            prefixes + _bind_this(text, target), constraint))
    for p, o in sorted(shapes.predicate_objects(shape)):
        if p in _LOGIC or (p in _VALUE_TESTS and p != SH.flags):
            condition = _single(shapes, p, o, "?this", shape)
            checks.append(Check(shape, _LOGIC.get(p) or _VALUE_TESTS[p], None, message, severity,
                                f"SELECT DISTINCT ?this WHERE {{ {target} FILTER (!({condition})) }}"))
    return checks


def _bind_this(select: str, target: str) -> str:
    """Pre-bind $this the way pyshacl does: join the target pattern at the start of the WHERE group."""
    text = select.replace("$this", "?this")
    where = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
    if not where:
        raise AtcGraphError(f"fast validator: cannot find WHERE in SPARQL constraint: {select[:80]}")
    return text[: where.end()] + f" {target} " + text[where.end():]


def _prefixes(shapes: Graph) -> str:
    lines = []
    for declaration in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _path(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return _n3(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({_path(shapes, inverse)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_path(shapes, p) for p in Collection(shapes, path)) + ")"
    raise AtcGraphError(f"fast validator: unsupported path {path}")


def _property_checks(shapes: Graph, prop: Node, target: str) -> list[Check]:
    path = _path(shapes, shapes.value(prop, SH.path))
    message, severity = _meta(shapes, prop)
    checks = []

    def add(component: str, where: str, with_value: bool = True, group: str = "") -> None:
        head = "SELECT DISTINCT ?this ?value" if with_value else "SELECT DISTINCT ?this"
        checks.append(Check(prop, component, path, message, severity, f"{head} WHERE {{ {where} }}{group}"))

    each = f"{target} ?this {path} ?value ."
    for p, o in sorted(shapes.predicate_objects(prop)):
        if p in _IGNORED:
            continue
        if p == SH.minCount and int(o) == 1:  # the common cases avoid grouping every focus node
            add("MinCountConstraintComponent", f"{target} FILTER NOT EXISTS {{ ?this {path} ?v }}", False)
        elif p == SH.minCount:
            add("MinCountConstraintComponent", f"{target} OPTIONAL {{ ?this {path} ?v }}", False,
                f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(o)})")
        elif p == SH.maxCount and int(o) == 0:
            add("MaxCountConstraintComponent", f"{target} FILTER EXISTS {{ ?this {path} ?v }}", False)
        elif p == SH.maxCount and int(o) == 1:
            add("MaxCountConstraintComponent", f"{target} ?this {path} ?a , ?b . FILTER (!sameTerm(?a, ?b))", False)
        elif p == SH.maxCount:
            add("MaxCountConstraintComponent", f"{target} ?this {path} ?v .", False,
                f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(o)})")
        elif p == SH.lessThanOrEquals:
            add("LessThanOrEqualsConstraintComponent",
                f"{each} ?this {_n3(o)} ?other . FILTER (!COALESCE(?value <= ?other, false))")
        elif p in _LOGIC or (p in _VALUE_TESTS and p != SH.flags):
            add(_LOGIC.get(p) or _VALUE_TESTS[p], f"{each} FILTER (!({_single(shapes, p, o, '?value', prop)}))")
        elif p != SH.flags:
            raise AtcGraphError(f"fast validator: unsupported constraint {p} on {prop}")
    return checks


_VALUE_TESTS = {SH.datatype: "DatatypeConstraintComponent", SH["class"]: "ClassConstraintComponent",
                SH["in"]: "InConstraintComponent", SH.hasValue: "HasValueConstraintComponent",
                SH.nodeKind: "NodeKindConstraintComponent", SH.pattern: "PatternConstraintComponent",
                SH.minLength: "MinLengthConstraintComponent", SH.maxLength: "MaxLengthConstraintComponent",
                SH.minInclusive: "MinInclusiveConstraintComponent", SH.maxInclusive: "MaxInclusiveConstraintComponent",
                SH.minExclusive: "MinExclusiveConstraintComponent", SH.maxExclusive: "MaxExclusiveConstraintComponent",
                SH.flags: ""}
_LOGIC = {SH["or"]: "OrConstraintComponent", SH.xone: "XoneConstraintComponent",
          SH["and"]: "AndConstraintComponent", SH["not"]: "NotConstraintComponent"}


def _single(shapes: Graph, p: Node, o: Node, var: str, owner: Node | None = None) -> str:
    """A boolean SPARQL expression: does the value in ``var`` satisfy constraint ``p o``?"""
    if p == SH.datatype:
        return f"(isLiteral({var}) && DATATYPE({var}) = {_n3(o)})"
    if p == SH["class"]:
        return f"EXISTS {{ {var} a {_n3(o)} }}"
    if p == SH["in"]:
        return "(" + " || ".join(f"sameTerm({var}, {_n3(m)})" for m in Collection(shapes, o)) + ")"
    if p == SH.hasValue:
        return f"sameTerm({var}, {_n3(o)})"
    if p == SH.nodeKind:
        return {SH.IRI: f"isIRI({var})", SH.Literal: f"isLiteral({var})", SH.BlankNode: f"isBlank({var})",
                SH.BlankNodeOrIRI: f"!isLiteral({var})", SH.IRIOrLiteral: f"!isBlank({var})",
                SH.BlankNodeOrLiteral: f"!isIRI({var})"}[o]
    if p == SH.pattern:
        flags = shapes.value(owner, SH.flags) if owner is not None else None
        return f"(!isBlank({var}) && REGEX(STR({var}), {_n3(o)}{', ' + _n3(flags) if flags else ''}))"
    if p in (SH.minLength, SH.maxLength):
        op = ">=" if p == SH.minLength else "<="
        return f"(!isBlank({var}) && STRLEN(STR({var})) {op} {int(o)})"
    if p in _NUMERIC:
        return f"COALESCE({var} {_NUMERIC[p]} {_n3(o)}, false)"
    if p in _LOGIC:
        members = [_conforms(shapes, m, var) or "true" for m in
                   (Collection(shapes, o) if p != SH["not"] else [o])]
        if p == SH["or"]:
            return "(" + " || ".join(members) + ")"
        if p == SH["and"]:
            return "(" + " && ".join(members) + ")"
        if p == SH["not"]:
            return f"!({members[0]})"
        counts = " + ".join(f"IF({m}, 1, 0)" for m in members)
        return f"(({counts}) = 1)"
    raise AtcGraphError(f"fast validator: unsupported constraint {p}")


def _conforms(shapes: Graph, shape: Node, var: str) -> str | None:
    """A boolean expression for "the node in ``var`` conforms to ``shape``" (simple shapes only)."""
    if shapes.value(shape, SH.path) is not None:
        return _conforms_property(shapes, shape, var)
    parts = [_single(shapes, p, o, var, shape) for p, o in shapes.predicate_objects(shape)
             if p in _LOGIC or (p in _VALUE_TESTS and p != SH.flags)]
    parts += [_conforms_property(shapes, prop, var) for prop in shapes.objects(shape, SH.property)]
    return " && ".join(parts) if parts else None


def _conforms_property(shapes: Graph, prop: Node, var: str) -> str:
    """Property shapes nested in logical constraints: counts of 0/1 and value tests via EXISTS."""
    path = _path(shapes, shapes.value(prop, SH.path))
    parts = []
    for p, o in shapes.predicate_objects(prop):
        if p == SH.minCount:
            if int(o) > 1:
                raise AtcGraphError(f"fast validator: nested sh:minCount {o} is not supported")
            if int(o) == 1:
                parts.append(f"EXISTS {{ {var} {path} ?n_ }}")
        elif p == SH.maxCount:
            if int(o) != 0:
                raise AtcGraphError(f"fast validator: nested sh:maxCount {o} is not supported")
            parts.append(f"NOT EXISTS {{ {var} {path} ?n_ }}")
        elif p in _VALUE_TESTS and p != SH.flags:
            parts.append(f"NOT EXISTS {{ {var} {path} ?n_ FILTER (!({_single(shapes, p, o, '?n_', prop)})) }}")
        elif p not in _IGNORED:
            raise AtcGraphError(f"fast validator: nested constraint {p} is not supported")
    return "(" + " && ".join(parts or ["true"]) + ")"


def _n3(node: Node) -> str:
    if isinstance(node, BNode):
        raise AtcGraphError("fast validator: blank node where a term is expected")
    return node.n3()
