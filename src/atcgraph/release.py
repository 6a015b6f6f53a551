"""The built graph written out: build/asserted.ttl, build/inferred.ttl, and the release bundle in
build/release/ for other tools.

The bundle holds the same content in the formats tools expect (see the README's "Which file to
load where"): the ontology, the asserted data, the graph with its OWL RL entailments, the SHACL
shapes, the canned queries as RDF, every graph named in one TriG file, and a VoID description.

The graphs are told apart by who said a triple: the ontology files, the data files, or the
reasoner. Entailments are the inferred graph's triples without blank nodes that the asserted
graph lacks: blank-node entailments (an individual typed with an anonymous restriction) say
nothing a user can query by name, and cannot be matched across files, so they stay out.

All of it is N-Triples lines from the build's one Oxigraph store (formats.py): set operations
on lines as bytes, counting by splitting lines, writing by Oxigraph. Python never holds a parsed
triple of the data, only of the few lines with blank nodes.
"""

from __future__ import annotations

import hashlib
import json
import os
from bisect import bisect_left
from collections.abc import Iterable
from itertools import chain, filterfalse
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from atcgraph import __version__
from atcgraph.engines import _from_ox
from atcgraph.errors import AtcGraphError
from atcgraph.export import background, write_rdf, write_turtle
from atcgraph.formats import (ALL_GRAPHS, ASSERTED_GRAPHS, DATA_GRAPH, DEFAULT, GRAPH, INFERRED_GRAPH, KNOWLEDGE_GRAPHS,
                              ONTOLOGY_GRAPH, QUERIES_GRAPH, Dumps, GraphName, Graphs, Lines, canonical, lines_of,
                              read_lines, relabel, release_memory, split_blank, used_prefixes)
from atcgraph.paths import Paths
from atcgraph.vocab import ATC, ATCD, PREFIXES

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
NAMED = {name: ox.NamedNode(str(name)) for name in ALL_GRAPHS}  # as Oxigraph names them
DATASET = URIRef("https://w3id.org/atcgraph/dataset")
ONTOLOGY_IRI = URIRef("https://w3id.org/atcgraph/ontology")
SUBSET_TITLES = {
    ONTOLOGY_GRAPH: "the atcgraph ontology (classes, properties, controlled vocabularies)",
    DATA_GRAPH: "the studies of the review and shared entities, as curated",
    INFERRED_GRAPH: "what OWL RL entails from ontology and data, beyond what they state",
    QUERIES_GRAPH: "the canned SPARQL queries, as SIB sparql-examples executables",
}


def write_graphs(paths: Paths, inputs: dict[str, str], dumps: Dumps) -> None:
    """asserted.ttl, inferred.ttl and the bundle, from the build's dumps; ``inputs`` is the build's
    fingerprint. build/queries.ttl must already be written."""
    release_memory()  # the build's store is gone: what follows must not stack on its heap
    prefixes = _prefixes(paths)
    with dumps.asserted, dumps.inferred:
        asserted, blank = read_lines(dumps.asserted)  # ground lines, lines with blank nodes
        entailed, blank_entailed = _entailed(dumps, asserted, blank)
    ontology = _store(_turtle_files(paths.ontology_dir))
    graphs = _split(paths, asserted, blank, entailed, lines_of(ontology))
    closure = relabel({DEFAULT: asserted + entailed}, {DEFAULT: blank + blank_entailed}) if blank_entailed else None
    del asserted, blank, entailed
    # sorted once, written thrice. The graphs share no triple (data is asserted minus ontology,
    # entailments are inferred minus asserted), so their union is just their lines together.
    knowledge = sorted(chain.from_iterable(graphs[NAMED[name]] for name in KNOWLEDGE_GRAPHS))
    used: dict[GraphName, dict[str, str]] = {}

    def job(names: tuple[URIRef, ...], fmt: str, path: Path) -> tuple[Graphs, str, dict[str, str], Path]:
        chosen = {NAMED[name]: graphs[NAMED[name]] for name in names}
        if fmt not in ("ntriples", "jsonld"):  # the formats that declare prefixes
            for name in chosen.keys() - used.keys():
                used[name] = used_prefixes(prefixes, {name: graphs[name]})
        declared = dict(sorted(chain.from_iterable(used.get(name, {}).items() for name in chosen)))
        if fmt != "trig" and len(chosen) > 1:  # a triple format: their union (they share no triple)
            chosen = {DEFAULT: knowledge if names == KNOWLEDGE_GRAPHS else sorted(chain.from_iterable(chosen.values()))}
        return chosen, fmt, declared, path

    with background(paths.build_dir) as big:  # the files holding the data, each by a process of its own
        for file, (names, fmt) in sorted(BUNDLE.items(), key=lambda item: item[1][1] not in ("ntriples", "jsonld")):
            (big.write if DATA_GRAPH in names else write_rdf)(*job(names, fmt, paths.release_dir / file))
        big.write(*job(ASSERTED_GRAPHS, "turtle", paths.asserted_ttl))
        if closure is None:
            big.write(*job(KNOWLEDGE_GRAPHS, "turtle", paths.inferred_ttl))
        else:  # build/inferred.ttl keeps the blank-node entailments the release leaves out
            write_rdf(closure, "turtle", used_prefixes(prefixes, closure), paths.inferred_ttl)
        shapes = canonical({DEFAULT: lines_of(_store(_turtle_files(paths.shapes_dir, recursive=False)))})
        write_rdf(shapes, "turtle", used_prefixes(prefixes, shapes), paths.release_dir / "shapes.ttl")
        header = {q.predicate.value: q.object
                  for q in ontology.quads_for_pattern(ox.NamedNode(str(ONTOLOGY_IRI)), None, None)}
        queries = [line for line in graphs[NAMED[QUERIES_GRAPH]] if not _has(knowledge, line)]
        write_turtle(void(graphs, knowledge + queries, header, inputs, prefixes), paths.void_ttl)


