"""Each pipeline stage on its own, on the fixture cases and tiny in-memory graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from atcgraph.build import build
from atcgraph.errors import InconsistencyError, InputError
from atcgraph.export import write_turtle
from atcgraph.load import load, load_shapes
from atcgraph.paths import Paths
from atcgraph.reason import ERR, reason
from atcgraph.stats import stats
from atcgraph.validate import validate
from atcgraph.vocab import ATC, ATCD, bind_prefixes

PREFIXES = """
@prefix atc:  <https://w3id.org/atcgraph/ontology/> .
@prefix atcd: <https://w3id.org/atcgraph/data/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
"""


def turtle(text: str) -> Graph:
    return bind_prefixes(Graph()).parse(data=PREFIXES + text, format="turtle")


# --- paths -----------------------------------------------------------------

def test_paths_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("ATCGRAPH_ROOT", raising=False)
    repo = Paths.default()
    assert (repo.root / "pyproject.toml").is_file()  # editable install: the checkout
    assert repo.build_dir == Path.cwd() / "build"
    monkeypatch.setenv("ATCGRAPH_ROOT", str(tmp_path))
    assert Paths.default().data_dir == tmp_path / "data"
    assert Paths.default(tmp_path / "x").shapes_dir == tmp_path / "x" / "shapes"
    out = Paths.default(build_dir=tmp_path / "out")
    assert out.inferred_ttl == tmp_path / "out" / "inferred.ttl"


# --- load ------------------------------------------------------------------

def test_load_merges_files_and_remembers_sources(case_paths):
    loaded = load(case_paths("ok"))
    assert loaded.sources[ATCD["study-a"]] == "data/studies/study-a.ttl"
    assert loaded.sources[ATCD["np-gold"]] == "data/entities/nanoparticles.ttl"
    assert loaded.sources[ATC.Study] == "ontology/core.ttl"
    assert (ATCD["study-b"], RDF.type, ATC.Study) in loaded.graph
    prefixes = dict(loaded.graph.namespaces())
    assert prefixes["atc"] == URIRef(str(ATC)) and prefixes["atcd"] == URIRef(str(ATCD))


def test_syntax_error_reports_the_right_line(case_paths, case_root):
    with pytest.raises(InputError) as caught:
        load(case_paths("syntax_error"))
    assert (caught.value.file, caught.value.line) == ("data/studies/broken.ttl", 13)
    # The line rdflib blames must be the one holding the undeclared prefix,
    # even though a multi-line literal comes before it.
    lines = (case_root("syntax_error") / "data/studies/broken.ttl").read_text().splitlines()
    assert "dcterms:" in lines[13 - 1]


def test_empty_and_missing_folders_are_input_errors(tmp_path):
    (tmp_path / "ontology").mkdir()
    paths = Paths.default(tmp_path, tmp_path / "build")
    with pytest.raises(InputError, match=r"^ontology: folder holds no \.ttl files$"):
        load(paths)
    with pytest.raises(InputError, match=r"^shapes: folder not found$"):
        load_shapes(paths)


# --- reason ----------------------------------------------------------------

def test_reason_adds_entailments_in_a_new_graph(case_paths):
    asserted = load(case_paths("ok")).graph
    before = len(asserted)
    inferred = reason(asserted)
    assert len(asserted) == before
    assert (ATCD["study-a"], RDF.type, ATC.Study) in inferred  # via rdfs:subClassOf
    assert (ATCD["study-a-m1"], RDF.type, ATC.Measurement) in inferred  # via rdfs:range
    assert not any(isinstance(s, Literal) for s in inferred.subjects())
    assert not any(s == o for s, o in inferred.subject_objects(OWL.sameAs))
    assert (None, RDF.type, ERR.ErrorMessage) not in inferred


def test_disjoint_classes_are_an_inconsistency(case_paths):
    with pytest.raises(InconsistencyError) as caught:
        reason(load(case_paths("inconsistent")).graph)
    [culprit] = caught.value.culprits
    assert 'atcd:chimera "Chimera"' in culprit
    assert "Disjoint classes" in culprit


def test_members_of_owl_nothing_are_culprits():
    with pytest.raises(InconsistencyError, match=r'atcd:void "Void"'):
        reason(turtle('atcd:void a owl:Nothing ; rdfs:label "Void" .'))


# --- validate --------------------------------------------------------------

SHAPES = turtle("""
[] a sh:NodeShape ; sh:targetClass atc:Sample ;
   sh:property [ sh:path atc:size ; sh:minCount 1 ; sh:message "a sample has a size" ] .
