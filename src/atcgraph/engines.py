"""Where SPARQL runs: Oxigraph in memory (the default, fast), rdflib (the reference), or any
SPARQL 1.1 endpoint over HTTP (``query --endpoint``).

All return the same shape, rows of rdflib terms, so formatting and tests treat them alike.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.query import Result as RdflibResult
from rdflib.term import Node

from atcgraph.errors import AtcGraphError
from atcgraph.remote import DEFAULT_TIMEOUT, request, with_query

Row = tuple[Node | None, ...]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
T = TypeVar("T")
R = TypeVar("R")


def on_every_core(work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``work`` on each item, one thread per core, results in the items' order (so nothing depends
    on timing). Worth it for Oxigraph queries: Oxigraph releases the GIL while it evaluates one."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield from pool.map(work, items)


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


class HttpEngine:
    """A SPARQL 1.1 Protocol endpoint (query via POST, results as SPARQL JSON).

    ``graph`` becomes the protocol's ``default-graph-uri``, for a release pushed into a named graph.
    """

    def __init__(self, url: str, graph: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = with_query(url, **{"default-graph-uri": graph}) if graph else url
        self.timeout = timeout

    def select(self, text: str) -> Result:
        body = request("POST", self.url, text.encode("utf-8"), timeout=self.timeout, headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json"})
        try:
            parsed = RdflibResult.parse(io.BytesIO(body), format="json")
        except Exception as exc:  # the parser raises whatever json or rdflib raise on junk
            raise AtcGraphError(f"{self.url}: the answer is not SPARQL JSON results: {exc}") from exc
        if parsed.type != "SELECT":
            raise AtcGraphError("only SELECT queries are supported")
        variables = tuple(str(v) for v in parsed.vars or ())
        return Result(variables, tuple(tuple(row) for row in parsed))

    def labels(self, iris: Iterable[URIRef]) -> dict[URIRef, str]:
        """One remote query for all labels; the first in code-point order, as the other engines pick."""
        wanted = sorted(set(iris))
        if not wanted:
            return {}
        values = " ".join(iri.n3() for iri in wanted)
        result = self.select(f"SELECT ?iri ?label WHERE {{ VALUES ?iri {{ {values} }} ?iri <{RDFS.label}> ?label }}")
        found: dict[URIRef, str] = {}
        for iri, label in result.rows:
            if isinstance(iri, URIRef) and label is not None and (iri not in found or str(label) < found[iri]):
                found[iri] = str(label)
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
