"""The CLI contract: exit codes 0/1/2, what is printed, what is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rdflib import Graph

from atcgraph.cli import main


def run(capsys, root: Path, build_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), "--build-dir", str(build_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_build_conforming_writes_outputs_and_exits_0(capsys, case_root, tmp_path):
    build_dir = tmp_path / "build"
    code, out, err = run(capsys, case_root("ok"), build_dir, "build")
    assert code == 0, err
    assert err == ""
    assert "studies:          2" in out
    assert "validation: conforms" in out
    assert sorted(p.name for p in build_dir.iterdir()) == [
        "asserted.ttl", "inferred.ttl", "manifest.json", "queries.ttl", "release", "validation.txt"]
    assert (build_dir / "validation.txt").read_text() == "conforms\n"
    inferred = Graph().parse(build_dir / "inferred.ttl")
    assert len(inferred) > len(Graph().parse(build_dir / "asserted.ttl"))


def test_stats_json_counts_inferred_instances(capsys, case_root, tmp_path):
    code, out, _ = run(capsys, case_root("ok"), tmp_path / "build", "stats", "--format", "json")
    assert code == 0
    stats = json.loads(out)
    asserted = Graph()
    for folder in ("ontology", "data"):
        for file in (case_root("ok") / folder).rglob("*.ttl"):
            asserted.parse(file)
    assert stats["studies"] == 2  # one of them is only typed atc:InVivoStudy
    assert stats["triples_asserted"] == len(asserted)
    assert stats["triples_inferred"] > stats["triples_asserted"]
    assert list(stats["classes"].items()) == [
        ("atc:Study", 2), ("atc:InVivoStudy", 1), ("atc:Measurement", 1), ("atc:Nanoparticle", 1)]
    assert not (tmp_path / "build").exists()  # stats writes nothing


def test_validate_violations_exit_1_and_name_study_property_file(capsys, case_root, tmp_path):
    code, out, _ = run(capsys, case_root("violating"), tmp_path / "build", "validate")
    assert code == 1
    row = next(line for line in out.splitlines() if "atc:usesNanoparticle" in line)
    assert [c.strip() for c in row.split("|")][:4] == [
        "data/studies/study-c.ttl", "atcd:study-c", "atcd:study-c", "atc:usesNanoparticle"]
    assert out.rstrip().endswith("3 violations in 1 study (1 not tied to a study)")


def test_validate_json_links_measurement_to_its_study(capsys, case_root, tmp_path):
    code, out, _ = run(capsys, case_root("violating"), tmp_path / "b", "validate", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    by_focus = {f["focus"]: f for f in report["findings"]}
    assert by_focus["atcd:study-c-m1"]["study"] == "atcd:study-c"
    assert by_focus["atcd:study-c-m1"]["path"] == "atc:value"
    assert by_focus["atcd:study-c-m1"]["file"] == "data/studies/study-c.ttl"
    assert by_focus["atcd:orphan-m"]["study"] is None
    assert by_focus["atcd:orphan-m"]["file"] == "data/entities/orphans.ttl"
    assert by_focus["atcd:orphan-m"]["value"] == "high"


def test_build_with_violations_still_writes_report_and_exits_1(capsys, case_root, tmp_path):
    build_dir = tmp_path / "build"
    code, out, _ = run(capsys, case_root("violating"), build_dir, "build")
    assert code == 1
    assert "3 violations" in out
    report = (build_dir / "validation.txt").read_text()
    assert "atcd:study-c" in report and "data/studies/study-c.ttl" in report
    assert (build_dir / "inferred.ttl").exists()


def test_syntax_error_exits_2_names_file_and_line_writes_nothing(capsys, case_root, tmp_path):
    build_dir = tmp_path / "build"
    code, out, err = run(capsys, case_root("syntax_error"), build_dir, "build")
    assert code == 2
    assert out == ""
    assert err.startswith("atcgraph: error: data/studies/broken.ttl:13: ")
    assert "dcterms:" in err and "declared" in err  # Oxigraph: 'The prefix dcterms: has not been declared'
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not build_dir.exists()


def test_missing_data_folder_exits_2(capsys, case_root, tmp_path):
    code, _, err = run(capsys, case_root("missing_data"), tmp_path / "build", "stats")
    assert code == 2
    assert err == "atcgraph: error: data: folder not found\n"


def test_inconsistent_graph_exits_2_naming_the_individual(capsys, case_root, tmp_path):
    build_dir = tmp_path / "build"
    code, _, err = run(capsys, case_root("inconsistent"), build_dir, "build")
    assert code == 2
    assert err.startswith("atcgraph: error: the graph is inconsistent")
    assert 'atcd:chimera "Chimera"' in err
    assert "Traceback" not in err
    assert not build_dir.exists()


def test_failed_build_leaves_the_previous_one_untouched(capsys, case_root, tmp_path):
    """The release's asserted half is written while the store reasons (release.py); when reasoning
    then finds the graph inconsistent, no file of the earlier build may have changed and no
    scratch file may be left behind."""
    build_dir = tmp_path / "build"
    assert run(capsys, case_root("ok"), build_dir, "-q", "build")[0] == 0
    before = {path: path.read_bytes() for path in build_dir.rglob("*") if path.is_file()}
    code, _, err = run(capsys, case_root("inconsistent"), build_dir, "-q", "build")
    assert code == 2 and "inconsistent" in err
    after = {path: path.read_bytes() for path in build_dir.rglob("*") if path.is_file()}
    assert after == before
    assert not [path for path in build_dir.rglob(".*")]


def test_quiet_build_prints_nothing(capsys, case_root, tmp_path):
    code, out, err = run(capsys, case_root("ok"), tmp_path / "build", "-q", "build")
    assert (code, out, err) == (0, "", "")


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["stats", "--format", "xml"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_python_dash_m_entry_point(case_root, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "atcgraph", "--root", str(case_root("ok")), "stats", "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["studies"] == 2


def test_breaking_a_constraint_in_a_copy_of_the_real_data_names_study_and_property(capsys, tmp_path):
    """Acceptance of the graph issue: a copy of the real checkout with one measurement's unit
    deleted fails `atcgraph validate` with exit 1, naming the study, the property and the file."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    root = tmp_path / "copy"
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(repo / part, root / part)
    study = root / "data" / "studies" / "zhangr2019.ttl"
    text = study.read_text(encoding="utf-8")
    broken = text.replace("atc:numericValue 32.2 ; atc:spread 2.8 ; atc:hasUnit atc:PercentInjectedDosePerGram ;",
                          "atc:numericValue 32.2 ; atc:spread 2.8 ;")
    assert broken != text
    study.write_text(broken, encoding="utf-8")
    code, out, _ = run(capsys, root, tmp_path / "build", "validate")
    assert code == 1
    line = next(line for line in out.splitlines() if "atc:hasUnit" in line)
    assert "atcd:study-zhangr2019" in line and "data/studies/zhangr2019.ttl" in line
