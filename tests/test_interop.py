"""The graph is a clean citizen of the linked-data tools: every export and every release file is
read by independent parsers (Raptor's rapper, Apache Jena's riot, and for JSON-LD, which Raptor
cannot read, Oxigraph's parser) without error or warning, all count the triples rdflib counts, and
every export round-trips through rdflib to the graph the build wrote. Same graph, same bytes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, VOID

from atcgraph import cli
from atcgraph.build import assemble, fingerprint
from atcgraph.export import background, write_turtle
from atcgraph.formats import DATA_GRAPH, EXTENSIONS, FORMATS, INFERRED_GRAPH, ONTOLOGY_GRAPH, QUERIES_GRAPH, Dumps
from atcgraph.paths import Paths
from atcgraph.release import BUNDLE, DATASET, Release

from .system import require, require_file

RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig"}
RAPTOR = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml", "trig": "trig"}  # no JSON-LD parser
BY_SUFFIX = {".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".owl": "rdfxml", ".rdf": "rdfxml",
             ".trig": "trig"}
EXPORTS = [(fmt, inferred) for fmt in FORMATS for inferred in (False, True)]
JAVA = Path("/usr/share/java")
# Jena's own runtime dependencies (Debian's libapache-jena-java), with exactly one SLF4J binding:
# the one Debian's jena-cmds declares. Two bindings abort start-up.
JENA_JARS = ("jena-base jena-core jena-arq jena-cmds jena-iri slf4j-api slf4j-jdk14 guava commons-cli commons-csv "
             "commons-io commons-lang3 commons-codec commons-compress dexx.collection jsonld-java gson httpclient "
             "httpclient-cache httpcore jcl-over-slf4j jackson-core jackson-databind jackson-annotations "
             "titanium-json-ld jakarta.json-api protobuf thrift").split()


def _name(fmt: str, inferred: bool) -> str:
    return f"{'inferred' if inferred else 'asserted'}-{fmt}"


def _file_name(fmt: str, inferred: bool) -> str:
    return f"{_name(fmt, inferred)}.{EXTENSIONS[fmt]}"


@pytest.fixture(scope="module")
def exports(built: Paths, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """Every format, asserted and inferred, written by `atcgraph export -o` from the session build."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt, inferred in EXPORTS:
        target = folder / _file_name(fmt, inferred)
        args = ["-q", "--build-dir", str(built.build_dir), "export", "--format", fmt, "-o", str(target)]
        assert cli.main(args + (["--inferred"] if inferred else [])) == 0
        files[(fmt, inferred)] = target
    return files


def _rdflib_graph(path: Path, fmt: str) -> Graph:
    """The file as one rdflib graph (TriG: the union of its named graphs)."""
    if fmt == "trig":
        union = Graph()
        for s, p, o, _ in Dataset().parse(path, format="trig").quads():
            union.add((s, p, o))
        return union
    return Graph().parse(path, format=RDFLIB[fmt])


def _rdflib_count(path: Path, fmt: str) -> int:
    """What rdflib counts: triples, or quads for TriG."""
    if fmt == "trig":
        return len(list(Dataset().parse(path, format="trig").quads()))
    return len(Graph().parse(path, format=RDFLIB[fmt]))


# ------------------------------------------------------------------------------ export


@pytest.mark.parametrize(("fmt", "inferred"), EXPORTS, ids=[_name(*e) for e in EXPORTS])
def test_export_round_trips_to_the_built_graph(fmt: str, inferred: bool, exports, built: Paths) -> None:
    """Asserted exports equal build/asserted.ttl, inferred ones build/inferred.ttl, blank nodes and all."""
    expected = Graph().parse(built.inferred_ttl if inferred else built.asserted_ttl)
    assert isomorphic(_rdflib_graph(exports[(fmt, inferred)], fmt), expected)


def test_inferred_adds_entailments_to_asserted(exports) -> None:
    """The study-level targets come only from the OWL RL property chains (README, 'How the evidence is
    modelled'): NIS reached by Schmohl 2017's plasmid [63] is inferred, not asserted."""
    asserted = _rdflib_graph(exports[("ntriples", False)], "ntriples")
    inferred = _rdflib_graph(exports[("ntriples", True)], "ntriples")
    fact = (URIRef("https://w3id.org/atcgraph/data/study-schmohlka2017"),
            URIRef("https://w3id.org/atcgraph/ontology/hasMolecularTarget"),
            URIRef("https://w3id.org/atcgraph/data/target-nis"))
    assert fact in inferred and fact not in asserted
    ground = lambda g: {t for t in g if not any(isinstance(n, BNode) for n in t)}  # noqa: E731
    assert ground(asserted) < ground(inferred)


