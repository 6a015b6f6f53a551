"""Gap maps (`atcgraph gaps`): counts pinned against the review, empty categories kept, the same
answer from rdflib and Oxigraph, ranking by the documented score, the review's own claims checked,
and the report set written. Review citations are its reference numbers [n]; sections its headings.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from atcgraph import cli
from atcgraph.engines import OxigraphEngine, RdflibEngine
from atcgraph.errors import AtcGraphError
from atcgraph.gaps import STANDARD, Dimension, GapAnalysis, GapReport, poisson_cdf
from atcgraph.gaps_render import render, stem
from atcgraph.paths import Paths
from atcgraph.query import run_query
from atcgraph.vocab import ATC, ATCD

EXPECTED = Path(__file__).parent / "expected"
REVIEW = Path(__file__).resolve().parents[2] / "shared" / "sources" / "000_52b7b8e731bdc268.txt"


def _dims(rows: str, columns: str) -> tuple[Dimension, Dimension]:
    return Dimension.parse(rows), Dimension.parse(columns)


@pytest.fixture(scope="module")
def target_modality(gap_analysis: GapAnalysis) -> GapReport:
    return gap_analysis.report(*_dims("target", "modality"))


@pytest.fixture(scope="module")
def carrier_strategy(gap_analysis: GapAnalysis) -> GapReport:
    return gap_analysis.report(*_dims("carrier", "strategy"))


def _refs(report: GapReport, studies: tuple[str, ...]) -> set[int | None]:
    return {report.studies[s].reference for s in studies}


# ------------------------------------------------------------------------------ the matrix
@pytest.mark.parametrize(("target", "modality", "references", "in_vivo"), [
    # Gene delivery section: the NIS gene on GE11 polyplexes [63] and NIS mRNA in lipid-peptide NPs [67].
    ("target-nis", "GeneTherapy", {63, 67}, 2),
    # DOX "inhibiting the enzyme topoisomerase II"; the four DOX rows of Table 1; only the nanobubble
    # study in xenograft-bearing mice [32] is in vivo.
    ("target-top2", "Chemotherapy", {24, 30, 31, 32}, 1),
    # "Cetuximab (C225) is an EGFR-targeted monoclonal antibody": C-Au-PFH-NAs [88] and C-HPNs [89].
    ("target-egfr", "TargetedTherapy", {88, 89}, 2),
    # siBRAF in NIR polymeric NPs [68].
    ("target-braf", "GeneTherapy", {68}, 1),
])
def test_target_modality_cells_are_the_reviews(target: str, modality: str, references: set[int],
                                               in_vivo: int, target_modality: GapReport) -> None:
    count = target_modality.matrix.cell(str(ATCD[target]), str(ATC[modality]))
    assert count.n == len(references) == len(count.studies)
    assert _refs(target_modality, count.studies) == references
    assert count.in_vivo == in_vivo


def test_photodynamic_therapy_is_an_empty_column(target_modality: GapReport) -> None:
    """"alternative therapeutic approaches such as photodynamic therapy have been overlooked"
    (Challenges and opportunities): the column is there, with zero in every cell."""
    m = target_modality.matrix
    pdt = str(ATC.PhotodynamicTherapy)
    assert pdt in [c.iri for c in m.column_categories]
    assert all(m.cell(row.iri, pdt).n == 0 for row in m.row_categories)
    assert [c.iri for c in target_modality.empty_columns] == [pdt]
    rows = list(csv.DictReader(io.StringIO(render(target_modality, "csv").decode())))
    assert len(rows) == len(m.row_categories) * len(m.column_categories)
    assert {r["studies"] for r in rows if r["column"] == pdt} == {"0"}


def test_every_target_and_modality_of_the_ontology_is_a_category(target_modality: GapReport, inferred: Graph) -> None:
    m = target_modality.matrix
    assert {c.iri for c in m.row_categories} == {str(t) for t in inferred.subjects(RDF.type, ATC.MolecularTarget)}
    assert {c.iri for c in m.column_categories} == {str(t) for t in inferred.subjects(RDF.type, ATC.TherapyModality)}


def test_non_empty_cells_equal_the_pinned_canned_query(target_modality: GapReport, carrier_strategy: GapReport) -> None:
    """The gap map and the canned count queries (pinned and justified in queries/README.md) agree."""
    for report, pinned in ((target_modality, "target-modality-counts"), (carrier_strategy, "carrier-strategy-counts")):
        rows = list(csv.reader((EXPECTED / f"{pinned}.csv").read_text(encoding="utf-8").splitlines()))[1:]
        expected = {(r[0], r[2]): int(r[4]) for r in rows}
        got = {key: count.n for key, count in report.matrix.cells.items()}
        assert got == expected


def test_carrier_by_strategy_keeps_the_unstudied_carbon_based_row(carrier_strategy: GapReport) -> None:
    """Carbon-based nanocarriers: the review calls them unexplored; the row is there with zero.
    Polymeric × gene delivery = 4 ([63, 68, 73, 76]); inorganic × chemotherapeutic = 1 (MONPs [24])."""
    m = carrier_strategy.matrix
    carbon = str(ATC.CarbonBasedNanocarrier)
    assert carbon in [c.iri for c in m.row_categories] and carbon not in m.row_totals
    assert [c.iri for c in carrier_strategy.empty_rows] == [carbon]
    assert _refs(carrier_strategy, m.cell(str(ATC.PolymericNanocarrier), str(ATC.GeneDelivery)).studies) == {63, 68, 73, 76}
    assert _refs(carrier_strategy, m.cell(str(ATC.InorganicNanocarrier), str(ATC.ChemotherapeuticDrugDelivery)).studies) == {24}
    assert m.total.n == 27, "every study of Table 1's 27 rows has a carrier and a section"


def test_strategy_columns_come_in_table_1_order(carrier_strategy: GapReport) -> None:
    assert [c.label for c in carrier_strategy.matrix.column_categories] == [
        "Chemotherapeutic drug delivery", "Differentiation agent delivery", "Radioiodine delivery", "Gene delivery",
        "Co-delivery", "Photothermal therapy", "Combination therapy"]


def test_margins_count_distinct_studies(target_modality: GapReport) -> None:
    """A study in two columns counts once in its row: margins are not sums of cells."""
    m = target_modality.matrix
    for row in m.row_categories:
        cells = [m.cell(row.iri, c.iri) for c in m.column_categories]
        total = m.row_totals.get(row.iri)
        members = set().union(*(c.studies for c in cells))
        assert (total.n if total else 0) == len(members)
    # EGFR: GE11 [63], cetuximab [88, 89], EGF/lapatinib gold [91] — 4 studies in 11 filled modality cells.
    egfr = str(ATCD["target-egfr"])
    assert _refs(target_modality, m.row_totals[egfr].studies) == {63, 88, 89, 91}
    assert sum(m.cell(egfr, c.iri).n for c in m.column_categories) == 11


@pytest.mark.parametrize(("spec", "present", "absent"), [
    ("carrier:2", {"MetalNanoparticle", "ConjugatedPolymerNanoparticle", "CarbonBasedNanocarrier"}, {"InorganicNanocarrier"}),
    ("carrier:3", {"GoldNanoparticle", "PolyanilineNanoparticle", "Liposome"}, {"MetalNanoparticle"}),
    ("payload", {"Photosensitizer", "NucleicAcid", "Radionuclide"}, {"SmallInterferingRNA"}),
    ("payload:2", {"SmallInterferingRNA", "Chemotherapeutic", "Photosensitizer"}, {"NucleicAcid"}),
    ("strategy:1", {"DrugDeliveryStrategy", "DirectTherapyStrategy"}, {"GeneDelivery"}),
])
def test_levels_cut_the_hierarchy(spec: str, present: set[str], absent: set[str], gap_analysis: GapAnalysis) -> None:
    """Level k: the classes k steps below the root plus shallower leaves (carbon-based stays at every level)."""
    iris = {c.iri for c in gap_analysis.categories(Dimension.parse(spec))}
    assert {str(ATC[p]) for p in present} <= iris
    assert not {str(ATC[a]) for a in absent} & iris


def test_photosensitizer_row_is_empty(gap_analysis: GapAnalysis) -> None:
    report = gap_analysis.report(*_dims("payload", "modality"))
    assert str(ATC.Photosensitizer) in {c.iri for c in report.empty_rows}


# ------------------------------------------------------------------------------ SPARQL in two stores
@pytest.mark.parametrize(("rows", "columns"), [*STANDARD, ("carrier:3", "strategy:1"), ("payload:2", "target")])
def test_rdflib_and_oxigraph_count_the_same(rows: str, columns: str, gap_analysis: GapAnalysis,
                                            inferred: Graph, oxigraph: OxigraphEngine) -> None:
    sparql = gap_analysis.compose(*_dims(rows, columns))

    def normal(result) -> list[tuple]:
        return sorted((str(r[0] or ""), str(r[1] or ""), int(r[2]), int(r[3]), int(r[4]), tuple(sorted(str(r[5]).split())))
                      for r in result.rows)

    assert normal(oxigraph.select(sparql)) == normal(RdflibEngine(inferred).select(sparql))


@pytest.mark.parametrize("name", sorted(p.stem for p in Paths.default().gap_queries_dir.glob("*.rq") if p.stem != "matrix"))
def test_each_dimension_file_runs_alone_in_both_stores(name: str, inferred: Graph, oxigraph: OxigraphEngine,
                                                        gap_analysis: GapAnalysis) -> None:
    text = gap_analysis.text(name)
    fast, reference = oxigraph.select(text), RdflibEngine(inferred).select(text)
    assert fast.rows, f"{name} returns nothing"
    assert fast.variables == reference.variables

    def normal(result) -> list[tuple]:  # GROUP_CONCAT joins in no particular order
        return sorted(tuple("|".join(sorted(str(cell).split("|"))) for cell in row) for row in result.rows)

    assert normal(fast) == normal(reference)


def test_composition_hoists_prefixes_into_one_header(gap_analysis: GapAnalysis) -> None:
    sparql = gap_analysis.compose(*_dims("carrier:2", "strategy"))
    body = sparql.split("\n", sparql.count("PREFIX"))[-1]
    assert "PREFIX" not in body and "#include" not in body
    assert "VALUES ?level { 2 }" in sparql


# ------------------------------------------------------------------------------ ranked gaps
def test_ranking_follows_the_documented_score(target_modality: GapReport) -> None:
    gaps = target_modality.gaps
    m = target_modality.matrix
    assert gaps
    for gap in gaps:
        assert gap.observed < gap.expected == pytest.approx(m.expected(gap.row.iri, gap.column.iri))
        assert gap.score == pytest.approx(poisson_cdf(gap.observed, gap.expected))
    keys = [(g.score, -g.expected) for g in gaps]
    assert keys == sorted(keys)
    ranked = {(g.row.iri, g.column.iri) for g in gaps}
    for row in m.row_categories:  # no study expected, nothing missing: an empty category is not ranked
        assert (row.iri, str(ATC.PhotodynamicTherapy)) not in ranked


def test_poisson_cdf() -> None:
    assert poisson_cdf(0, 2.0) == pytest.approx(0.1353352832)
    assert poisson_cdf(2, 2.0) == pytest.approx(0.6766764162)


def test_top_carrier_gap_is_the_one_the_review_names(carrier_strategy: GapReport) -> None:
    """Gene delivery section: "inorganic nanomaterials have been largely ignored" — the margins agree:
    the most surprising empty cell of carrier × strategy is inorganic × gene delivery."""
    top = carrier_strategy.gaps[0]
    assert (top.row.iri, top.column.iri, top.observed) == (str(ATC.InorganicNanocarrier), str(ATC.GeneDelivery), 0)


def test_a_gap_carries_its_neighbours(target_modality: GapReport) -> None:
    """TOP2 × gene therapy: the four DOX studies are chemotherapy; gene therapy acts on NIS, TERT, BRAF,
    EGFR, VEGF-A; the DOX carriers are gas-core nanobubbles [31, 32], polydopamine [30], organosilica [24]."""
    gap = next(g for g in target_modality.gaps
               if g.row.iri == str(ATCD["target-top2"]) and g.column.iri == str(ATC.GeneTherapy))
    assert (gap.same_row[0][0].iri, gap.same_row[0][1]) == (str(ATC.Chemotherapy), 4)
    assert {c.label for c, _ in gap.same_column} == {"NIS (SLC5A5)", "TERT", "BRAF", "EGFR", "VEGF-A"}
    assert {(c.iri, n) for c, n in gap.row_carriers} == {
        (str(ATC.GasCoreOrPhaseChangeNanocarrier), 2), (str(ATC.PolymericNanocarrier), 1), (str(ATC.InorganicNanocarrier), 1)}


@pytest.mark.parametrize(("rows", "columns"), [*STANDARD, ("carrier", "payload")])
def test_each_gaps_command_reproduces_its_cell(rows: str, columns: str, gap_analysis: GapAnalysis,
                                               built: Paths, oxigraph: OxigraphEngine) -> None:
    report = gap_analysis.report(*_dims(rows, columns))
    for gap in report.gaps[:4] + report.gaps[-2:]:
        words = gap.command.split()
        assert words[:3] == ["atcgraph", "query", words[2]]
        params = dict(w.split("=", 1) for w in words[4::2])
        answer = run_query(built, words[2], params, "csv", engine=oxigraph)
        assert len(answer.splitlines()) - 1 == gap.observed, gap.command


# ------------------------------------------------------------------------------ what the review says is missing
VERDICTS = {
    "gap-inorganic-chemotherapeutic-delivery": "confirmed",   # 1 study (MONPs [24]) where more expected
    "gap-inorganic-polymeric-differentiation-delivery": "confirmed",  # ATRA liposomes [49], TKI-EVs [53] only
    "gap-metal-lipid-radioiodine-delivery": "confirmed",      # MSNs, polyplexes, MnO2 [54, 56, 59]
    "gap-inorganic-gene-delivery": "confirmed",               # lipid and polymeric carriers only
    "gap-photothermal-agents-neglected": "confirmed",         # gold, CuS, polydopamine, ICG, IR825
    "gap-metal-carbon-drug-delivery": "partly contradicted",  # the gold C-Au-PFH-NAs of co-delivery [88]
    "gap-photodynamic-therapy": "confirmed",
}


def test_every_review_gap_is_confirmed_or_contradicted(target_modality: GapReport) -> None:
    got = {g.iri.rsplit("/", 1)[-1]: g.verdict for g in target_modality.review_gaps}
    assert got == VERDICTS


def test_contradictions_name_their_studies(target_modality: GapReport) -> None:
    """Challenges: metal- and carbon-based nanocarriers for drug delivery "remains unexplored", but the
    co-delivery section has cetuximab-gold-perfluorohexane nanoparticles (Liu Y 2021 [88]); the gold
    nanoparticles of Amaral 2021 [91] are photothermal therapy, outside drug delivery."""
    gap = next(g for g in target_modality.review_gaps if g.iri == str(ATCD["gap-metal-carbon-drug-delivery"]))
    metal = next(c for c in gap.checks if c.claimed.iri == str(ATC.MetalNanoparticle))
    carbon = next(c for c in gap.checks if c.claimed.iri == str(ATC.CarbonBasedNanocarrier))
    assert not metal.confirmed and _refs(target_modality, metal.within) == {88}
    assert _refs(target_modality, metal.elsewhere) == {91}
    assert carbon.confirmed and not carbon.within


def test_scoped_claims_report_evidence_outside_their_scope(target_modality: GapReport) -> None:
    """Conjugated polymers are neglected *as photothermal agents*: the siBRAF NIR polymeric NPs of
    Liu Y 2016 [68] are gene therapy, so they do not contradict the claim but are shown beside it."""
    gap = next(g for g in target_modality.review_gaps if g.iri == str(ATCD["gap-photothermal-agents-neglected"]))
    conjugated = next(c for c in gap.checks if c.claimed.iri == str(ATC.ConjugatedPolymerNanoparticle))
    assert conjugated.confirmed and not conjugated.within
    assert _refs(target_modality, conjugated.elsewhere) == {68}


def test_a_scarcity_claim_is_judged_against_the_margins(target_modality: GapReport) -> None:
    """Chemotherapeutic section: inorganic nanoparticles "rather limited": one study (BSA-DOX-MONPs [24])
    of the section's seven, fewer than the inorganic share of all studies predicts."""
    gap = next(g for g in target_modality.review_gaps if g.iri == str(ATCD["gap-inorganic-chemotherapeutic-delivery"]))
    (check,) = gap.checks
    assert not gap.absence
    assert _refs(target_modality, check.within) == {24}
    assert check.expected is not None and check.expected > 1


