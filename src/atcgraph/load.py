"""Stage 1: read every Turtle file into one graph, remembering who said what.

``sources`` lets later stages tell a person which file to open to fix a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from atcgraph.errors import InputError
from atcgraph.paths import Paths
from atcgraph.progress import bar
from atcgraph.vocab import bind_prefixes

_LINE = re.compile(r"at line (\d+)")
_WHY = re.compile(r"Bad syntax \((.*?)\) at \^", re.DOTALL)


@dataclass
class Loaded:
    graph: Graph
    sources: dict[Node, str] = field(default_factory=dict)


def load(paths: Paths) -> Loaded:
    """Ontology and data merged; each subject mapped to the first file that states it."""
    files = turtle_files(paths, paths.ontology_dir) + turtle_files(paths, paths.data_dir)
    loaded = Loaded(bind_prefixes(Graph()))
    for file in files:
        part = _parse(paths, file)
        name = paths.relative(file)
        for subject in part.subjects(unique=True):
            loaded.sources.setdefault(subject, name)
        loaded.graph += part
        _adopt_prefixes(loaded.graph, part)
    return loaded


class Sources(Mapping[Node, str]):
    """Subject -> the file that first states it, worked out only when a report needs it.

    The fast path parses inside Oxigraph and never walks triples in Python; the map is built
    on first use (a failed validation), which is the only time a person needs a file name.
    """

    def __init__(self, paths: Paths, files: list[Path]) -> None:
        self._paths, self._files = paths, files

    @cached_property
    def _map(self) -> dict[Node, str]:
        found: dict[Node, str] = {}
        for file in self._files:
            name = self._paths.relative(file)
            for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE):
                if isinstance(quad.subject, ox.NamedNode):
                    found.setdefault(URIRef(quad.subject.value), name)
        return found

    def __getitem__(self, key: Node) -> str:
        return self._map[key]

    def __iter__(self) -> Iterator[Node]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)


@dataclass
class LoadedStore:
    """The fast path's input: an in-memory Oxigraph store, its size, and who said what."""

    store: ox.Store
    sources: Sources
    asserted: int = 0


def load_store(paths: Paths, quiet: bool = True) -> LoadedStore:
    """Ontology and data parsed by Oxigraph, the same files in the same order as ``load``."""
    files = turtle_files(paths, paths.ontology_dir) + turtle_files(paths, paths.data_dir)
    loaded = LoadedStore(ox.Store(), Sources(paths, files))
    for file in bar(files, "loading", quiet):
        name = paths.relative(file)
        try:
            loaded.store.bulk_load(path=str(file), format=ox.RdfFormat.TURTLE)
        except SyntaxError as exc:
            raise InputError(name, f"Turtle syntax error: {_oxigraph_reason(exc)}", exc.lineno) from exc
        except OSError as exc:
            raise InputError(name, f"cannot read: {exc.strerror or exc}") from exc
    loaded.asserted = len(loaded.store)
    return loaded


def _oxigraph_reason(exc: SyntaxError) -> str:
    """Oxigraph's message without its position, which the InputError already gives as file:line."""
    return re.sub(r"^Parser error (at|between) [^:]*: ", "", str(exc.msg))


def load_shapes(paths: Paths) -> Graph:
    """All SHACL shapes, kept apart from the data so they are not reasoned over."""
    shapes = bind_prefixes(Graph())
    for file in turtle_files(paths, paths.shapes_dir, recursive=False):
        shapes += _parse(paths, file)
    return shapes


def turtle_files(paths: Paths, folder: Path, recursive: bool = True) -> list[Path]:
    """Sorted, so the merged graph and its messages are the same on every machine."""
    if not folder.is_dir():
        raise InputError(paths.relative(folder), "folder not found")
    found = sorted(folder.rglob("*.ttl") if recursive else folder.glob("*.ttl"))
    files = [f for f in found if f.is_file()]
    if not files:
        raise InputError(paths.relative(folder), "folder holds no .ttl files")
    return files


def _parse(paths: Paths, file: Path) -> Graph:
    graph = Graph()
    try:
        graph.parse(file, format="turtle")
    except OSError as exc:
        raise InputError(paths.relative(file), f"cannot read: {exc.strerror or exc}") from exc
    except Exception as exc:  # any parser failure means the file is bad input
        raise _input_error(paths.relative(file), exc) from exc
    return graph


def _input_error(name: str, exc: Exception) -> InputError:
    """Turn rdflib's message (line buried in a dump of the file) into ``file:line: why``."""
    text = str(exc)
    line = _LINE.search(text)
    why = _WHY.search(text)
    reason = why.group(1) if why else (text.strip().splitlines() or [type(exc).__name__])[0]
    return InputError(name, f"Turtle syntax error: {reason}", int(line.group(1)) if line else None)


def _adopt_prefixes(graph: Graph, part: Graph) -> None:
    """Keep the authors' own prefixes for readable output, unless they clash."""
    taken = dict(graph.namespaces())
    used = set(taken.values())
    for prefix, namespace in part.namespaces():
        if prefix and prefix not in taken and namespace not in used:
            graph.bind(prefix, namespace)
            taken[prefix] = namespace
            used.add(namespace)
