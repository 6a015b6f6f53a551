"""The whole pipeline: load -> reason -> validate -> export, as run by CI."""

from __future__ import annotations

from dataclasses import dataclass

from atcgraph.export import write_text, write_turtle
from atcgraph.load import load, load_shapes
from atcgraph.paths import Paths
from atcgraph.reason import reason
from atcgraph.stats import Stats, stats
from atcgraph.validate import Report, validate


@dataclass(frozen=True)
class BuildResult:
    stats: Stats
    report: Report

    @property
    def exit_code(self) -> int:
        """1 when shapes are violated: the outputs exist but the data needs fixing."""
        return 0 if self.report.conforms else 1


def build(paths: Paths, quiet: bool = False) -> BuildResult:
    """Write asserted.ttl, inferred.ttl and validation.txt into the build dir.

    Everything is read and checked before the first write, so bad input
    (exit 2) leaves the previous build untouched; SHACL findings do not stop
    the export, since the graph is still useful while the report is worked off.
    """
    loaded = load(paths)
    shapes = load_shapes(paths)
    inferred = reason(loaded.graph)
    report = validate(inferred, shapes, loaded.sources)
    result = BuildResult(stats(loaded.graph, inferred), report)
    write_turtle(loaded.graph, paths.asserted_ttl)
    write_turtle(inferred, paths.inferred_ttl)
    write_text(report.to_text(), paths.validation_txt)
    if not quiet:
        print(result.stats.to_text(), end="")
        print(f"validation: {report.summary()} (see {paths.validation_txt})")
        print(f"wrote {paths.build_dir}")
    return result
