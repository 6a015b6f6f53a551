"""The release bundle `atcgraph build` writes into build/release/ for other tools.

The same content in the formats tools expect (see the README's "Which file to load where"):
the ontology, the asserted data, the graph with its OWL RL entailments, the SHACL shapes, the
canned queries as RDF, every graph named in one TriG file, and a VoID description.

The graphs are told apart by who said a triple: the ontology files, the data files, or the
reasoner. Entailments are the inferred graph's triples without blank nodes that the asserted
graph lacks: blank-node entailments (an individual typed with an anonymous restriction) say
nothing a user can query by name, and cannot be matched across files, so they stay out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from atcgraph import __version__
from atcgraph.errors import AtcGraphError
from atcgraph.engines import _from_ox
from atcgraph.export import write_bytes, write_turtle
from atcgraph.formats import (ASSERTED_GRAPHS, DATA_GRAPH, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, QUERIES_GRAPH,
                              canonical, has_blank, serialize)
from atcgraph.paths import Paths
from atcgraph.vocab import ATC, ATCD, PREFIXES

KNOWLEDGE_GRAPHS = (*ASSERTED_GRAPHS, INFERRED_GRAPH)
ALL_GRAPHS = (*KNOWLEDGE_GRAPHS, QUERIES_GRAPH)
# file in build/release/ -> (graphs it holds, format)
BUNDLE: dict[str, tuple[tuple[URIRef, ...], str]] = {
    "ontology.ttl": ((ONTOLOGY_GRAPH,), "turtle"),
    "ontology.owl": ((ONTOLOGY_GRAPH,), "rdfxml"),
    "data.ttl": ((DATA_GRAPH,), "turtle"),
    "inferred.nt": (KNOWLEDGE_GRAPHS, "ntriples"),
    "inferred.jsonld": (KNOWLEDGE_GRAPHS, "jsonld"),
    "queries.ttl": ((QUERIES_GRAPH,), "turtle"),
    "atcgraph.trig": (ALL_GRAPHS, "trig"),
}
DATASET = URIRef("https://w3id.org/atcgraph/dataset")
ONTOLOGY_IRI = URIRef("https://w3id.org/atcgraph/ontology")
SUBSET_TITLES = {
    ONTOLOGY_GRAPH: "the atcgraph ontology (classes, properties, controlled vocabularies)",
    DATA_GRAPH: "the studies of the review and shared entities, as curated",
    INFERRED_GRAPH: "what OWL RL entails from ontology and data, beyond what they state",
    QUERIES_GRAPH: "the canned SPARQL queries, as SIB sparql-examples executables",
}


def write_release(paths: Paths, inputs: dict[str, str]) -> None:
    """Write the bundle from the build's own outputs; ``inputs`` is the build's fingerprint."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    ontology = _read_folder(paths.ontology_dir, prefixes)
    _read_folder(paths.data_dir, prefixes)  # for the prefixes curators chose
    quads = canonical(_named_graphs(paths, ontology, prefixes))
    for name, (graphs, fmt) in BUNDLE.items():
        wanted = {ox.NamedNode(str(g)) for g in graphs}
        write_bytes(serialize([q for q in quads if q.graph_name in wanted], fmt, prefixes),
                    paths.release_dir / name)
    shapes = _read_folder(paths.shapes_dir, prefixes, recursive=False)  # as load_shapes reads them
    shapes = canonical(ox.Quad(t.subject, t.predicate, t.object) for t in shapes)
    write_bytes(serialize(shapes, "turtle", prefixes), paths.release_dir / "shapes.ttl")
    write_turtle(void(quads, ontology, inputs, prefixes), paths.void_ttl)


def _named_graphs(paths: Paths, ontology: list[ox.Triple], prefixes: dict[str, str]) -> list[ox.Quad]:
    asserted = _read(paths.asserted_ttl, prefixes)
    inferred = _read(paths.inferred_ttl, prefixes)
    published = _read(paths.queries_ttl, prefixes)
    in_ontology = _ontology_triples(asserted, ontology)
    ground = {t for t in asserted if not has_blank(t)}
    graphs = {
        ONTOLOGY_GRAPH: [t for t in asserted if t in in_ontology],
        DATA_GRAPH: [t for t in asserted if t not in in_ontology],
        INFERRED_GRAPH: [t for t in inferred if not has_blank(t) and t not in ground],
        QUERIES_GRAPH: published,
    }
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(g))) for g, ts in graphs.items() for t in ts]


def _ontology_triples(asserted: list[ox.Triple], ontology: list[ox.Triple]) -> set[ox.Triple]:
    """The asserted triples the ontology files state. Ground triples match as they are; a blank
    node structure (a restriction, a list) matches when its canonical form equals one there."""
    ground = {t for t in ontology if not has_blank(t)}
    mine = {_canonical_text(c) for c in _blank_components(ontology)}
    found = {t for t in asserted if t in ground}
    for component in _blank_components(asserted):
        if _canonical_text(component) in mine:
            found.update(component)
    return found


