"""The design card's packages stay the truth: the fast path (Oxigraph + rules.py + fastshacl.py)
must give the same entailments and the same validation results as owlrl and pyshacl.

Compared entailments are those the queries and shapes use: every triple whose predicate is an
atc: property, every rdf:type to an atc: class, and the sub-class / sub-property hierarchy among
atc: terms. owlrl also derives facts about the OWL vocabulary itself (C ⊑ C, x a owl:Thing, ...)
that nothing reads; those are left out on both sides.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from atcgraph.build import assemble
from atcgraph.catalogue import catalogue
from atcgraph.engines import OxigraphEngine, RdflibEngine
from atcgraph.errors import InconsistencyError
from atcgraph.fastshacl import compile_shapes, validate_store
from atcgraph.load import load, load_shapes
from atcgraph.paths import Paths
from atcgraph.reason import reason
from atcgraph.rules import reason_store

from atcgraph.vocab import shorten

from .test_queries import _normalised
from .test_shapes import FIXTURES, children, expand
from .test_shapes import PREFIXES as SHAPE_PREFIXES

FAST_SHAPES = load_shapes(Paths.default(Path(__file__).resolve().parents[1]))
FAST_CHECKS = compile_shapes(FAST_SHAPES)

ATC = "https://w3id.org/atcgraph/"
REPO = Path(__file__).resolve().parents[1]
PIPELINE = Path(__file__).parent / "fixtures" / "pipeline"


def _used(triple: tuple) -> bool:
    s, p, o = triple
    if isinstance(s, BNode) or isinstance(o, BNode):
        return False
    if str(p).startswith(ATC):
        return True
    if p == RDF.type:
        return str(o).startswith(ATC)
    return p in (RDFS.subClassOf, RDFS.subPropertyOf) and s != o and str(s).startswith(ATC) and str(o).startswith(ATC)


def _value(term):
    return term.toPython() if isinstance(term, Literal) else term


def _entailments(graph: Graph) -> set[tuple]:
    return {(s, p, _value(o)) for s, p, o in graph if _used((s, p, o))}


def _store_to_graph(store: ox.Store) -> Graph:
    return Graph().parse(data=ox.serialize(store, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")


def _fast_closure(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    reason_store(store)
    return store


@pytest.fixture(scope="module")
def reference_closure(asserted: Graph) -> Graph:
    """owlrl's closure of the real graph (the slow reference, once per module)."""
    return reason(asserted)


def test_rules_equal_owlrl_on_the_real_graph(asserted: Graph, reference_closure: Graph) -> None:
    fast = _entailments(_store_to_graph(_fast_closure(asserted)))
    reference = _entailments(reference_closure)
    assert len(reference) > 2000
    assert fast - reference == set(), "the fast path entails what owlrl does not"
    assert reference - fast == set(), "the fast path misses entailments of owlrl"


def test_every_canned_query_answers_the_same_on_both_closures(asserted: Graph, reference_closure: Graph) -> None:
    fast = RdflibEngine(_store_to_graph(_fast_closure(asserted)))
    reference = RdflibEngine(reference_closure)
    for name, query in catalogue(Paths.default(REPO)).items():
        text = query.bind({})
        assert _normalised(fast.select(text)) == _normalised(reference.select(text)), name


@pytest.mark.parametrize("case", ["ok", "violating"])
def test_fast_validation_equals_pyshacl_on_the_pipeline_fixtures(case: str) -> None:
    paths = Paths.default(PIPELINE / case)
    fast, reference = assemble(paths).result.report, assemble(paths, reference=True).result.report
    assert fast.conforms == reference.conforms
    key = lambda f: (f.focus, f.path, f.message, f.value)  # noqa: E731
    assert sorted(map(key, fast.findings)) == sorted(map(key, reference.findings))


def test_fast_validation_equals_pyshacl_on_the_real_graph(asserted: Graph, reference_closure: Graph) -> None:
    import pyshacl

    shapes = load_shapes(Paths.default(REPO))
    conforms, results, _ = pyshacl.validate(reference_closure, shacl_graph=shapes, inference="none", advanced=True)
    fast = validate_store(_fast_closure(asserted), compile_shapes(shapes))
    assert conforms and fast == []