def _entailed(dumps: Dumps, *asserted: Lines) -> tuple[Lines, Lines]:
    """The lines of the inferred dump that the asserted one (its lines: ``asserted``) lacks, split
    as ``read_lines`` does. Oxigraph's in-memory store lists the newest triples first, so the
    inferred dump is the entailments, then the asserted dump byte for byte: when a byte comparison
    confirms it, the lines before are taken as they are; else (another store: the reference path)
    by a set difference."""
    head = dumps.inferred.seek(0, os.SEEK_END) - dumps.asserted.seek(0, os.SEEK_END)
    if head >= 0 and _tail_is(dumps.inferred, head, dumps.asserted):
        dumps.inferred.seek(0)
        return read_lines(dumps.inferred, size=head)
    dumps.inferred.seek(0)
    return read_lines(dumps.inferred, known=set(chain.from_iterable(asserted)))


def _tail_is(file: IO[bytes], at: int, other: IO[bytes]) -> bool:
    """Whether ``file`` from byte ``at``, a line start, holds what ``other`` holds."""
    if at > 0:
        file.seek(at - 1)
        if file.read(1) != b"\n":
            return False
    other.seek(0)
    while (chunk := file.read(1 << 24)) == other.read(1 << 24):
        if not chunk:
            return True
    return False


def _has(lines: Lines, line: bytes) -> bool:
    """Whether sorted ``lines`` hold ``line``."""
    at = bisect_left(lines, line)
    return at < len(lines) and lines[at] == line


def _split(paths: Paths, ground: Lines, blank: Lines, entailments: Lines, ontology: Lines) -> dict[GraphName, Lines]:
    """The release's named graphs, canonical: the asserted lines (``ground``, and those with
    ``blank`` nodes) split by whether the ontology files state them, the entailments without blank
    nodes, and the canned queries."""
    theirs = _ontology_lines(blank, ontology)
    queries = split_blank(lines_of(_store([paths.queries_ttl])))
    return relabel({NAMED[ONTOLOGY_GRAPH]: list(filter(theirs.__contains__, ground)),
                    NAMED[DATA_GRAPH]: list(filterfalse(theirs.__contains__, ground)),
                    NAMED[INFERRED_GRAPH]: entailments,
                    NAMED[QUERIES_GRAPH]: queries[0]},
                   {NAMED[ONTOLOGY_GRAPH]: [line for line in blank if line in theirs],
                    NAMED[DATA_GRAPH]: [line for line in blank if line not in theirs],
                    NAMED[QUERIES_GRAPH]: queries[1]})


def _ontology_lines(blank_asserted: Lines, ontology: Lines) -> set[bytes]:
    """The asserted lines the ontology files state. Ground lines match as they are (both come from
    Oxigraph stores, so literals take one canonical form: 8.90 -> 8.9); a blank-node structure (a
    restriction, a list) matches when its canonical form equals one of the ontology's."""
    ground, blank = split_blank(ontology)
    theirs = {_canonical_text(component) for component in _blank_components(blank)}
    found = set(ground)
    for component in _blank_components(blank_asserted):
        if _canonical_text(component) in theirs:
            found.update(component)
    return found