""")


def test_study_is_found_two_hops_away():
    data = turtle("""
    atcd:study-x a atc:Study ; rdfs:label "X" ; atc:hasArm atcd:arm .
    atcd:arm atc:hasSample atcd:sample .
    atcd:sample a atc:Sample ; rdfs:label "a sample" .
    """)
    report = validate(data, SHAPES, {ATCD["study-x"]: "data/studies/x.ttl"})
    [finding] = report.findings
    assert (finding.study, finding.focus, finding.path, finding.file) == (
        "atcd:study-x", "atcd:sample", "atc:size", "data/studies/x.ttl")
    assert finding.message == "a sample has a size"
    assert finding.severity == "Violation"
    assert report.to_text().splitlines()[-1] == "1 violation in 1 study"


def test_nested_details_are_folded_into_one_finding():
    data = turtle("atcd:s a atc:Study ; atc:hasArm atcd:arm .")
    shapes = turtle("""
    [] a sh:NodeShape ; sh:targetClass atc:Study ; sh:property [ sh:path atc:hasArm ; sh:node atc:ArmShape ] .
    atc:ArmShape a sh:NodeShape ; sh:property [ sh:path atc:dose ; sh:minCount 1 ; sh:message "an arm has a dose" ] .
    """)
    [finding] = validate(data, shapes, {}).findings
    assert finding.path == "atc:hasArm" and finding.value == "atcd:arm"
    assert finding.message.endswith("[atc:dose: an arm has a dose]")


def test_conforming_report():
    report = validate(turtle("atcd:s a atc:Sample ; atc:size 3 ."), SHAPES, {})
    assert report.conforms and report.findings == []
    assert report.to_text() == "conforms\n"


# --- export ----------------------------------------------------------------

def test_turtle_export_is_byte_identical_and_lossless(case_paths, tmp_path):
    first, second = tmp_path / "1" / "g.ttl", tmp_path / "2" / "g.ttl"
    graph = reason(load(case_paths("ok")).graph)
    write_turtle(graph, first)
    write_turtle(graph, tmp_path / "again.ttl")
    # A fresh load gets fresh random blank-node ids; the bytes must not change.
    write_turtle(reason(load(case_paths("ok")).graph), second)
    assert first.read_bytes() == (tmp_path / "again.ttl").read_bytes() == second.read_bytes()
    assert isomorphic(Graph().parse(first), graph)
    assert [p.name for p in first.parent.iterdir()] == ["g.ttl"]  # no temp file left


def test_identical_blank_nodes_do_not_break_determinism(tmp_path):
    def graph() -> Graph:
        g = turtle("atcd:s atc:note [ rdfs:label 'same' ] , [ rdfs:label 'same' ] , [ ] .")
        g.add((BNode(), RDF.type, ATC.Loose))
        return g
    write_turtle(graph(), tmp_path / "a.ttl")
    write_turtle(graph(), tmp_path / "b.ttl")
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()


# --- stats and build -------------------------------------------------------

def test_stats_sorts_classes_by_count_then_name():
    asserted = turtle("""
    atcd:a a atc:Study . atcd:b a atc:Study . atcd:m a atc:Measurement . atcd:d a atc:Drug .
    atcd:x a owl:Thing .
    """)
    result = stats(asserted, asserted)
    assert result.studies == 2
    assert list(result.classes) == ["atc:Study", "atc:Drug", "atc:Measurement"]
    assert "studies:          2" in result.to_text()


def test_build_returns_stats_and_report(case_paths, capsys):
    paths = case_paths("violating")
    result = build(paths, quiet=True)
    assert capsys.readouterr().out == ""
    assert result.exit_code == 1
    assert result.stats.studies == 2
    assert {f.study for f in result.report.findings} == {"atcd:study-c", None}
    assert paths.validation_txt.read_text() == result.report.to_text()