def test_trig_names_who_said_each_triple(exports) -> None:
    asserted = Dataset().parse(exports[("trig", False)], format="trig")
    inferred = Dataset().parse(exports[("trig", True)], format="trig")
    names = lambda ds: {g.identifier for g in ds.graphs() if len(g)}  # noqa: E731
    assert names(asserted) == {ONTOLOGY_GRAPH, DATA_GRAPH}
    assert names(inferred) == {ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH}
    study = URIRef("https://w3id.org/atcgraph/data/study-schmohlka2017")
    assert (study, RDF.type, URIRef("https://w3id.org/atcgraph/ontology/Study")) in asserted.graph(DATA_GRAPH)
    assert (URIRef("https://w3id.org/atcgraph/ontology"), RDF.type, OWL.Ontology) in asserted.graph(ONTOLOGY_GRAPH)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "rdfxml"])
def test_prefixes_are_declared(fmt: str, exports) -> None:
    text = exports[(fmt, True)].read_text(encoding="utf-8")
    declaration = {"turtle": "@prefix atc: <{}> .", "trig": "@prefix atc: <{}> .",
                   "rdfxml": 'xmlns:atc="{}"'}[fmt]
    assert declaration.format("https://w3id.org/atcgraph/ontology/") in text
    assert "atcd:" in text or fmt == "rdfxml"  # RDF/XML names individuals by full IRI in rdf:about


def test_json_ld_is_expanded_one_node_object_per_subject(exports) -> None:
    """JSON-LD comes in expanded document form (JSON-LD 1.1: full IRIs, no @context; the README
    says why), one node object per subject, holding the entailed target of Schmohl 2017 [63]."""
    document = json.loads(exports[("jsonld", True)].read_text(encoding="utf-8"))
    assert isinstance(document, list) and not any("@context" in node for node in document)
    ids = [node["@id"] for node in document]
    assert len(ids) == len(set(ids))
    study = document[ids.index("https://w3id.org/atcgraph/data/study-schmohlka2017")]
    assert {"@id": "https://w3id.org/atcgraph/data/target-nis"} in \
        study["https://w3id.org/atcgraph/ontology/hasMolecularTarget"]


def test_same_graph_same_bytes_in_other_processes(exports, built: Paths, tmp_path: Path) -> None:
    """Byte-identical exports from two processes whose string hashing differs (PYTHONHASHSEED)."""
    script = ("import sys\nfrom atcgraph.cli import main\n"
              f"for fmt, inferred, name in {[(f, i, _file_name(f, i)) for f, i in EXPORTS]!r}:\n"
              "    args = ['-q', '--build-dir', sys.argv[1], 'export', '--format', fmt, '-o', sys.argv[2] + '/' + name]\n"
              "    assert main(args + (['--inferred'] if inferred else [])) == 0\n")
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", script, str(built.build_dir), str(out)],
                              env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        for (fmt, inferred), mine in exports.items():
            assert (out / mine.name).read_bytes() == mine.read_bytes(), f"{mine.name} differs with PYTHONHASHSEED={seed}"


def test_export_reads_the_build_without_rebuilding(built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    before = built.inferred_ttl.stat().st_mtime_ns
    assert cli.main(["--build-dir", str(built.build_dir), "export", "--format", "ntriples"]) == 0
    out, err = capsys.readouterr()
    assert "building" not in err and built.inferred_ttl.stat().st_mtime_ns == before
    assert len(out.splitlines()) == len(Graph().parse(built.asserted_ttl))


def test_unknown_format_is_a_usage_error(built: Paths) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "export", "--format", "n3"]) == 2


# ------------------------------------------------------------------------------ release bundle


def test_release_bundle_is_complete(built: Paths) -> None:
    names = {p.name for p in built.release_dir.iterdir()}
    assert set(BUNDLE) | {"shapes.ttl", "void.ttl"} <= names


def test_release_graphs_partition_what_the_build_wrote(built: Paths) -> None:
    """ontology.ttl is what ontology/ says; with data.ttl it is build/asserted.ttl; inferred.nt is
    build/inferred.ttl."""
    release = built.release_dir
    ontology = Graph()
    for file in sorted(built.ontology_dir.rglob("*.ttl")):
        ontology.parse(file)
    assert isomorphic(Graph().parse(release / "ontology.ttl"), ontology)
    assert isomorphic(Graph().parse(release / "ontology.ttl") + Graph().parse(release / "data.ttl"),
                      Graph().parse(built.asserted_ttl))
    assert isomorphic(Graph().parse(release / "inferred.nt"), Graph().parse(built.inferred_ttl))
    assert isomorphic(Graph().parse(release / "queries.ttl"), Graph().parse(built.queries_ttl))


