"""The RDF formats the build writes, reproducibly and at any size: the same graph, the same bytes.

Everything travels as N-Triples lines (bytes, one triple a line, as an Oxigraph store dumps
them), so the work stays in compiled code: Python only relabels the few lines that mention blank
nodes (W3C RDFC-1.0, by Oxigraph), sorts lines as bytes, and hands them to Oxigraph's writers
(Turtle, N-Triples, RDF/XML, TriG, JSON-LD), which write them in that order.
"""

from __future__ import annotations

import ctypes
import io
import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, filterfalse, islice
from operator import eq
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, Namespace

from atcgraph.errors import AtcGraphError
from atcgraph.paths import Paths

# What `atcgraph export --format` accepts, and the file extension of each.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}
EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf", "trig": "trig"}

# The named graphs of the release: who said a triple, the curators or the reasoner.
GRAPH = Namespace("https://w3id.org/atcgraph/graph/")
ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH, QUERIES_GRAPH = GRAPH.ontology, GRAPH.data, GRAPH.inferred, GRAPH.queries
ASSERTED_GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH)
KNOWLEDGE_GRAPHS = (*ASSERTED_GRAPHS, INFERRED_GRAPH)
ALL_GRAPHS = (*KNOWLEDGE_GRAPHS, QUERIES_GRAPH)
DEFAULT = ox.DefaultGraph()

GraphName = ox.NamedNode | ox.DefaultGraph
Lines = list[bytes]  # N-Triples lines, each ending in b"\n"
Graphs = Mapping[GraphName, Lines]


@dataclass
class Dumps:
    """The built graph as one Oxigraph store dumped it, before and after reasoning: N-Triples in
    temporary files (not in memory, so the store's memory is free again while they are written),
    with one label per blank node across both and literals in Oxigraph's canonical form."""

    asserted: IO[bytes]
    inferred: IO[bytes]


def dump(store: ox.Store) -> IO[bytes]:
    """The store's default graph as N-Triples in a temporary file, read from the start."""
    file = tempfile.TemporaryFile()
    store.dump(file, format=ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT)
    file.seek(0)
    return file


def dump_graph(graph: Graph) -> IO[bytes]:
    """An rdflib graph dumped as an Oxigraph store would (literals in canonical form), its blank
    nodes keeping rdflib's labels, so graphs sharing blank nodes are dumped with the same ones."""
    store = ox.Store()
    store.extend(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return dump(store)


def lines_of(store: ox.Store) -> Lines:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT).splitlines(keepends=True)


def read_lines(file: IO[bytes], known: set[bytes] | None = None, size: int = -1) -> tuple[Lines, Lines]:
    """``split_blank`` of the lines of an N-Triples dump (its first ``size`` bytes) but the
    ``known`` ones, read in chunks: never the whole file in memory besides the lines kept."""
    lines: Lines = []
    maybe: Lines = []
    rest = b""
    while chunk := file.read(1 << 24 if size < 0 else min(1 << 24, size - file.tell())):
        text = rest + chunk
        end = text.rfind(b"\n") + 1
        rest = text[end:]
        part = text[:end].splitlines(keepends=True)
        lines += filterfalse(known.__contains__, part) if known else part
        maybe += _holding_blank(text, end)
    if rest and not (known and rest in known):
        lines.append(rest)
        maybe += _holding_blank(rest, len(rest))
    return _separate(lines, maybe)


def split_blank(lines: Lines) -> tuple[Lines, Lines]:
    """(ground lines, lines whose triple has a blank node), each in the order given."""
    text = b"".join(lines)
    return _separate(lines, _holding_blank(text, len(text)))


def _holding_blank(text: bytes, end: int) -> Lines:
    """The lines of ``text[:end]`` that may hold a blank node: those holding ``_:``, found by a
    byte search (few: the ontology's axioms)."""
    found = []
    at = text.find(b"_:", 0, end)
    while at >= 0:
        start, stop = text.rfind(b"\n", 0, at) + 1, text.find(b"\n", at, end) + 1 or end
        found.append(text[start:stop])
        at = text.find(b"_:", stop, end)
    return found


def _separate(lines: Lines, maybe: Lines) -> tuple[Lines, Lines]:
    """``lines`` split by which of the ``maybe`` lines have a blank node: those are parsed, to tell
    one from ``_:`` inside a literal."""
    blank = {line for line, quad in zip(maybe, ox.parse(b"".join(maybe), format=ox.RdfFormat.N_TRIPLES))
             if has_blank(quad)}
    if not blank:
        return lines, []
    return list(filterfalse(blank.__contains__, lines)), list(filter(blank.__contains__, lines))


def release_memory() -> None:
    """Hand back to the system the memory a dropped Oxigraph store leaves in the C heap: glibc
    keeps freed memory for reuse, and Python's own objects, allocated elsewhere, never reuse it,
    so what comes next would stack on top of it. A no-op where the C library is not glibc."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):
        pass


def canonical(graphs: Graphs) -> dict[GraphName, Lines]:
    """Each graph's lines sorted, its blank nodes relabelled by RDFC-1.0: the same dataset gives
    the same lines."""
    split = {name: split_blank(lines) for name, lines in graphs.items()}
    return relabel({name: ground for name, (ground, _) in split.items()},
                   {name: blank for name, (_, blank) in split.items()})


def relabel(ground: Graphs, blank: Graphs) -> dict[GraphName, Lines]:
    """``canonical`` of graphs whose lines with blank nodes are known (``blank``, by graph). Only
    those take part (a canonical label depends on them alone), relabelled together so a blank
    node keeps one label across the graphs."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, name) for name, lines in blank.items()
                         for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {name: sorted(chain(lines, _ntriples(q.triple for q in dataset.quads_for_graph_name(name))))
            for name, lines in ground.items()}


