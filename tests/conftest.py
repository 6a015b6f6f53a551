"""Shared fixtures.

The pipeline tests use the cases under fixtures/pipeline/, each a miniature
repository root; the data tests use the real graph of this checkout, loaded
and reasoned over once per session through the same code as ``atcgraph build``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from atcgraph.build import build
from atcgraph.engines import OxigraphEngine
from atcgraph.gaps import GapAnalysis
from atcgraph.load import load
from atcgraph.paths import Paths

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"


@pytest.fixture
def case_root() -> Callable[[str], Path]:
    return lambda name: FIXTURES / name


@pytest.fixture
def case_paths(tmp_path: Path) -> Callable[[str], Paths]:
    """Paths of a fixture case, with output going to a temporary build dir."""
    return lambda name: Paths.default(FIXTURES / name, tmp_path / "build")


@pytest.fixture(scope="session")
def asserted() -> Graph:
    """Ontology plus data of this checkout, as written."""
    return load(Paths.default(REPO)).graph


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """One real ``atcgraph build`` of this checkout, into a temporary build dir."""
    paths = Paths.default(REPO, tmp_path_factory.mktemp("build"))
    build(paths, quiet=True)
    return paths


@pytest.fixture(scope="session")
def inferred(built: Paths) -> Graph:
    """The checkout's graph with its OWL-RL closure, as queries see it (read back from the build)."""
    return Graph().parse(built.inferred_ttl)


@pytest.fixture(scope="session")
def oxigraph(built: Paths) -> OxigraphEngine:
    """The default query engine over the built graph."""
    return OxigraphEngine(built.inferred_ttl)


@pytest.fixture(scope="session")
def gap_analysis(built: Paths, oxigraph: OxigraphEngine) -> GapAnalysis:
    """The gap maps of the built graph, as `atcgraph gaps` counts them; each matrix once a session."""
    return GapAnalysis(built, oxigraph)