def test_void_describes_the_release(built: Paths) -> None:
    """Counts equal what rdflib counts in the TriG; licence CC BY 4.0 and credit to the review
    (Wang J et al. 2023); the version is the ontology's; provenance without a clock."""
    void = Graph().parse(built.void_ttl)
    trig = Dataset().parse(built.release_trig, format="trig")
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, VOID.triples) == Literal(len(list(trig.quads())))
    for name in (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH, QUERIES_GRAPH):
        assert (DATASET, VOID.subset, name) in void
        assert void.value(name, VOID.triples) == Literal(len(trig.graph(name)))
    for count in (VOID.entities, VOID.classes, VOID.properties, VOID.distinctSubjects, VOID.distinctObjects):
        assert int(void.value(DATASET, count)) > 0
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    review = void.value(DATASET, DCTERMS.source)
    assert "Customizing cancer treatment at the nanoscale" in str(void.value(review, DCTERMS.title))
    assert "Wang J" in str(void.value(review, DCTERMS.bibliographicCitation))
    assert (DATASET, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), review) in void
    ontology = Graph().parse(built.release_dir / "ontology.ttl")
    assert void.value(DATASET, OWL.versionInfo) == ontology.value(URIRef("https://w3id.org/atcgraph/ontology"),
                                                                  OWL.versionInfo)
    assert (DATASET, VOID.vocabulary, URIRef("https://w3id.org/atcgraph/ontology/")) in void
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", built.void_ttl.read_text(encoding="utf-8")), "no timestamps"