BROKEN_COPY = [
    # a measurement without a unit, a zeta potential out of range, a study without a model
    "DELETE WHERE { atcd:m-zhangr2019-uptake-24h atc:hasUnit ?u }",
    "DELETE { atcd:m-hanx2020-zeta atc:numericValue ?v } INSERT { atcd:m-hanx2020-zeta atc:numericValue 250.0 } "
    "WHERE { atcd:m-hanx2020-zeta atc:numericValue ?v }",
    "DELETE WHERE { atcd:study-celanom2004 atc:usesModel ?m }",
    "DELETE WHERE { atcd:note-wangy2018-placement ?p ?o }",
    "INSERT DATA { atcd:study-zhangr2019 atc:hasTherapyModality atc:GeneTherapy }",
]


def test_fast_validation_equals_pyshacl_on_broken_copies(asserted: Graph) -> None:
    """Break the asserted graph, reason and validate it both ways: the same results.

    (All updates are applied to one copy, so owlrl and pyshacl run once.)"""
    import pyshacl

    prefixes = ("PREFIX atc: <https://w3id.org/atcgraph/ontology/> "
                "PREFIX atcd: <https://w3id.org/atcgraph/data/> ")
    broken = Graph()
    broken += asserted
    for each in BROKEN_COPY:
        broken.update(prefixes + each)
    shapes = load_shapes(Paths.default(REPO))
    _, results, _ = pyshacl.validate(reason(broken), shacl_graph=shapes, inference="none", advanced=True)
    reference = {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceShape)),
                  str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1])
                 for r in results.subjects(RDF.type, SH.ValidationResult) if (None, SH.detail, r) not in results}
    fast = {(v.focus, str(v.shape), v.component) for v in validate_store(_fast_closure(broken), compile_shapes(shapes))}
    assert len({focus for focus, _, _ in reference}) >= 5, "each update should break a constraint"
    assert fast == reference


@pytest.fixture(scope="module")
def fast_closure_store(asserted: Graph) -> ox.Store:
    return _fast_closure(asserted)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fast_validator_fires_on_every_shape_fixture(fixture, fast_closure_store: ox.Store) -> None:
    """Every failing fixture of tests/fixtures/shapes/ is caught by the fast validator too, with the
    shape, focus, path and message its header names (test_shapes.py proves the same of pyshacl)."""
    store = ox.Store()
    store.extend(fast_closure_store)
    store.update(fixture.update, prefixes={k: str(v) for k, v in SHAPE_PREFIXES.items()})
    expected, focus = expand(fixture.shape), str(expand(fixture.focus))
    own = {expected} | children(FAST_SHAPES, expected)
    found = [v for v in validate_store(store, FAST_CHECKS) if v.focus == focus]

    def matches(v) -> bool:
        if v.shape not in own and v.constraint != expected:
            return False
        path = "sparql" if v.component == "SPARQLConstraintComponent" else _path_as_in_fixtures(v.path)
        return path == fixture.path and fixture.message in v.message

    assert any(matches(v) for v in found), "\n".join(f"{v.path} {v.shape} {v.message}" for v in found)


def _path_as_in_fixtures(path: str | None) -> str:
    if path is None:
        return "none"
    text = re.sub(r"<([^>]+)>", lambda m: shorten(m.group(1)), path)
    return text.replace("^(", "^").replace("(", "").replace(")", "")


def test_inconsistency_is_caught_by_both() -> None:
    paths = Paths.default(PIPELINE / "inconsistent")
    for reference in (False, True):
        with pytest.raises(InconsistencyError, match="chimera"):
            assemble(paths, reference=reference, check=False)


def test_oxigraph_and_rdflib_read_the_same_fast_build(built: Paths, oxigraph: OxigraphEngine, inferred: Graph) -> None:
    """The build's inferred.ttl parses to the same graph in both engines (decimals compared by value)."""
    count = next(iter(oxigraph.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value
    assert int(count) == len(inferred)
    assert Decimal(str(inferred.value(URIRef("https://w3id.org/atcgraph/data/m-zhangr2019-uptake-24h"),
                                      URIRef(ATC + "ontology/numericValue")))) == Decimal("32.2")


def test_reference_build_loads_the_same_asserted_graph() -> None:
    fast = assemble(Paths.default(REPO), check=False).result.stats
    reference_graph = load(Paths.default(REPO)).graph
    assert fast.triples_asserted == len(reference_graph)