def _blank_components(lines: Lines) -> list[Lines]:
    """Lines with blank nodes, grouped by the blank nodes that connect them."""
    triples = [q.triple for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)]
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for t in triples:
        nodes = [n for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[ox.BlankNode, Lines] = {}
    for line, t in zip(lines, triples):
        groups.setdefault(root(t.subject if isinstance(t.subject, ox.BlankNode) else t.object), []).append(line)
    return list(groups.values())


def _canonical_text(component: Lines) -> bytes:
    return b"".join(canonical({DEFAULT: component})[DEFAULT])


def _store(files: Iterable[Path]) -> ox.Store:
    """Small Turtle files in an Oxigraph store, so their literals take the canonical form."""
    store = ox.Store()
    for file in files:
        try:
            store.load(path=str(file), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError) as exc:
            raise AtcGraphError(f"{file}: cannot read: {exc}") from exc
    return store


def _turtle_files(folder: Path, recursive: bool = True) -> list[Path]:
    return sorted(folder.rglob("*.ttl") if recursive else folder.glob("*.ttl")) if folder.is_dir() else []


def _prefixes(paths: Paths) -> dict[str, str]:
    """The project's prefixes, then the curators' own: those a source file declares before its
    first triple (read that far only), unless the name or the namespace is taken already."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    files = [*_turtle_files(paths.ontology_dir), *_turtle_files(paths.data_dir), paths.queries_ttl,
             *_turtle_files(paths.shapes_dir, recursive=False)]
    for file in files:
        try:
            parser = ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)
            next(parser, None)
        except (OSError, SyntaxError) as exc:
            raise AtcGraphError(f"{file}: cannot read: {exc}") from exc
        for name, namespace in parser.prefixes.items():
            if name and name not in prefixes and namespace not in prefixes.values():
                prefixes[name] = namespace
    return prefixes


def void(graphs: dict[GraphName, Lines], lines: Lines, header: dict[str, ox.Literal | ox.NamedNode],
         inputs: dict[str, str], prefixes: dict[str, str]) -> Graph:
    """VoID for the release (``lines``: the union of its ``graphs``): counts, vocabularies, licence
    and credit copied from the ontology header, version, and provenance (the review; the build's
    input fingerprint, not a clock)."""
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("prov", PROV), ("owl", OWL), ("rdfs", RDFS),
                       ("xsd", XSD), ("atcd", ATCD), ("graph", GRAPH)):
        graph.bind(prefix, ns)
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
    _statistics(graph, DATASET, lines, prefixes)
    for name in ALL_GRAPHS:
        graph.add((DATASET, VOID.subset, name))
        graph.add((name, RDF.type, VOID.Dataset))
        graph.add((name, DCTERMS.title, Literal(SUBSET_TITLES[name], lang="en")))
        graph.add((name, VOID.triples, Literal(len(graphs[NAMED[name]]))))
    return graph


def _statistics(graph: Graph, dataset: URIRef, lines: Lines, prefixes: dict[str, str]) -> None:
    """The VoID counts over the union of the named graphs, and the vocabularies it uses. Canonical
    N-Triples puts one space after subject and predicate, which hold none themselves."""
    rdf_type, study = f"<{RDF.type}>".encode(), f"<{ATC.Study}> .\n".encode()
    subjects: set[bytes] = set()
    predicates: set[bytes] = set()
    objects: set[bytes] = set()
    types: set[bytes] = set()
    studies: list[bytes] = []
    for line in lines:
        s, p, o = line.split(b" ", 2)
        subjects.add(s)
        predicates.add(p)
        objects.add(o)
        if p == rdf_type:
            types.add(o)
            if o == study and s.startswith(b"<"):
                studies.append(s)
    classes = {o[1:-4] for o in types if o.startswith(b"<")}  # b"<iri> .\n" -> iri
    counts = {
        VOID.triples: len(lines),
        VOID.entities: sum(s.startswith(f"<{ATCD}".encode()) for s in subjects),
        VOID.classes: len(classes),
        VOID.properties: len(predicates),
        VOID.distinctSubjects: len(subjects),
        VOID.distinctObjects: len(objects),
    }
    for prop, n in counts.items():
        graph.add((dataset, prop, Literal(n)))
    for first in sorted(studies)[:1]:
        graph.add((dataset, VOID.exampleResource, URIRef(first[1:-1].decode("utf-8"))))
    used = {iri.decode("utf-8") for iri in classes | {p[1:-1] for p in predicates}}
    for ns in sorted(set(prefixes.values()) - {str(ATCD)}):  # data individuals are no vocabulary
        if any(iri.startswith(ns) for iri in used):
            graph.add((dataset, VOID.vocabulary, URIRef(ns)))