def test_release_is_the_same_from_another_process(built: Paths, tmp_path: Path) -> None:
    """A build in a process with different string hashing writes a byte-identical release."""
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    proc = subprocess.run([sys.executable, "-m", "atcgraph", "-q", "--build-dir", str(tmp_path), "build"],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    for file in sorted(built.release_dir.iterdir()):
        assert (tmp_path / "release" / file.name).read_bytes() == file.read_bytes(), file.name


def test_reference_build_splits_the_release_the_same_way(case_root, tmp_path: Path) -> None:
    """`build --reference` hands rdflib's graphs over through stores of their own, so its entailments
    are found by a set difference, not by the order Oxigraph dumps one store in: the curated graphs
    come out byte-identical, and owlrl entails all the fast path does (and its axioms besides)."""
    for name, extra in (("fast", []), ("reference", ["--reference"])):
        args = ["-q", "--root", str(case_root("ok")), "--build-dir", str(tmp_path / name), "build", *extra]
        assert cli.main(args) == 0
    fast, reference = tmp_path / "fast", tmp_path / "reference"
    for file in ("asserted.ttl", "release/ontology.ttl", "release/data.ttl"):
        assert (fast / file).read_bytes() == (reference / file).read_bytes(), file
    lines = lambda path: set(path.read_bytes().splitlines())  # noqa: E731
    assert lines(fast / "release" / "inferred.nt") < lines(reference / "release" / "inferred.nt")


def test_blank_node_entailments_stay_out_of_the_release(case_paths, tmp_path: Path) -> None:
    """README, 'Which file to load where': an entailment about a blank node is kept in
    build/inferred.ttl but left out of the release, whose graphs hold what can be asked by name."""
    paths = case_paths("ok")
    assembled = assemble(paths, dumps=True)
    write_turtle(assembled.published, paths.queries_ttl)
    entailment = (b"_:e <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                  b"<https://w3id.org/atcgraph/ontology/Study> .\n")
    (tmp_path / "asserted.nt").write_bytes(assembled.dumps.asserted.read())
    (tmp_path / "inferred.nt").write_bytes(entailment + assembled.dumps.inferred.read())
    with (tmp_path / "asserted.nt").open("rb") as asserted, (tmp_path / "inferred.nt").open("rb") as inferred, \
            background(paths.build_dir) as jobs:
        release = Release(paths, fingerprint(paths), jobs)
        release.start(asserted, assembled.published)
        release.finish(Dumps(asserted, inferred))
    study = URIRef("https://w3id.org/atcgraph/ontology/Study")
    blank_studies = lambda graph: [s for s in graph.subjects(RDF.type, study) if isinstance(s, BNode)]  # noqa: E731
    assert len(blank_studies(Graph().parse(paths.inferred_ttl))) == 1
    assert blank_studies(Graph().parse(paths.release_dir / "inferred.nt")) == []
    assert blank_studies(_rdflib_graph(paths.release_trig, "trig")) == []


# ------------------------------------------------------------------------------ independent parsers


def _all_files(exports, built: Paths) -> list[tuple[Path, str]]:
    files = [(path, fmt) for (fmt, _), path in exports.items()]
    files += [(path, BY_SUFFIX[path.suffix]) for path in sorted(built.release_dir.iterdir())]
    return files


@pytest.fixture(scope="module")
def rdflib_counts(exports, built: Paths) -> dict[Path, int]:
    """What rdflib counts in every export and release file: the number the other parsers must find."""
    return {path: _rdflib_count(path, fmt) for path, fmt in _all_files(exports, built)}


def test_rapper_parses_every_file_and_counts_what_rdflib_counts(exports, built: Paths, rdflib_counts) -> None:
    rapper = require("rapper")
    for path, fmt in _all_files(exports, built):
        if fmt not in RAPTOR:
            continue
        proc = subprocess.run([rapper, "--count", "--input", RAPTOR[fmt], str(path)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert not re.search(r"Warning|Error", proc.stderr), proc.stderr
        counted = re.search(r"Parsing returned (\d+) triples?", proc.stderr)
        assert counted and int(counted.group(1)) == rdflib_counts[path], f"{path.name}: {proc.stderr}"


def test_oxigraph_parses_json_ld_as_rdflib_does(exports, built: Paths, rdflib_counts) -> None:
    """Raptor has no JSON-LD parser; Oxigraph's stands in as the second reader (rdflib's is the first)."""
    for path, fmt in _all_files(exports, built):
        if fmt == "jsonld":
            assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD))) == rdflib_counts[path]


@pytest.fixture(scope="module")
def riot(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``java -cp <Jena + message bundles> riotcmd.riot``.

    Debian's Jena 4.5.0 relocated its Xerces classes to ``xerces/`` but left their message bundles
    under ``org/apache/jena/ext/xerces/``, so the first typed literal fails with "internal error" in
    XSSimpleTypeDecl. A jar holding copies of the bundles under ``xerces/`` mends it.
    """
    java = require("java")
    jars = [require_file(JAVA / f"{name}.jar", "libapache-jena-java") for name in JENA_JARS]
    fix = tmp_path_factory.mktemp("jena") / "jena-xerces-messages.jar"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA / "jena-core.jar") as core, zipfile.ZipFile(fix, "w") as out:
        for name in core.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                out.writestr("xerces/" + name[len(prefix):], core.read(name))
    return [java, "-cp", os.pathsep.join(str(j) for j in [*jars, fix]), "riotcmd.riot"]


def _riot_counts(riot: list[str], files: list[Path], *options: str) -> dict[Path, int]:
    proc = subprocess.run([*riot, *options, "--count", *map(str, files)], capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert not re.search(r"\b(WARN|WARNING|ERROR|SEVERE)\b", output), output
    counts = {}
    for uri, n in re.findall(r"^(\S+) : (?:Triples|Quads) = ([\d,]+)$", output, re.MULTILINE):
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path))
        counts[path] = int(n.replace(",", ""))
    return counts


def test_riot_parses_every_file_and_counts_what_rdflib_counts(riot: list[str], exports, built: Paths,
                                                             rdflib_counts) -> None:
    """One JVM for the files riot recognises by extension; JSON-LD through Jena's JSON-LD 1.0 reader
    (jsonld-java): its 1.1 reader (Titanium) needs a Jakarta JSON provider Debian does not package."""
    files = _all_files(exports, built)
    counts = _riot_counts(riot, [p for p, fmt in files if fmt != "jsonld"])
    counts.update(_riot_counts(riot, [p for p, fmt in files if fmt == "jsonld"], "--syntax=jsonld10"))
    assert set(counts) == {p for p, _ in files}, "riot reported every file"
    assert counts == rdflib_counts


def test_riot_sees_a_warning_when_there_is_one(riot: list[str], tmp_path: Path) -> None:
    """The check above could not fail if riot's warnings went nowhere: an ill-typed literal warns."""
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/x> <http://example.org/p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    proc = subprocess.run([*riot, "--count", str(bad)], capture_output=True, text=True, check=False)
    assert re.search(r"\bWARN", proc.stdout + proc.stderr), proc.stdout + proc.stderr
