"""One pipeline on one root, stage by stage, as JSON lines on stdout (run by benchmarks/run.py).

``python -m benchmarks.stages fast ROOT BUILD`` times the project's pipeline (Oxigraph + rules +
compiled shapes); ``baseline`` times the straightforward one (rdflib + owlrl + pyshacl + rdflib
SPARQL). Each stage prints as soon as it ends, so the harness keeps what finished before a
time budget ran out. The last line carries the peak resident memory of this process.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atcgraph.build import fingerprint
from atcgraph.catalogue import catalogue
from atcgraph.engines import Engine, OxigraphEngine, RdflibEngine
from atcgraph.export import write_text
from atcgraph.paths import Paths

QUERY_REPEATS = 5


def emit(stage: str, seconds: float, **extra: Any) -> None:
    print(json.dumps({"stage": stage, "seconds": seconds, **extra}), flush=True)


def timed(stage: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    emit(stage, time.perf_counter() - start)
    return result


def run_queries(paths: Paths, engine: Engine, repeats: int) -> None:
    """Each canned query with its defaults; the median of ``repeats`` runs."""
    for name, query in catalogue(paths).items():
        text = query.bind({})
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            engine.select(text)
            times.append(time.perf_counter() - start)
        emit(f"query:{name}", statistics.median(times))


def fast(paths: Paths) -> None:
    from atcgraph.load import load_shapes, load_store
    from atcgraph.rules import reason_store
    from atcgraph.validate import validate_fast
    from atcgraph.export import write_store
    import pyoxigraph as ox

    start = time.perf_counter()
    loaded = timed("parse", lambda: load_store(paths))
    asserted = loaded.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    timed("reason", lambda: reason_store(loaded.store))
    report = timed("validate", lambda: validate_fast(loaded.store, load_shapes(paths), loaded.sources))
    assert report.conforms, report.summary()

    def export() -> None:
        write_store(asserted, paths.asserted_ttl)
        write_store(loaded.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), paths.inferred_ttl)
    timed("export", export)
    emit("build", time.perf_counter() - start, triples=len(loaded.store))
    write_text(json.dumps(fingerprint(paths), indent=1, sort_keys=True), paths.manifest_json)
    engine = OxigraphEngine(paths.inferred_ttl)
    run_queries(paths, engine, QUERY_REPEATS)


def baseline(paths: Paths) -> None:
    from atcgraph.load import load, load_shapes
    from atcgraph.reason import reason
    from atcgraph.validate import validate

    start = time.perf_counter()
    loaded = timed("parse", lambda: load(paths))
    inferred = timed("reason", lambda: reason(loaded.graph))
    timed("validate", lambda: validate(inferred, load_shapes(paths), loaded.sources))
    timed("export", lambda: (loaded.graph.serialize(paths.build_dir / "baseline-asserted.ttl", format="turtle"),
                             inferred.serialize(paths.build_dir / "baseline-inferred.ttl", format="turtle")))
    emit("build", time.perf_counter() - start, triples=len(inferred))
    run_queries(paths, RdflibEngine(inferred), 1)


def main(argv: list[str]) -> None:
    pipeline, root, build_dir = argv[0], Path(argv[1]), Path(argv[2])
    paths = Paths.default(root, build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    {"fast": fast, "baseline": baseline}[pipeline](paths)
    print(json.dumps({"stage": "peak_rss_mb", "seconds": 0,
                      "value": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
