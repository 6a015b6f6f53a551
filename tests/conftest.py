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

from atcgraph.load import load
from atcgraph.paths import Paths
from atcgraph.reason import reason

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
def inferred(asserted: Graph) -> Graph:
    """The checkout's graph with its OWL-RL closure, as queries see it."""
    return reason(asserted)
