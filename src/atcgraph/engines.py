"""Where SPARQL runs: Oxigraph in memory (the default, fast) or rdflib (the reference).

Both return the same shape, rows of rdflib terms, so formatting and tests treat them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from atcgraph.errors import AtcGraphError

Row = tuple[Node | None, ...]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Result:
    """A SELECT result: variable names and rows of terms (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]


class Engine(Protocol):
    def select(self, text: str) -> Result: ...

    def labels(self, iris: Iterable[URIRef]) -> dict[URIRef, str]: ...


class OxigraphEngine:
    """An in-memory Oxigraph store loaded from the built inferred graph."""

    def __init__(self, turtle: Path) -> None:
        self.store = ox.Store()
        try:
            self.store.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as exc:
            raise AtcGraphError(f"{turtle}: cannot load the built graph: {exc}") from exc

    def select(self, text: str) -> Result:
        try:
            solutions = self.store.query(text)
        except SyntaxError as exc:
            raise AtcGraphError(f"SPARQL syntax error: {exc}") from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise AtcGraphError("only SELECT queries are supported")
        variables = tuple(v.value for v in solutions.variables)
        rows = tuple(tuple(_from_ox(s[v]) for v in variables) for s in solutions)
        return Result(variables, rows)

    def labels(self, iris: Iterable[URIRef]) -> dict[URIRef, str]:
        label = ox.NamedNode(str(RDFS.label))
        found: dict[URIRef, str] = {}
        for iri in iris:
            values = sorted(q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(str(iri)), label, None))
            if values:
                found[iri] = values[0]
        return found


class RdflibEngine:
    """rdflib's own SPARQL over an in-memory graph: the reference the fast path is checked against."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, text: str) -> Result:
        try:
            result = self.graph.query(text)
        except Exception as exc:  # pyparsing and evaluation errors have no common base
            raise AtcGraphError(f"SPARQL error: {exc}") from exc
        variables = tuple(str(v) for v in result.vars or ())
        return Result(variables, tuple(tuple(row) for row in result))

    def labels(self, iris: Iterable[URIRef]) -> dict[URIRef, str]:
        found: dict[URIRef, str] = {}
        for iri in iris:
            values = sorted(str(o) for o in self.graph.objects(iri, RDFS.label))
            if values:
                found[iri] = values[0]
        return found


def _from_ox(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise AtcGraphError(f"unsupported term in result: {term!r}")