def _blank_components(triples: Iterable[ox.Triple]) -> list[list[ox.Triple]]:
    """Triples touching blank nodes, grouped by the blank nodes that connect them."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    touching = [t for t in triples if has_blank(t)]
    for t in touching:
        nodes = [n for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in touching:
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        groups.setdefault(root(node), []).append(t)
    return list(groups.values())


def _canonical_text(component: list[ox.Triple]) -> str:
    return "\n".join(str(q) for q in canonical(ox.Quad(t.subject, t.predicate, t.object) for t in component))


def _read(path: Path, prefixes: dict[str, str]) -> list[ox.Triple]:
    """A Turtle file through an Oxigraph store, so literals take one canonical form (8.90 -> 8.9)
    whichever writer made the file, and triples compare across files."""
    store = ox.Store()
    try:
        parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        store.extend(parser)
    except (OSError, SyntaxError) as exc:
        raise AtcGraphError(f"{path}: cannot read: {exc}") from exc
    for name, namespace in parser.prefixes.items():
        if name and name not in prefixes and namespace not in prefixes.values():
            prefixes[name] = namespace
    return [q.triple for q in store]


def _read_folder(folder: Path, prefixes: dict[str, str], recursive: bool = True) -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for file in sorted(folder.rglob("*.ttl") if recursive else folder.glob("*.ttl")) if folder.is_dir() else ():
        triples += _read(file, prefixes)
    return triples


def void(quads: list[ox.Quad], ontology: list[ox.Triple], inputs: dict[str, str], prefixes: dict[str, str]) -> Graph:
    """VoID for the release: counts, vocabularies, licence and credit copied from the ontology
    header, version, and provenance (the review; the build's input fingerprint, not a clock)."""
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("prov", PROV), ("owl", OWL), ("rdfs", RDFS),
                       ("xsd", XSD), ("atcd", ATCD), ("graph", GRAPH)):
        graph.bind(prefix, ns)
    header = {t.predicate.value: t.object for t in ontology if t.subject == ox.NamedNode(str(ONTOLOGY_IRI))}
    stated = header.get(str(OWL.versionInfo))  # the ontology's version; else the code's
    version = stated.value if stated is not None else __version__
    review = BNode()
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal("atcgraph: nanomedicine for anaplastic thyroid cancer", lang="en")))
    graph.add((DATASET, DCTERMS.description, Literal(
        "The preclinical nanomedicine studies for anaplastic thyroid cancer that one review discusses, as an "
        "OWL ontology and RDF data with their OWL RL entailments and canned SPARQL queries.", lang="en")))
    for prop in (DCTERMS.license, DCTERMS.rights, DCTERMS.bibliographicCitation):
        if str(prop) in header:
            graph.add((DATASET, prop, _from_ox(header[str(prop)])))
    graph.add((DATASET, OWL.versionInfo, Literal(version)))
    graph.add((DATASET, DCTERMS.hasVersion, Literal(version)))
    graph.add((DATASET, DCTERMS.source, review))
    graph.add((DATASET, PROV.wasDerivedFrom, review))
    graph.add((review, RDF.type, DCTERMS.BibliographicResource))
    graph.add((review, DCTERMS.title, Literal(
        "Customizing cancer treatment at the nanoscale: a focus on anaplastic thyroid cancer therapy", lang="en")))
    if str(DCTERMS.bibliographicCitation) in header:
        graph.add((review, DCTERMS.bibliographicCitation, _from_ox(header[str(DCTERMS.bibliographicCitation)])))
    graph.add((review, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    activity = BNode()
    graph.add((DATASET, PROV.wasGeneratedBy, activity))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal(f"atcgraph {__version__} build")))
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode("utf-8")).hexdigest()
    graph.add((activity, DCTERMS.identifier, Literal(f"sha256:{digest}")))
    graph.add((activity, RDFS.comment, Literal(
        "Identifies the build by a SHA-256 of its input files (ontology, data, shapes, queries) and the code "
        "version, not by a time, so the same sources give the same release.", lang="en")))
    graph.add((DATASET, VOID.uriSpace, Literal(str(ATCD))))
    _statistics(graph, DATASET, quads, prefixes)
    for name in ALL_GRAPHS:
        graph.add((DATASET, VOID.subset, name))
        graph.add((name, RDF.type, VOID.Dataset))
        graph.add((name, DCTERMS.title, Literal(SUBSET_TITLES[name], lang="en")))
        graph.add((name, VOID.triples, Literal(sum(q.graph_name.value == str(name) for q in quads))))
    return graph


def _statistics(graph: Graph, dataset: URIRef, quads: list[ox.Quad], prefixes: dict[str, str]) -> None:
    """The VoID counts over the union of the named graphs, and the vocabularies it uses."""
    triples = set(q.triple for q in quads)
    rdf_type = ox.NamedNode(str(RDF.type))
    subjects = {t.subject for t in triples}
    classes = {t.object for t in triples if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode)}
    predicates = {t.predicate for t in triples}
    counts = {
        VOID.triples: len(triples),
        VOID.entities: sum(isinstance(s, ox.NamedNode) and s.value.startswith(str(ATCD)) for s in subjects),
        VOID.classes: len(classes),
        VOID.properties: len(predicates),
        VOID.distinctSubjects: len(subjects),
        VOID.distinctObjects: len({t.object for t in triples}),
    }
    for prop, n in counts.items():
        graph.add((dataset, prop, Literal(n)))
    for study in sorted(t.subject.value for t in triples
                        if t.predicate == rdf_type and t.object == ox.NamedNode(str(ATC.Study)))[:1]:
        graph.add((dataset, VOID.exampleResource, URIRef(study)))
    used = {iri.value for iri in predicates | classes}
    for ns in sorted(set(prefixes.values()) - {str(ATCD)}):  # data individuals are no vocabulary
        if any(iri.startswith(ns) for iri in used):
            graph.add((dataset, VOID.vocabulary, URIRef(ns)))
