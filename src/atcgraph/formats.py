"""The RDF formats the release is written in, reproducibly: the same quads give the same bytes.

Canonical blank-node labels (W3C RDFC-1.0) and sorted quads make Oxigraph's streaming writers
deterministic (Turtle, N-Triples, RDF/XML, TriG); JSON-LD is rdflib's, with the prefixes as its
@context and its arrays put in order (Oxigraph's JSON-LD writer declares no prefixes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Namespace

from atcgraph.engines import _from_ox
from atcgraph.errors import AtcGraphError
from atcgraph.paths import Paths

# What `atcgraph export --format` accepts, and the file extension of each.
FORMATS: dict[str, ox.RdfFormat | None] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": None,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}
EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf", "trig": "trig"}

# The named graphs of the release: who said a triple, the curators or the reasoner.
GRAPH = Namespace("https://w3id.org/atcgraph/graph/")
ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH, QUERIES_GRAPH = GRAPH.ontology, GRAPH.data, GRAPH.inferred, GRAPH.queries
ASSERTED_GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH)


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Blank nodes relabelled by RDFC-1.0, quads sorted: the same dataset gives the same list.

    Only quads touching a blank node take part in canonicalisation (a label depends on those
    alone), so thousands of ground triples cost nothing.
    """
    quads = list(quads)
    blank = [q for q in quads if has_blank(q)]
    rest = [q for q in quads if not has_blank(q)]
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        rest += list(dataset)
    rest.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return rest


def serialize(quads: list[ox.Quad], fmt: str, prefixes: dict[str, str]) -> bytes:
    """One of FORMATS, from canonical sorted quads. TriG keeps the named graphs; every other
    format writes their union as triples. Only the prefixes the content uses are declared."""
    if fmt not in FORMATS:
        raise AtcGraphError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    declared = used_prefixes(prefixes, quads)
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=declared)
    triples = list(dict.fromkeys(q.triple for q in quads))  # a triple in two graphs is written once
    if fmt == "jsonld":
        return _jsonld(triples, declared)
    return ox.serialize(triples, format=FORMATS[fmt], prefixes=None if fmt == "ntriples" else declared)


def used_prefixes(prefixes: dict[str, str], quads: Iterable[ox.Quad]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of the quads (term, datatype, graph) starts with."""
    iris: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    used = {ns for ns in set(prefixes.values()) if any(iri.startswith(ns) and iri != ns for iri in iris)}
    return {name: ns for name, ns in sorted(prefixes.items()) if ns in used}


def read_release(paths: Paths) -> tuple[list[ox.Quad], dict[str, str]]:
    """The release's named graphs as canonical sorted quads, and the prefixes the TriG declares."""
    try:
        parser = ox.parse(path=str(paths.release_trig), format=ox.RdfFormat.TRIG)
        quads = list(parser)
    except (OSError, SyntaxError) as exc:
        raise AtcGraphError(f"{paths.release_trig}: cannot read the release: {exc}") from exc
    return quads, dict(parser.prefixes)


def _jsonld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """rdflib's JSON-LD, its member order made independent of hashing: arrays in JSON-LD are
    unordered sets except under @list, so sorting them changes nothing."""
    graph = Graph(bind_namespaces="none")
    for triple in triples:
        graph.add((_from_ox(triple.subject), _from_ox(triple.predicate), _from_ox(triple.object)))
    document = json.loads(graph.serialize(format="json-ld", context=prefixes))
    return (json.dumps(_ordered(document), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _ordered(node: object, is_list: bool = False) -> object:
    if isinstance(node, dict):
        return {key: _ordered(value, key == "@list") for key, value in sorted(node.items())}
    if isinstance(node, list):
        items = [_ordered(item) for item in node]
        return items if is_list else sorted(items, key=lambda i: json.dumps(i, sort_keys=True, ensure_ascii=False))
    return node


def has_blank(quad: ox.Quad | ox.Triple) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
