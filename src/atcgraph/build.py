"""The whole pipeline: load -> reason -> validate -> export, as run by CI.

A build also records a fingerprint of its inputs, so that the commands reading the built graph
(query, gaps, export) rebuild only when an ontology, data or shape file has changed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from rdflib import Graph

from atcgraph import __version__
from atcgraph.engines import OxigraphEngine
from atcgraph.errors import AtcGraphError
from atcgraph.catalogue import as_rdf, catalogue
from atcgraph.export import background, write_text, write_turtle
from atcgraph.formats import Dumps, dump, dump_graph
from atcgraph.load import load, load_shapes, load_store
from atcgraph.paths import Paths
from atcgraph.reason import reason
from atcgraph.release import Release
from atcgraph.rules import reason_store
from atcgraph.stats import Stats, stats, stats_store
from atcgraph.validate import Report, validate, validate_fast


@dataclass(frozen=True)
class BuildResult:
    stats: Stats
    report: Report

    @property
    def exit_code(self) -> int:
        """1 when shapes are violated: the outputs exist but the data needs fixing."""
        return 0 if self.report.conforms else 1


@dataclass
class Assembled:
    """The graph loaded, reasoned over and validated, in memory: what every command starts from."""

    result: BuildResult
    published: Graph
    dumps: Dumps | None  # the graph before and after reasoning, for the writers (``dumps=True``)


def assemble(paths: Paths, reference: bool = False, check: bool = True, quiet: bool = True,
             dumps: bool = False, on_asserted: Callable[[IO[bytes], Graph], None] | None = None) -> Assembled:
    """Load, reason and (if ``check``) validate; nothing is written. With ``dumps``, the graph before
    and after reasoning comes back as N-Triples files, and ``on_asserted`` is handed the first (and
    the canned queries as RDF) as soon as it exists, before reasoning starts.

    The default path parses, reasons (rules.py) and validates (fastshacl.py) inside Oxigraph;
    ``reference`` runs the design card's rdflib + owlrl + pyshacl instead, which tests prove
    equivalent. Raises AtcGraphError on bad input or an inconsistent closure.
    """
    shapes = load_shapes(paths) if check else Graph()
    published = as_rdf(catalogue(paths) if paths.queries_dir.is_dir() else {})  # a graph may come without queries
    unchecked = Report(conforms=True, findings=[])
    if reference:
        loaded = load(paths)
        asserted = _handed(dump_graph(loaded.graph), published, on_asserted) if dumps else None
        inferred = reason(loaded.graph)
        report = validate(inferred + published, shapes, loaded.sources) if check else unchecked
        return Assembled(BuildResult(stats(loaded.graph, inferred), report), published,
                         Dumps(asserted, dump_graph(inferred)) if asserted is not None else None)
    fast = load_store(paths, quiet)
    # to a temporary file: reasoning adds to the store
    asserted = _handed(dump(fast.store), published, on_asserted) if dumps else None
    reason_store(fast.store, quiet)
    report = validate_fast(fast.store, shapes, fast.sources, quiet).merge(validate(published, shapes, {})) \
        if check else unchecked
    return Assembled(BuildResult(stats_store(fast.store, fast.asserted), report), published,
                     Dumps(asserted, dump(fast.store)) if asserted is not None else None)  # frees the store


def _handed(asserted: IO[bytes], published: Graph,
            on_asserted: Callable[[IO[bytes], Graph], None] | None) -> IO[bytes]:
    if on_asserted is not None:
        on_asserted(asserted, published)
    return asserted


def build(paths: Paths, quiet: bool = False, reference: bool = False, progress: bool | None = None,
          inputs: dict[str, str] | None = None) -> BuildResult:
    """Write asserted.ttl, inferred.ttl, queries.ttl and validation.txt into the build dir.

    Everything is read and checked before the first write, so bad input (exit 2) leaves the
    previous build untouched; SHACL findings do not stop the export, since the graph is still
    useful while the report is worked off. ``inputs``: the sources' fingerprint, if the caller
    has it already.
    """
    inputs = inputs if inputs is not None else fingerprint(paths)
    show = progress if progress is not None else not quiet
    with background(paths.build_dir) as jobs:  # the big files, each by a process of its own
        release = Release(paths, inputs, jobs)  # asserted.ttl, inferred.ttl, and build/release/ for other tools
        try:
            assembled = assemble(paths, reference, quiet=not show, dumps=True, on_asserted=release.start)
        finally:
            release.join()  # no thread may start a writer once the block is left
        result = assembled.result
        write_turtle(assembled.published, paths.queries_ttl)
        release.finish(assembled.dumps)  # type: ignore[arg-type]  # dumps=True
    write_text(result.report.to_text(), paths.validation_txt)
    write_text(json.dumps(inputs, indent=1, sort_keys=True), paths.manifest_json)
    if not quiet:
        print(result.stats.to_text(), end="")
        print(f"validation: {result.report.summary()} (see {paths.validation_txt})")
        print(f"wrote {paths.build_dir}")
    return result


def fingerprint(paths: Paths) -> dict[str, str]:
    """A hash of every input file and of the code's version: equal means the build is current."""
    found = {"atcgraph": __version__}
    for folder, pattern in ((paths.ontology_dir, "*.ttl"), (paths.data_dir, "*.ttl"),
                            (paths.shapes_dir, "*.ttl"), (paths.queries_dir, "*.rq")):
        for file in sorted(folder.rglob(pattern)) if folder.is_dir() else ():
            found[paths.relative(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def built_engine(paths: Paths, quiet: bool = False) -> OxigraphEngine:
    """The built graph in Oxigraph, for the commands that read it; built first if a source changed."""
    ensure_built(paths, quiet=quiet)
    return OxigraphEngine(paths.inferred_ttl)


def ensure_built(paths: Paths, quiet: bool = False) -> None:
    """Build unless build/ already holds the graph of the current sources.

    SHACL findings do not stop the commands that read the graph; they are reported once here.
    """
    inputs = fingerprint(paths)
    try:
        if json.loads(paths.manifest_json.read_text(encoding="utf-8")) == inputs \
                and paths.release_trig.is_file():  # a build dir from before the release existed
            return
    except (OSError, ValueError):
        pass
    if not quiet:
        print("atcgraph: sources changed since the last build; building ...", file=sys.stderr)
    result = build(paths, quiet=True, progress=not quiet, inputs=inputs)
    if not result.report.conforms and not quiet:
        print(f"atcgraph: warning: {result.report.summary()} (see {paths.validation_txt})", file=sys.stderr)
    if not paths.inferred_ttl.is_file():
        raise AtcGraphError(f"{paths.inferred_ttl}: build wrote no graph")
