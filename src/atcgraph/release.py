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
import threading
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
from atcgraph.export import Background, write_rdf, write_turtle
from atcgraph.formats import (ALL_GRAPHS, ASSERTED_GRAPHS, DATA_GRAPH, DEFAULT, GRAPH, INFERRED_GRAPH, KNOWLEDGE_GRAPHS,
                              ONTOLOGY_GRAPH, QUERIES_GRAPH, Dumps, GraphName, Graphs, Lines, canonical, dump_graph, lines_of,
                              read_lines, relabel, release_memory, split_blank, used_prefixes)
from atcgraph.load import turtle_files
from atcgraph.paths import Paths
from atcgraph.vocab import ATC, ATCD, PREFIXES

# file in build/release/ -> (graphs it holds, format)
BUNDLE: dict[str, tuple[tuple[URIRef, ...], str]] = {
    "ontology.ttl": ((ONTOLOGY_GRAPH,), "turtle"),
    "ontology.owl": ((ONTOLOGY_GRAPH,), "rdfxml"),
    "data.ttl": ((DATA_GRAPH,), "turtle"),
    "inferred.nt": (KNOWLEDGE_GRAPHS, "ntriples"),
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


class Release:
    """build/asserted.ttl, build/inferred.ttl and build/release/, written in two steps so that most
    of the work overlaps reasoning. ``start`` takes the graph as loaded: a thread splits it into
    ontology and data and hands the big asserted files to writer processes, while the main thread
    reasons (Oxigraph lets go of the interpreter lock while it does). ``finish`` adds what the
    reasoner entailed. Nothing replaces a file of an earlier build before ``finish``: the writers
    write beside their targets (export.background), the small files wait in memory."""

    def __init__(self, paths: Paths, inputs: dict[str, str], jobs: Background) -> None:
        self.paths, self.inputs, self.jobs = paths, inputs, jobs
        self.graphs: dict[GraphName, Lines] = {}
        self.data_file = Path()  # the data graph's lines, in N-Triples, while the store reasons
        self.small: list[tuple[Graphs, str, dict[str, str], Path]] = []
        self.used: dict[GraphName, dict[str, str]] = {}
        self.prefixes: dict[str, str] = {}
        self.header: dict[str, ox.Literal | ox.NamedNode] = {}
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def start(self, asserted: IO[bytes], published: Graph) -> None:
        """Begin on the asserted graph (an N-Triples dump) and the canned queries as RDF."""
        def run() -> None:
            try:
                self._asserted(asserted, published)
            except BaseException as exc:  # raised again by join(), in the main thread
                self._failure = exc
        self._thread = threading.Thread(target=run, name="atcgraph-release")
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._failure is not None:
            raise self._failure

    def _asserted(self, dump: IO[bytes], published: Graph) -> None:
        self.prefixes = _prefixes(self.paths, published)
        dump.seek(0)
        asserted, blank = read_lines(dump)  # ground lines, lines with blank nodes
        ontology = _store(turtle_files(self.paths, self.paths.ontology_dir))
        self.header = {q.predicate.value: q.object
                       for q in ontology.quads_for_pattern(ox.NamedNode(str(ONTOLOGY_IRI)), None, None)}
        with dump_graph(published) as queries:
            self.graphs = _split(asserted, blank, lines_of(ontology), read_lines(queries))
        del asserted, blank
        for file, (names, fmt) in BUNDLE.items():  # what holds no entailment; the data by a writer process
            if INFERRED_GRAPH not in names:
                job = self._job(names, fmt, self.paths.release_dir / file)
                if DATA_GRAPH in names:
                    self.jobs.write(*job)
                else:
                    self.small.append(job)
        shapes = canonical({DEFAULT: lines_of(_store(turtle_files(self.paths, self.paths.shapes_dir, recursive=False)))})
        self.small.append((shapes, "turtle", used_prefixes(self.prefixes, shapes), self.paths.release_dir / "shapes.ttl"))
        self.jobs.write(*self._job(ASSERTED_GRAPHS, "turtle", self.paths.asserted_ttl))
        data = NAMED[DATA_GRAPH]
        self.data_file = self.jobs.spill(self.graphs[data])  # written for data.ttl already: no copy
        self.graphs[data] = []  # read back by finish(): the store needs the memory while it reasons

    def finish(self, dumps: Dumps) -> None:
        """The entailments, and every file that holds them; then everything into place."""
        self.join()
        release_memory()  # the build's store is gone: what follows must not stack on its heap
        with dumps.asserted, dumps.inferred:
            entailed, blank_entailed = _entailed(dumps)
            closure = None
            if blank_entailed:  # build/inferred.ttl keeps the blank-node entailments the release leaves out
                dumps.asserted.seek(0)
                asserted, blank = read_lines(dumps.asserted)
                closure = relabel({DEFAULT: asserted + entailed}, {DEFAULT: blank + blank_entailed})
                del asserted, blank
        data = NAMED[DATA_GRAPH]
        with self.data_file.open("rb") as file:
            self.graphs[data] = file.readlines()  # sorted, and blank nodes canonical already
        self.jobs.remember(self.graphs[data], self.data_file)
        self.graphs[NAMED[INFERRED_GRAPH]] = sorted(entailed)
        del entailed
        # sorted once, written twice. The graphs share no triple (data is asserted minus ontology,
        # entailments are inferred minus asserted), so their union is just their lines together.
        knowledge = sorted(chain.from_iterable(self.graphs[NAMED[name]] for name in KNOWLEDGE_GRAPHS))
        for file, (names, fmt) in sorted(BUNDLE.items(), key=lambda item: item[1][1] != "ntriples"):
            if INFERRED_GRAPH in names:  # N-Triples first: the other formats of the same graph read it
                self.jobs.write(*self._job(names, fmt, self.paths.release_dir / file, knowledge))
        if closure is None:
            self.jobs.write(*self._job(KNOWLEDGE_GRAPHS, "turtle", self.paths.inferred_ttl, knowledge))
        else:
            write_rdf(closure, "turtle", used_prefixes(self.prefixes, closure), self.paths.inferred_ttl)
        for job in self.small:
            write_rdf(*job)
        queries = [line for line in self.graphs[NAMED[QUERIES_GRAPH]] if not _has(knowledge, line)]
        write_turtle(void(self.graphs, knowledge + queries, self.header, self.inputs, self.prefixes),
                     self.paths.void_ttl)

    def _job(self, names: tuple[URIRef, ...], fmt: str, path: Path,
             knowledge: Lines | None = None) -> tuple[Graphs, str, dict[str, str], Path]:
        """What a writer needs for ``names`` in ``fmt``: the graphs (a triple format: their union;
        ``knowledge``, the union of KNOWLEDGE_GRAPHS, when given and asked for), and the prefixes
        they use."""
        chosen = {NAMED[name]: self.graphs[NAMED[name]] for name in names}
        if fmt != "ntriples":  # the formats that declare prefixes
            for name in chosen.keys() - self.used.keys():
                self.used[name] = used_prefixes(self.prefixes, {name: self.graphs[name]})
        declared = dict(sorted(chain.from_iterable(self.used.get(name, {}).items() for name in chosen)))
        if fmt != "trig" and len(chosen) > 1:  # a triple format: their union (they share no triple)
            union = knowledge if knowledge is not None and names == KNOWLEDGE_GRAPHS else None
            chosen = {DEFAULT: union if union is not None else sorted(chain.from_iterable(chosen.values()))}
        return chosen, fmt, declared, path


def _entailed(dumps: Dumps) -> tuple[Lines, Lines]:
    """The lines of the inferred dump that the asserted one lacks, split as ``read_lines`` does.
    Oxigraph's in-memory store lists the newest triples first, so the inferred dump is the
    entailments, then the asserted dump byte for byte: when a byte comparison confirms it, the
    lines before are taken as they are; else (another store: the reference path) by a set
    difference."""
    head = dumps.inferred.seek(0, os.SEEK_END) - dumps.asserted.seek(0, os.SEEK_END)
    if head >= 0 and _tail_is(dumps.inferred, head, dumps.asserted):
        dumps.inferred.seek(0)
        return read_lines(dumps.inferred, size=head)
    dumps.asserted.seek(0)
    known = set(chain.from_iterable(read_lines(dumps.asserted)))
    dumps.inferred.seek(0)
    return read_lines(dumps.inferred, known=known)


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


def _split(ground: Lines, blank: Lines, ontology: Lines, queries: tuple[Lines, Lines]) -> dict[GraphName, Lines]:
    """The release's asserted named graphs, canonical: the asserted lines (``ground``, and those
    with ``blank`` nodes) split by whether the ontology files state them, and the canned queries
    (their ground lines and those with blank nodes)."""
    theirs = _ontology_lines(blank, ontology)
    return relabel({NAMED[ONTOLOGY_GRAPH]: list(filter(theirs.__contains__, ground)),
                    NAMED[DATA_GRAPH]: list(filterfalse(theirs.__contains__, ground)),
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


def _prefixes(paths: Paths, published: Graph) -> dict[str, str]:
    """The project's prefixes, then the curators' own: those the ontology and data files declare,
    those the canned queries as RDF bind, those the shape files declare; a name or namespace
    taken already is skipped."""
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    declared = chain(*map(_declared, [*turtle_files(paths, paths.ontology_dir), *turtle_files(paths, paths.data_dir)]),
                     ((name, str(ns)) for name, ns in sorted(published.namespaces())),
                     *map(_declared, turtle_files(paths, paths.shapes_dir, recursive=False)))
    for name, namespace in declared:
        if name and name not in prefixes and namespace not in prefixes.values():
            prefixes[name] = namespace
    return prefixes


def _declared(file: Path) -> Iterable[tuple[str, str]]:
    """The prefixes a Turtle file declares before its first triple (read that far only)."""
    try:
        parser = ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)
        next(parser, None)
    except (OSError, SyntaxError) as exc:
        raise AtcGraphError(f"{file}: cannot read: {exc}") from exc
    return parser.prefixes.items()


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
