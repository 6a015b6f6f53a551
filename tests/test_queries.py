"""Queries are data: every canned query is well-formed, answers as pinned, and gives the same answer
on rdflib and on Oxigraph over the same inferred graph (so it works in users' own stores).

Each pinned answer in tests/expected/ is justified against the review in queries/README.md.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from atcgraph import cli
from atcgraph.engines import OxigraphEngine, RdflibEngine, Result
from atcgraph.load import load_shapes
from atcgraph.paths import Paths
from atcgraph.catalogue import QUERIES_NS, CannedQuery, as_rdf, catalogue, default_term, parse_iri
from atcgraph.query import run_query
from atcgraph.validate import validate

EXPECTED = Path(__file__).parent / "expected"
QUERIES = catalogue(Paths.default())
NAMES = sorted(QUERIES)


def test_there_are_at_least_fifteen_canned_queries() -> None:
    assert len(QUERIES) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name: str) -> None:
    query = QUERIES[name]
    assert query.summary and len(query.summary) <= 100, "a one-line summary"
    assert query.description.endswith(("?", ".")) and len(query.description) > 60, "the question in plain words"
    assert query.tags, "at least one tag"
    assert set(query.defaults) == set(query.parameters), "each parameter has a default and a type"
    for param, default in query.defaults.items():
        assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", param), f"{param} is not camelCase"
        written = default_term(query, param)
        assert written, f"no 'VALUES ?{param} {{ ... }}' line"
        assert _expand(written, query) == URIRef(default), f"{param}: header default and VALUES line differ"


def _expand(term: str, query: CannedQuery) -> URIRef:
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]+)>", query.text))
    if term.startswith("<"):
        return URIRef(term[1:-1])
    prefix, _, local = term.partition(":")
    return URIRef(prefixes[prefix] + local)


@pytest.mark.parametrize("name", NAMES)
def test_pinned_answer(name: str, built: Paths, oxigraph: OxigraphEngine) -> None:
    expected = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")
    assert run_query(built, name, {}, "csv", engine=oxigraph) == expected


def _value(cell: Node | None) -> object:
    """Compare terms by value: Oxigraph writes decimals canonically (8.90 -> 8.9), rdflib keeps them as printed."""
    if isinstance(cell, Literal):
        try:
            return ("number", Decimal(str(cell)).normalize()) if cell.datatype and "XMLSchema#" in cell.datatype \
                and cell.datatype.split("#")[1] in {"decimal", "integer", "double", "float"} else ("literal", str(cell))
        except InvalidOperation:
            return ("literal", str(cell))
    return (type(cell).__name__, str(cell) if cell is not None else None)


def _normalised(result: Result) -> list[tuple[object, ...]]:
    return sorted((tuple(_value(c) for c in row) for row in result.rows), key=repr)


@pytest.mark.parametrize("name", NAMES)
def test_rdflib_and_oxigraph_agree(name: str, inferred: Graph, oxigraph: OxigraphEngine) -> None:
    text = QUERIES[name].bind({})
    fast, reference = oxigraph.select(text), RdflibEngine(inferred).select(text)
    assert fast.variables == reference.variables
    assert _normalised(fast) == _normalised(reference)


# ------------------------------------------------------------------------------ the command

def test_user_example_with_defaults(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    """Gene-delivery targets with no PTT study: NIS (Schmohl 2017 plasmid, Li 2023 mRNA), BRAF
    (Liu 2016 siRNA), TERT (Lombardo 2018 siRNA, Chang 2021 promoter). EGFR (GE11 ligand of
    Schmohl 2017) drops out through the EGF- and lapatinib-gold PTT study (Amaral 2021), VEGF-A
    (miR-34b, Maroof 2018) through the bevacizumab PTT study (Wang Q 2020)."""
    code = cli.main(["--build-dir", str(built.build_dir), "query", "targets-modality-gap", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    targets = [line.split(",")[1] for line in out.splitlines()[1:]]
    assert targets == ["BRAF", "NIS (SLC5A5)", "TERT"]


def test_param_changes_the_modalities(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    """Targets with radionuclide but no gene-therapy studies include VEGFR2 (131I anti-VEGFR2 MSNs,
    Zhang R 2019) and CD44 (131I Tyr-HA-PEI, Huang S 2021) but not NIS."""
    code = cli.main(["--build-dir", str(built.build_dir), "query", "targets-modality-gap", "--format", "csv",
                     "--param", "withModality=atc:RadionuclideTherapy", "--param", "withoutModality=atc:GeneTherapy"])
    out = capsys.readouterr().out
    assert code == 0
    targets = {line.split(",")[1] for line in out.splitlines()[1:]}
    assert {"VEGFR2 (KDR)", "CD44", "TP53", "HIF-1α"} <= targets
    assert "NIS (SLC5A5)" not in targets


@pytest.mark.parametrize("args", [
    ["query", "no-such-query"],
    ["query", "targets-modality-gap", "--param", "noSuchParam=atc:GeneTherapy"],
    ["query", "targets-modality-gap", "--param", "withModality"],
    ["query", "targets-modality-gap", "--param", "withModality=gene therapy"],
    ["query", "targets-modality-gap", "--param", "withModality=atc:NoSuchModality"],
    ["query", "agents-for-target", "--param", "target=atc:GeneTherapy"],  # a modality is not a target
    ["query", "missing-file.rq"],
])
def test_bad_requests_exit_2_with_a_message(args: list[str], built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("atcgraph: error: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize("attack", [
    "<https://w3id.org/atcgraph/data/target-egfr> } ?s ?p ?o { ",
    "atcd:target-egfr } UNION { ?study ?mechanism ?target",
    'https://x.org/a> . ?s ?p "',
    "atcd:target-egfr>{}",
])
def test_sparql_injection_through_param_is_rejected(attack: str, built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--build-dir", str(built.build_dir), "query", "agents-for-target", "--param", f"target={attack}"])
    assert code == 2
    assert "is not an IRI" in capsys.readouterr().err


def test_bound_value_is_written_back_as_one_term() -> None:
    """Binding parses the value into an RDF term first; only that term's N3 form reaches the query."""
    query = QUERIES["agents-for-target"]
    text = query.bind({"target": "atcd:target-braf"})
    assert "VALUES ?target { <https://w3id.org/atcgraph/data/target-braf> }" in text
    assert parse_iri("<https://w3id.org/atcgraph/data/target-braf>") == URIRef("https://w3id.org/atcgraph/data/target-braf")


