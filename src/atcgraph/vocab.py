"""Namespaces and how nodes are named for people (prefixed names, labels)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

ATC = Namespace("https://w3id.org/atcgraph/ontology/")
ATCD = Namespace("https://w3id.org/atcgraph/data/")

PREFIXES: dict[str, Namespace] = {
    "atc": ATC,
    "atcd": ATCD,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "sh": Namespace(str(SH)),
    "obo": Namespace("http://purl.obolibrary.org/obo/"),
    "oboInOwl": Namespace("http://www.geneontology.org/formats/oboInOwl#"),
    "vann": Namespace("http://purl.org/vocab/vann/"),
    "schema": Namespace("https://schema.org/"),
}


def shorten(iri: str) -> str:
    """``atcd:target-nis`` for an IRI in a project prefix, else the IRI as it is."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def curie(iri: str) -> str:
    """``shorten``, or ``<iri>`` where no project prefix fits, so it still reads as an IRI."""
    short = shorten(iri)
    return short if short != iri else f"<{iri}>"


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project prefixes so output and messages use short names."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def label(graph: Graph, node: Node) -> str | None:
    """The node's rdfs:label, preferring English or untagged; stable if several."""
    labels = [o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)]
    if not labels:
        return None
    labels.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(labels[0])


def compact(graph: Graph, node: Node) -> str:
    """``atcd:study-han2020`` rather than a full IRI; a blank node by its label."""
    if isinstance(node, URIRef):
        return node.n3(graph.namespace_manager)
    if isinstance(node, BNode):
        text = label(graph, node)
        return f"[{text}]" if text else "[blank node]"
    return str(node)


def describe(graph: Graph, node: Node) -> str:
    """Prefixed name plus label, e.g. ``atcd:x "Han et al. 2020"``."""
    text = label(graph, node)
    name = compact(graph, node)
    return f'{name} "{text}"' if text and isinstance(node, URIRef) else name
