"""The ontology as OWL tools see it: in the OWL 2 DL profile (the OWL API's checker), consistent with
no unsatisfiable class under HermiT (through owlready2), free of the problems ROBOT's report looks
for (ontology/checks/*.rq), and documented as HTML by pyLODE. Each check is shown to fire on a
fixture made to fail it, so none of them passes by being unable to fail.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import owlready2  # the test extra installs it, with the HermiT jar
import pyoxigraph as ox
import pytest
from rdflib import Graph

from atcgraph import cli
from atcgraph.paths import Paths

from .system import require

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
CHECKS = sorted(Paths.default().ontology_checks_dir.glob("*.rq"))


def _as_ntriples(source: Path, target: Path) -> Path:
    """owlready2 and the OWL API read RDF/XML and N-Triples, not Turtle."""
    Graph().parse(source).serialize(target, format="nt", encoding="utf-8")
    return target


# ------------------------------------------------------------------------------ OWL 2 DL profile


def _profile(document: Path) -> subprocess.CompletedProcess[str]:
    java = require("java")
    hermit = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    return subprocess.run([java, "-cp", str(hermit), str(HERE / "java" / "ProfileCheck.java"), str(document)],
                          capture_output=True, text=True, check=False)


def test_ontology_and_data_are_owl2_dl(built: Paths, tmp_path: Path) -> None:
    """The release ontology alone, and with the asserted data, have no OWL 2 DL profile violation."""
    data = tmp_path / "asserted.nt"
    assert cli.main(["-q", "--build-dir", str(built.build_dir), "export", "--format", "ntriples", "-o", str(data)]) == 0
    for document in (built.release_dir / "ontology.owl", data):
        proc = _profile(document)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "violation" not in proc.stdout
        assert int(re.search(r"axioms: (\d+)", proc.stdout).group(1)) > 1000, "the document was read"


def test_profile_check_fires_on_illegal_punning(tmp_path: Path) -> None:
    proc = _profile(_as_ntriples(FIXTURES / "owl" / "not-dl.ttl", tmp_path / "not-dl.nt"))
    assert proc.returncode == 1 and "Cannot pun between properties" in proc.stdout, proc.stdout + proc.stderr


# ------------------------------------------------------------------------------ HermiT


def _unsatisfiable(document: Path) -> list[str]:
    """The classes HermiT (through owlready2) finds unsatisfiable; owlready2 raises
    OwlReadyInconsistentOntologyError if the ontology is inconsistent."""
    require("java")
    world = owlready2.World()
    world.get_ontology(document.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def _consistent(document: Path) -> subprocess.CompletedProcess[str]:
    """HermiT's own command line, consistency only (no classification of 700 individuals)."""
    java = require("java")
    hermit = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    return subprocess.run([java, "-cp", str(hermit), "org.semanticweb.HermiT.cli.CommandLine", "--consistency",
                           document.as_uri()], capture_output=True, text=True, check=False)


def test_hermit_finds_the_ontology_consistent_with_every_class_satisfiable(built: Paths) -> None:
    assert _unsatisfiable(built.release_dir / "ontology.owl") == []


def test_hermit_check_fires_on_an_unsatisfiable_class(tmp_path: Path) -> None:
    found = _unsatisfiable(_as_ntriples(FIXTURES / "owl" / "unsatisfiable.ttl", tmp_path / "unsatisfiable.nt"))
    assert found == ["https://w3id.org/atcgraph/ontology/Chimera"]


def test_hermit_finds_ontology_and_data_consistent(built: Paths, tmp_path: Path) -> None:
    """Every study, carrier and measurement fits the ontology under OWL 2 DL semantics too, not only
    under the OWL RL rules the build applies."""
    data = tmp_path / "asserted.nt"
    assert cli.main(["-q", "--build-dir", str(built.build_dir), "export", "--format", "ntriples", "-o", str(data)]) == 0
    proc = _consistent(data)
    assert proc.returncode == 0 and "owl#Thing is satisfiable" in proc.stdout, proc.stdout + proc.stderr


def test_hermit_consistency_check_fires_on_contradicting_data(tmp_path: Path) -> None:
    proc = _consistent(_as_ntriples(FIXTURES / "owl" / "inconsistent.ttl", tmp_path / "inconsistent.nt"))
    assert proc.returncode != 0 and "InconsistentOntologyException" in proc.stderr, proc.stdout + proc.stderr


# ------------------------------------------------------------------------------ ROBOT-style checks


def _violations(check: Path, *files: Path) -> list[tuple[str, ...]]:
    """The check's rows over the files, by Oxigraph (rdflib gives the same rows, ten times slower)."""
    store = ox.Store()
    for file in files:
        store.bulk_load(path=str(file), format=ox.RdfFormat.TURTLE)
    rows = store.query(check.read_text(encoding="utf-8"))
    return [tuple("" if row[v] is None else row[v].value for v in rows.variables) for row in rows]


def test_the_checks_cover_robot_report_essentials() -> None:
    names = {c.stem for c in CHECKS}
    assert {"missing-label", "duplicate-label", "missing-definition", "label-whitespace", "missing-ontology-license",
            "missing-ontology-title", "missing-ontology-description"} <= names
    for check in CHECKS:
        assert check.read_text(encoding="utf-8").startswith("# ROBOT report: "), f"{check.name} says what it checks"


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_ontology_passes(check: Path) -> None:
    paths = Paths.default()
    assert _violations(check, *sorted(paths.ontology_dir.glob("*.ttl"))) == []


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_check_fires_on_its_fixture(check: Path) -> None:
    fixture = FIXTURES / "checks" / f"{check.stem}.ttl"
    rows = _violations(check, fixture)
    assert rows, f"{check.name} found nothing in {fixture.name}"
    expected = "no owl:Ontology" if "no owl:Ontology" in fixture.read_text(encoding="utf-8").splitlines()[0] else \
        "https://w3id.org/atcgraph/ontology" if check.stem.startswith("missing-ontology-") else "/ontology/bad"
    assert any(expected.lower() in cell.lower() for row in rows for cell in row), rows


# ------------------------------------------------------------------------------ documentation


def test_docs_are_generated_and_name_the_key_classes(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "docs"]) == 0
    assert str(built.docs_html) in capsys.readouterr().out
    html = built.docs_html.read_text(encoding="utf-8")
    assert "<title>atcgraph ontology: nanomedicine for anaplastic thyroid cancer" in html
    for label in ("study", "nanocarrier", "molecular target", "therapy modality", "has molecular target"):
        assert f">{label}<" in html, label
    assert "creativecommons.org/licenses/by/4.0" in html
