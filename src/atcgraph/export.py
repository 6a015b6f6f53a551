"""Stage 4: write graphs and reports to build/, reproducibly and never half-written; and
`atcgraph export`: the built graph in Turtle, N-Triples, JSON-LD, RDF/XML or TriG."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.term import Node

from atcgraph.errors import AtcGraphError
from atcgraph.formats import (ASSERTED_GRAPHS, INFERRED_GRAPH, Graphs, Lines, canonical, check_format, conversion, read_release,
                              serialize, union, write)
from atcgraph.paths import Paths


def export(paths: Paths, fmt: str, inferred: bool = False) -> bytes:
    """The built graph in one format: ontology and data as asserted, with ``inferred`` also the
    OWL RL entailments. Reads the release's TriG, so nothing is reasoned over again."""
    check_format(fmt)
    graphs, prefixes = read_release(paths, ASSERTED_GRAPHS + ((INFERRED_GRAPH,) if inferred else ()))
    return serialize(canonical(graphs), fmt, prefixes)


def write_turtle(graph: Graph, path: Path) -> None:
    """Same graph, same bytes, so build outputs can be diffed between runs.

    rdflib's Turtle writer sorts subjects and objects, but blank nodes carry
    random parse-time ids and would sort differently on every run, so they
    are renamed after their content first.
    """
    write_bytes(_stable_blank_nodes(graph).serialize(format="turtle", encoding="utf-8"), path)


def write_rdf(graphs: Graphs, fmt: str, prefixes: Mapping[str, str], path: Path) -> None:
    """``formats.write`` into a file, atomically."""
    with replacing(path) as tmp:
        with tmp.open("wb") as target:
            write(graphs, fmt, prefixes, target)


class Background:
    """Writers run in other processes while this one goes on (see ``background``)."""

    def __init__(self, scratch: Path, made: list[Path]) -> None:
        self._scratch = scratch
        # id of a graph's lines -> the lines (kept, so the id is not reused) and the N-Triples file holding them
        self._files: dict[int, tuple[Lines, Path]] = {}
        self._names = itertools.count()
        self.targets: list[Path] = []
        self.made = made  # the folders made for the writes, to remove again if they fail
        self.workers: list[subprocess.Popen[bytes]] = []

    def write(self, graphs: Graphs, fmt: str, prefixes: Mapping[str, str], path: Path) -> None:
        """Like ``write_rdf`` (but a triple format takes one graph): each graph's lines go to an
        N-Triples file once (in N-Triples, the target itself), and a process started now writes
        ``path`` from them (writer.py)."""
        self.made += _make(path.parent)
        self.targets.append(path)
        if fmt == "ntriples":  # written here, and the source of the other formats of that graph
            with _beside(path).open("wb") as out:
                out.writelines(union(graphs))
            if len(graphs) == 1:
                self.remember(next(iter(graphs.values())), _beside(path))
            return
        spec = conversion({name: self._file(lines) for name, lines in graphs.items()}, fmt, prefixes, _beside(path))
        self.workers.append(subprocess.Popen([sys.executable, "-m", "atcgraph.writer", spec],
                                             stderr=subprocess.PIPE, env=_WRITER_ENV))

    def remember(self, lines: Lines, file: Path) -> None:
        """``file`` holds ``lines``, as N-Triples: a writer needing them reads it."""
        self._files.setdefault(id(lines), (lines, file))

    def spill(self, lines: Lines) -> Path:
        """An N-Triples file holding ``lines``, which the caller may now drop to free memory."""
        file = self._file(lines)
        del self._files[id(lines)]
        return file

    def _file(self, lines: Lines) -> Path:
        if id(lines) not in self._files:
            file = self._scratch / f"{next(self._names)}.nt"
            with file.open("wb") as out:
                out.writelines(lines)
            self._files[id(lines)] = (lines, file)
        return self._files[id(lines)][1]


# The writer processes import this package from where this process did.
_WRITER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                            *filter(None, [os.environ.get("PYTHONPATH")])])}


@contextmanager
def background(scratch_in: Path) -> Iterator[Background]:
    """Write files in other processes while the block runs; they are in place (atomically) when
    it ends. Oxigraph's writers hold Python's interpreter lock, so threads would not help, and a
    process per file keeps every core busy. Scratch files go to a folder in ``scratch_in``. If
    the block fails, the folders made for it go again, so a failed first build leaves nothing."""
    made: list[Path] = []
    try:
        made += _make(scratch_in)
        with tempfile.TemporaryDirectory(prefix=".atcgraph-", dir=scratch_in) as scratch:
            jobs = Background(Path(scratch), made)
            try:
                yield jobs
                for worker in jobs.workers:
                    _, err = worker.communicate()
                    if worker.returncode:
                        raise AtcGraphError(f"writing {', '.join(map(str, jobs.targets))} failed: "
                                            f"{err.decode(errors='replace').strip()[-500:]}")
                for path in jobs.targets:
                    os.replace(_beside(path), path)
            finally:
                for worker in jobs.workers:
                    worker.kill()  # if the block failed; a finished process ignores it
                    worker.wait()
                for path in jobs.targets:
                    _beside(path).unlink(missing_ok=True)
    except BaseException as exc:
        for folder in reversed(made):  # deepest first
            try:
                folder.rmdir()  # only if empty
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise AtcGraphError(f"cannot write {exc.filename or scratch_in}: {exc.strerror or exc}") from exc
        raise


def _make(folder: Path) -> list[Path]:
    """Make ``folder`` and its parents; those that did not exist before, deepest last."""
    missing = [f for f in (folder, *folder.parents) if not f.exists()][::-1]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def write_text(text: str, path: Path) -> None:
    write_bytes(text.encode("utf-8"), path)


def write_bytes(data: bytes, path: Path) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write, renamed over ``path`` atomically when done."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _beside(path)
        try:
            yield tmp
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AtcGraphError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _beside(path: Path) -> Path:
    """The temporary name a file is written under: in its folder, so the rename is atomic."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


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
