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

from atcgraph.catalogue import catalogue
import pyoxigraph as ox

from atcgraph.engines import OxigraphEngine
from atcgraph.paths import Paths

QUERY_REPEATS = 5


def emit(stage: str, seconds: float, **extra: Any) -> None:
    print(json.dumps({"stage": stage, "seconds": seconds, **extra}), flush=True)


def timed(stage: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    emit(stage, time.perf_counter() - start)
    return result


def run_queries(paths: Paths, answer: Callable[[str], object], repeats: int) -> None:
    """Each canned query with its defaults, answered in full; the median of ``repeats`` runs."""
    for name, query in catalogue(paths).items():
        text = query.bind({})
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            answer(text)
            times.append(time.perf_counter() - start)
        emit(f"query:{name}", statistics.median(times))


def fast(paths: Paths) -> None:
    """The real ``atcgraph build``, its stages timed by wrapping the functions it calls."""
    import atcgraph.build as pipeline

    seconds: dict[str, float] = {}

    def clock(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start
        return timed_call

    for stage, name in (("parse", "load_store"), ("reason", "reason_store"), ("validate", "validate_fast")):
        setattr(pipeline, name, clock(stage, getattr(pipeline, name)))
    # the export's second half; its first half runs in a thread while the store reasons (release.py)
    pipeline.Release.finish = clock("export", pipeline.Release.finish)  # type: ignore[method-assign]
    start = time.perf_counter()
    result = pipeline.build(paths, quiet=True)
    total = time.perf_counter() - start
    assert result.report.conforms, result.report.summary()
    for stage in ("parse", "reason", "validate", "export"):
        emit(stage, seconds[stage])
    emit("build", total, triples=result.stats.triples_inferred)
    store = OxigraphEngine(paths.inferred_ttl).store  # every solution fetched, written as SPARQL CSV results
    run_queries(paths, lambda text: store.query(text).serialize(format=ox.QueryResultsFormat.CSV), QUERY_REPEATS)


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
    run_queries(paths, lambda text: list(inferred.query(text)), 1)  # every solution fetched


def main(argv: list[str]) -> None:
    pipeline, root, build_dir = argv[0], Path(argv[1]), Path(argv[2])
    paths = Paths.default(root, build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    {"fast": fast, "baseline": baseline}[pipeline](paths)
    print(json.dumps({"stage": "peak_rss_mb", "seconds": 0,
                      "value": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