def _ntriples(triples: Iterable[ox.Triple]) -> Lines:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)


def union(graphs: Graphs) -> Lines:
    """The graphs' triples, sorted, each once (one graph's canonical lines already are)."""
    if len(graphs) == 1:
        return next(iter(graphs.values()))
    merged = sorted(chain.from_iterable(graphs.values()))  # sorted runs: merged in linear time
    if any(map(eq, merged, islice(merged, 1, None))):  # a triple in two graphs sits next to itself
        merged = list(dict.fromkeys(merged))
    return merged


def serialize(graphs: Graphs, fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """``write`` into memory, declaring the ``prefixes`` the graphs use."""
    out = io.BytesIO()
    write(graphs, fmt, used_prefixes(prefixes, graphs), out)
    return out.getvalue()


def write(graphs: Graphs, fmt: str, prefixes: Mapping[str, str], target: IO[bytes]) -> None:
    """One of FORMATS into ``target``, from canonical sorted lines (see ``canonical``), declaring
    ``prefixes``. TriG keeps the named graphs; every other format writes their union as triples.
    JSON-LD comes in expanded form, full IRIs and no @context: Oxigraph's writer declares no
    prefixes, and no other JSON-LD writer keeps pace with a big graph."""
    check_format(fmt)
    if fmt == "ntriples":
        target.writelines(union(graphs))
        return
    writer, declared, tail = _writer(fmt, prefixes)
    quads = ox.parse(b"".join(_source(graphs, fmt)), format=_source_format(fmt))
    ox.serialize(quads, target, writer, prefixes=declared)
    target.write(tail)


def conversion(files: Mapping[GraphName, Path], fmt: str, prefixes: Mapping[str, str], target: Path) -> str:
    """writer.py's SPEC: the graphs, each in an N-Triples file of its sorted lines, written as
    ``fmt`` into ``target`` as ``write`` would. A triple format takes one graph (a ``union``)."""
    if fmt != "trig" and len(files) != 1:
        raise ValueError(f"{fmt} is written from one graph, not {len(files)}")
    pieces: list[str | list[str]] = []
    for name, file in files.items():
        named = fmt == "trig" and isinstance(name, ox.NamedNode)
        pieces += [[f"{name} {{\n"], str(file), ["}\n"]] if named else [str(file)]
    writer, declared, tail = _writer(fmt, prefixes)
    return json.dumps([pieces, _source_format(fmt).media_type, writer.media_type, declared, tail.decode(),
                       str(target)])


def _writer(fmt: str, prefixes: Mapping[str, str]) -> tuple[ox.RdfFormat, dict[str, str] | None, bytes]:
    """Oxigraph's writer of ``fmt``, the prefixes it declares, and what ends the file."""
    return FORMATS[fmt], None if fmt in ("jsonld", "ntriples") else dict(prefixes), b"\n" if fmt == "jsonld" else b""


def _source_format(fmt: str) -> ox.RdfFormat:
    return ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_TRIPLES


def _source(graphs: Graphs, fmt: str) -> Iterable[bytes]:
    """The lines to parse for ``fmt``: N-Triples lines are TriG statements, so TriG gets each named
    graph as a block of them; every other format the union. (conversion does the same with files.)"""
    if fmt != "trig":
        return union(graphs)
    return chain.from_iterable([f"{name} {{\n".encode(), *lines, b"}\n"] if isinstance(name, ox.NamedNode) else lines
                               for name, lines in graphs.items())


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise AtcGraphError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def used_prefixes(prefixes: Mapping[str, str], graphs: Graphs) -> dict[str, str]:
    """The prefixes whose namespace starts some IRI (term, datatype) of the graphs other than the
    namespace itself: a byte search (so a literal quoting such an IRI may add one), in slices of
    lines joined one at a time."""
    needles = {name: b"<" + namespace.encode("utf-8") for name, namespace in prefixes.items()}
    for lines in graphs.values():
        for start in range(0, len(lines), 1 << 16):
            text = b"".join(lines[start:start + (1 << 16)])
            for name in [name for name, needle in needles.items() if _starts_longer_iri(text, needle)]:
                del needles[name]
            if not needles:
                break
    return {name: namespace for name, namespace in sorted(prefixes.items()) if name not in needles}


def _starts_longer_iri(text: bytes, needle: bytes) -> bool:
    at = text.find(needle)
    while at >= 0 and text[at + len(needle):at + len(needle) + 1] == b">":
        at = text.find(needle, at + 1)
    return at >= 0


def read_release(paths: Paths, graphs: Iterable[Namespace | str]) -> tuple[dict[GraphName, Lines], dict[str, str]]:
    """Named graphs of the release's TriG as N-Triples lines, and the prefixes the TriG declares."""
    wanted: dict[GraphName, Lines] = {ox.NamedNode(str(g)): [] for g in graphs}
    try:
        parser = ox.parse(path=str(paths.release_trig), format=ox.RdfFormat.TRIG)
        data = ox.serialize((q for q in parser if q.graph_name in wanted), format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError) as exc:
        raise AtcGraphError(f"{paths.release_trig}: cannot read the release: {exc}") from exc
    by_suffix = {f" {name} .\n".encode(): lines for name, lines in wanted.items()}
    for line in data.splitlines(keepends=True):
        cut = line.rindex(b" <")  # the graph name is the line's last term, and an IRI holds no space
        by_suffix[line[cut:]].append(line[:cut] + b" .\n")
    return wanted, dict(parser.prefixes)


def has_blank(quad: ox.Quad | ox.Triple) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