@pytest.mark.skipif(not REVIEW.exists(), reason="the review text (../shared/sources) is not beside this checkout")
def test_review_gap_quotes_are_the_reviews_words(target_modality: GapReport) -> None:
    text = re.sub(r"\s+", " ", REVIEW.read_text(encoding="utf-8"))
    headings = {line.strip() for line in REVIEW.read_text(encoding="utf-8").splitlines()}
    for gap in target_modality.review_gaps:
        section, words = re.fullmatch(r"Section '([^']+)'[^\"]*: \"(.+)\"", gap.quote).groups()
        assert section in headings, gap.quote
        assert words in text, gap.quote


# ------------------------------------------------------------------------------ the reports and the command
def test_gaps_without_options_writes_the_standard_set(built: Paths, gap_analysis: GapAnalysis,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "gaps"]) == 0
    captured = capsys.readouterr()
    assert "building" not in captured.err, "the build is current: no re-reasoning"
    names = {p.name for p in built.reports_dir.iterdir()}
    stems = [stem(gap_analysis.report(*_dims(r, c))) for r, c in STANDARD]
    assert stems == ["target-x-modality", "carrier-x-strategy", "payload-x-modality"]
    expected = {f"{s}.{fmt}" for s in stems for fmt in ("md", "html", "csv", "json")}
    expected |= {"target-x-modality.png", "target-x-modality.svg", "index.md", "index.html"}
    assert expected <= names
    assert (built.reports_dir / "target-x-modality.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (built.reports_dir / "target-x-modality.svg").read_bytes()[:500]


def test_html_needs_no_network(target_modality: GapReport) -> None:
    page = render(target_modality, "html").decode()
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//)""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:|//)|@import|<link[^>]+stylesheet", page, re.IGNORECASE)
    assert "<script src" not in page
    data = json.loads(re.search(r'<script type="application/json" id="gap-data">(.*?)</script>', page, re.S).group(1))
    assert data["title"] == "Evidence and gap map: molecular target × therapy modality"


def test_markdown_shows_headline_matrix_gaps_and_claims(target_modality: GapReport) -> None:
    text = render(target_modality, "md").decode()
    for heading in ("## The map", "## Ranked gaps", "## What the review says is missing"):
        assert heading in text
    assert "| **NIS (SLC5A5)** |" in text and "2 (2 vivo)" in text
    assert "**partly contradicted**" in text and "Liu Y 2021 [88]" in text
    assert "photodynamic therapy" in text.split("## The map")[1].splitlines()[2]  # a column of the table


def test_svg_is_reproducible(target_modality: GapReport) -> None:
    assert render(target_modality, "svg") == render(target_modality, "svg")


@pytest.mark.parametrize(("args", "check"), [
    (["--format", "json"], lambda out: json.loads(out)["rows"]["dimension"] == "target"),
    (["--rows", "carrier:2", "--cols", "strategy:1", "--format", "csv"],
     lambda out: out.startswith("row,rowLabel,column,columnLabel,studies,inVivo,inVitro,expected")),
])
def test_one_map_to_stdout(args: list[str], check, built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), "gaps", *args]) == 0
    assert check(capsys.readouterr().out)


