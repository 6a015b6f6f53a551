"""Stage 4: write graphs and reports to build/, reproducibly and never half-written; and
`atcgraph export`: the built graph in Turtle, N-Triples, JSON-LD, RDF/XML or TriG."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from atcgraph.errors import AtcGraphError
from atcgraph.formats import ASSERTED_GRAPHS, INFERRED_GRAPH, read_release, serialize
from atcgraph.paths import Paths
from atcgraph.vocab import PREFIXES


def export(paths: Paths, fmt: str, inferred: bool = False) -> bytes:
    """The built graph in one format: ontology and data as asserted, with ``inferred`` also the
    OWL RL entailments. Reads the release's TriG, so nothing is reasoned over again."""
    quads, prefixes = read_release(paths)
    wanted = {ox.NamedNode(str(g)) for g in ASSERTED_GRAPHS + ((INFERRED_GRAPH,) if inferred else ())}
    return serialize([q for q in quads if q.graph_name in wanted], fmt, prefixes)


def write_turtle(graph: Graph, path: Path) -> None:
    """Same graph, same bytes, so build outputs can be diffed between runs.

    rdflib's Turtle writer sorts subjects and objects, but blank nodes carry
    random parse-time ids and would sort differently on every run, so they
    are renamed after their content first.
    """
    write_bytes(_stable_blank_nodes(graph).serialize(format="turtle", encoding="utf-8"), path)


def write_store(ntriples: bytes, path: Path, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> None:
    """Oxigraph's writers, made reproducible: blank nodes get their W3C RDFC-1.0 canonical labels
    and triples are written in sorted order, so the same graph gives the same bytes at any size.

    Takes N-Triples (``Store.dump``) so the work stays in compiled code: relabel the few
    blank-node lines, sort the lines as bytes, and let Oxigraph re-read and re-write them.
    """
    lines = [line for line in ntriples.split(b"\n") if line]
    blank = [line for line in lines if b"_:" in line]
    if blank:
        lines = [line for line in lines if b"_:" not in line] + _canonical(b"\n".join(blank))
    lines.sort()
    data = b"\n".join(lines) + b"\n"
    if fmt != ox.RdfFormat.N_TRIPLES:
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        data = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=fmt, prefixes=prefixes)
    write_bytes(data, path)


def _canonical(ntriples: bytes) -> list[bytes]:
    """The triples that mention blank nodes, relabelled by RDFC-1.0 (few: the ontology's axioms)."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                         for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
    return [line for line in text.split(b"\n") if line]


def write_text(text: str, path: Path) -> None:
    write_bytes(text.encode("utf-8"), path)


def write_bytes(data: bytes, path: Path) -> None:
    """Write to a temporary file beside the target, then rename over it atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same dir: rename is atomic
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AtcGraphError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _stable_blank_nodes(graph: Graph) -> Graph:
    """A copy whose blank nodes are named by a hash of their neighbourhood.

    Colour refinement: each round hashes a node's triples with its neighbours'
    current hashes, until the partition stops splitting. rdflib's exact
    canonicaliser (rdflib.compare) does the same job but takes minutes on a
    few thousand blank nodes. Nodes left with equal hashes are interchangeable
    in the tree-shaped blank nodes Turtle produces, so numbering them in any
    order gives the same text.
    """
    touching = [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
    colour: dict[Node, str] = {n: "" for t in touching for n in (t[0], t[2]) if isinstance(n, BNode)}

    def name(node: Node) -> str:
        return colour[node] if isinstance(node, BNode) else node.n3()

    classes = 1
    while colour:
        signature: dict[Node, list[str]] = defaultdict(list)
        for s, p, o in touching:
            if isinstance(s, BNode):
                signature[s].append(f"> {p.n3()} {name(o)}")
            if isinstance(o, BNode):
                signature[o].append(f"< {name(s)} {p.n3()}")
        colour = {
            node: hashlib.sha256("\n".join([old, *sorted(signature[node])]).encode()).hexdigest()[:20]
            for node, old in colour.items()
        }
        if len(set(colour.values())) <= classes:
            break
        classes = len(set(colour.values()))

    groups: dict[str, list[Node]] = defaultdict(list)
    for node, digest in colour.items():
        groups[digest].append(node)
    rename = {
        node: BNode(f"b{digest}" if len(nodes) == 1 else f"b{digest}x{i}")
        for digest, nodes in groups.items()
        for i, node in enumerate(nodes)
    }
    stable = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        stable.bind(prefix, namespace)
    for s, p, o in graph:
        stable.add((rename.get(s, s), p, rename.get(o, o)))
    return stable