def test_list_shows_every_query_with_summary_and_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for name, query in QUERIES.items():
        assert f"{name}\n    {query.summary}\n" in out
        assert query.description.split()[0] in out


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_every_format_carries_labels_beside_iris(fmt: str, built: Paths, oxigraph: OxigraphEngine) -> None:
    out = run_query(built, "targets-modality-gap", {}, fmt, engine=oxigraph)
    assert "NIS (SLC5A5)" in out
    assert ("atcd:target-nis" if fmt == "table" else "https://w3id.org/atcgraph/data/target-nis") in out


def test_output_file_is_written(built: Paths, tmp_path: Path) -> None:
    target = tmp_path / "gap.csv"
    assert cli.main(["--build-dir", str(built.build_dir), "query", "targets-modality-gap",
                     "--format", "csv", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("target,targetLabel,")


# ------------------------------------------------------------------------------ queries as RDF

def test_published_queries_follow_sparql_examples(built: Paths) -> None:
    """build/queries.ttl holds one sh:SPARQLSelectExecutable per canned query, as SIB's convention has it."""
    published = Graph().parse(built.queries_ttl)
    executables = set(published.subjects(RDF.type, SH.SPARQLSelectExecutable))
    assert {str(e).rsplit("/", 1)[-1] for e in executables} == set(NAMES)
    for node in executables:
        assert published.value(node, SH.select) and published.value(node, RDFS.comment)


@pytest.mark.parametrize(("drop", "message"), [
    (RDFS.comment, "rdfs:comment"),
    (SH.select, "sh:select"),
    (URIRef("https://schema.org/keywords"), "schema:keywords"),
    (URIRef("https://schema.org/target"), "schema:target"),
    (RDFS.label, "rdfs:label"),
])
def test_query_shape_fires_on_an_incomplete_publication(drop: URIRef, message: str) -> None:
    paths = Paths.default()
    published = as_rdf(catalogue(paths))
    node = QUERIES_NS["targets-modality-gap"]
    published.remove((node, drop, None))
    report = validate(published, load_shapes(paths), {})
    assert not report.conforms
    assert any(message in f.message and "targets-modality-gap" in f.focus for f in report.findings), report.to_text()