def test_output_format_follows_the_suffix(built: Paths, tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    assert cli.main(["--build-dir", str(built.build_dir), "gaps", "--rows", "payload", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize("args", [
    ["gaps", "--rows", "author"],
    ["gaps", "--cols", "target:2"],
    ["gaps", "--rows", "carrier:deep"],
    ["gaps", "--rows", "carrier:0"],
    ["gaps", "--format", "png"],
])
def test_bad_requests_exit_2_with_a_message(args: list[str], built: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--build-dir", str(built.build_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("atcgraph: error: ") and len(err.splitlines()) == 1


def test_a_levelled_query_without_its_values_line_is_refused(tmp_path: Path) -> None:
    """The level is bound through the same VALUES-line binder as the canned queries' parameters."""
    root = tmp_path / "root"
    shutil.copytree(Paths.default().gap_queries_dir, root / "queries" / "gaps")
    path = root / "queries" / "gaps" / "carrier-categories.rq"
    path.write_text(re.sub(r"VALUES\s+\?level\s*\{[^}]*\}", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    analysis = GapAnalysis(Paths.default(root, tmp_path / "build"), engine=None)  # type: ignore[arg-type]
    assert "VALUES ?level { 2 }" in analysis.text("payload-categories", 2)
    with pytest.raises(AtcGraphError, match=r"carrier-categories\.rq: needs exactly one 'VALUES \?level"):
        analysis.text("carrier-categories", 2)
