"""Test the data itself: every study, every Table 1 row, every number, every identifier.

The review (../shared/sources) and the checked identifiers (../shared/reference) are the ground
truth: these tests read them directly and compare the graph with what they print.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from atcgraph.vocab import ATC, ATCD

from .sources import MISIDENTIFIED_NAMES, REFERENCE_IDS, REVIEW_TEXT, normalise, reference_list, table1_rows

OBOINOWL_XREF = URIRef("http://www.geneontology.org/formats/oboInOwl#hasDbXref")
SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
SKOS_MATCHES = (URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
                URIRef("http://www.w3.org/2004/02/skos/core#closeMatch"))


def _studies(g: Graph) -> list[URIRef]:
    return sorted(s for s in g.subjects(RDF.type, ATC.Study) if isinstance(s, URIRef))


def _one(g: Graph, s: Node, p: URIRef) -> Node:
    values = list(g.objects(s, p))
    assert len(values) == 1, f"{s} has {len(values)} values of {p}"
    return values[0]


# ------------------------------------------------------------------------------ Table 1

def test_every_table1_row_maps_to_exactly_one_study(asserted: Graph) -> None:
    printed = table1_rows()
    assert len(printed) == 27, "Table 1 of the review prints 27 rows"
    rows = sorted(asserted.subjects(RDF.type, ATC.Table1Row), key=lambda r: int(asserted.value(r, ATC.rowNumber)))
    assert [int(asserted.value(r, ATC.rowNumber)) for r in rows] == list(range(1, 28))
    for row in rows:
        studies = list(asserted.subjects(ATC.hasTable1Row, row))
        assert len(studies) == 1, f"{row} is the row of {len(studies)} studies"
    for study in _studies(asserted):
        assert len(list(asserted.objects(study, ATC.hasTable1Row))) == 1, study


def test_table1_rows_are_recorded_as_printed(asserted: Graph) -> None:
    """Strategy group, agent, nanoparticles and cited number of each row equal the review's Table 1."""
    headings = {str(asserted.value(s, ATC.table1Heading)): s for s in asserted.subjects(ATC.table1Heading, None)}
    for printed in table1_rows():
        row = next(asserted.subjects(ATC.rowNumber, Literal(printed.number)))
        assert asserted.value(row, ATC.tableStrategy) == headings[printed.strategy], printed
        assert normalise(str(asserted.value(row, ATC.agentText))) == printed.agent, printed
        assert normalise(str(asserted.value(row, ATC.nanoparticleText))) == printed.nanoparticles, printed
        assert int(asserted.value(row, ATC.citedReferenceNumber)) == printed.reference, printed


def test_the_review_discusses_27_primary_studies(asserted: Graph) -> None:
    assert len(_studies(asserted)) == 27


# ------------------------------------------------------------------------------ per study

def _study_ids(g: Graph) -> list[str]:
    return [str(s).rsplit("/", 1)[-1] for s in _studies(g)]


@pytest.fixture(params=range(27), ids=lambda i: f"study{i + 1:02d}")
def study(request: pytest.FixtureRequest, asserted: Graph) -> URIRef:
    return _studies(asserted)[request.param]


def test_publication_matches_the_reference_list(asserted: Graph, study: URIRef) -> None:
    """Title, first author, journal and year appear in the review's reference N as printed."""
    pub = _one(asserted, study, ATC.reportedIn)
    number = int(_one(asserted, pub, ATC.reviewCitationNumber))
    entry = normalise(reference_list()[number])
    for prop in (ATC.title, ATC.firstAuthor, ATC.journal):
        value = normalise(str(_one(asserted, pub, prop)))
        assert value.rstrip(".").lower() in entry.lower(), f"{prop} {value!r} not in reference {number}: {entry}"
    assert str(_one(asserted, pub, ATC.publicationYear)) in entry
    authors = normalise(str(_one(asserted, pub, ATC.authors)))
    assert authors.rstrip(".") in entry, f"authors {authors!r} not in reference {number}"
    for prop in (ATC.volume, ATC.pages):
        for value in asserted.objects(pub, prop):
            assert str(value) in entry, f"{prop} {value} not in reference {number}"


def test_study_carries_every_facet(inferred: Graph, study: URIRef) -> None:
    g = inferred
    assert g.value(study, RDFS.label)
    for prop in (ATC.hasNanocarrier, ATC.hasTherapyModality, ATC.inStrategySection, ATC.hasTable1Row,
                 ATC.usesModel, ATC.hasEvidenceSetting, ATC.finding, ATC.provenance):
        assert g.value(study, prop) is not None, f"{study} lacks {prop}"
    for carrier in g.objects(study, ATC.hasNanocarrier):
        families = [t for t in g.objects(carrier, RDF.type)
                    if (t, RDFS.subClassOf, ATC.Nanocarrier) in g and t != ATC.Nanocarrier]
        assert families, f"{carrier} has no material family"
    payloads = set(g.objects(study, ATC.deliversPayload))
    ligands = {lig for c in g.objects(study, ATC.hasNanocarrier) for lig in g.objects(c, ATC.hasTargetingLigand)}
    assert payloads | ligands, f"{study} names no payload or ligand"


def test_finding_is_in_our_own_words(asserted: Graph, study: URIRef) -> None:
    """No run of eight words copied from the review or its Table 1 (names and numbers are fine)."""
    finding = normalise(str(_one(asserted, study, ATC.finding))).lower()
    assert 20 <= len(finding) <= 300
    words = re.findall(r"[a-z0-9\-]+", finding)
    review = " ".join(re.findall(r"[a-z0-9\-]+", normalise(REVIEW_TEXT).lower()))
    for i in range(len(words) - 7):
        run = " ".join(words[i:i + 8])
        assert run not in review, f"copied from the review: {run!r}"


def test_every_number_is_printed_in_the_review(asserted: Graph, study: URIRef) -> None:
    """Each value, bound and spread of each measurement appears as a number in the review text."""
    text = normalise(REVIEW_TEXT)
    numbers = {Decimal(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?", text.replace("−", "-"))}
    for m in asserted.objects(study, ATC.hasMeasurement):
        for prop in (ATC.numericValue, ATC.minValue, ATC.maxValue, ATC.spread, ATC.timePoint):
            for value in asserted.objects(m, prop):
                assert Decimal(str(value)) in numbers, f"{m} {prop} = {value} is not printed in the review"


# ------------------------------------------------------------------------------ identifiers

def _xref_ids(g: Graph) -> list[tuple[Node, str]]:
    found = []
    for s, o in g.subject_objects(OBOINOWL_XREF):
        found.append((s, str(o).split(":", 1)[1] if ":" in str(o) else str(o)))
    for p in SKOS_MATCHES:
        for s, o in g.subject_objects(p):
            local = re.split(r"[/#]", str(o))[-1]
            found.append((s, local.replace("_", ":", 1) if local.startswith(("CHEBI_", "MONDO_", "DOID_")) else
                          local.split("_", 1)[1] if local.startswith("NCIT_") else local))
    return found


def test_every_identifier_comes_from_the_checked_reference_files(asserted: Graph) -> None:
    xrefs = _xref_ids(asserted)
    assert len(xrefs) > 50
    unknown = [f"{s} -> {i}" for s, i in xrefs
               if not {i, f"CHEBI:{i}", f"HGNC:{i}"} & REFERENCE_IDS]
    assert not unknown, "identifiers not in shared/reference/identifiers.tsv:\n" + "\n".join(unknown)


def test_dois_come_from_the_review_or_the_reference_files(asserted: Graph) -> None:
    dois = [str(o) for o in asserted.objects(None, ATC.doi)]
    assert "10.1177/15330338221106557" in dois  # printed in the review's reference 54
    for doi in dois:
        assert doi in REFERENCE_IDS or doi in REVIEW_TEXT, doi


def test_never_owl_same_as(asserted: Graph) -> None:
    assert not list(asserted.triples((None, OWL.sameAs, None)))


def test_cell_lines_on_the_misidentified_list_are_flagged(asserted: Graph) -> None:
    """Every cell line whose name is on problematic_cell_lines.tsv is typed MisidentifiedCellLine."""
    flagged = set(asserted.subjects(RDF.type, ATC.MisidentifiedCellLine))
    assert ATCD["cell-aro"] in flagged  # ARO / ARO81-1 = HT-29
    for line in set(asserted.subjects(RDF.type, ATC.CellLine)) | flagged:
        names = {str(n) for p in (RDFS.label, SKOS_ALT) for n in asserted.objects(line, p)}
        listed = any(name in MISIDENTIFIED_NAMES for name in names)
        assert listed == (line in flagged), f"{line} {names}: listed={listed}"


# ------------------------------------------------------------------------------ pinned facts

def _measurements(g: Graph, study: str, kind: URIRef) -> list[tuple[Decimal, Decimal | None, Decimal | None]]:
    out = []
    for m in g.objects(ATCD[f"study-{study}"], ATC.hasMeasurement):
        if (m, RDF.type, kind) in g:
            def num(p: URIRef) -> Decimal | None:
                v = g.value(m, p)
                return Decimal(str(v)) if v is not None else None
            out.append((num(ATC.numericValue), num(ATC.spread), num(ATC.timePoint)))
    return sorted(out, key=lambda t: tuple(x if x is not None else Decimal(-1) for x in t))


def test_anti_vegfr2_silica_tumour_uptake(asserted: Graph) -> None:
    """Review, radioiodine section: 32.2 ± 2.8 %ID/g (24 h) and 23.0 ± 1.8 %ID/g (72 h) for
    131I-BSA-MSNs-anti-VEGFR2, against 26.1 ± 2.5 and 12.3 ± 1.2 %ID/g for the non-targeted group."""
    values = _measurements(asserted, "zhangr2019", ATC.TumourUptake)
    assert values == sorted([
        (Decimal("32.2"), Decimal("2.8"), Decimal(24)), (Decimal("23.0"), Decimal("1.8"), Decimal(72)),
        (Decimal("26.1"), Decimal("2.5"), Decimal(24)), (Decimal("12.3"), Decimal("1.2"), Decimal(72)),
    ], key=lambda t: tuple(t))
    targeted = ATCD["m-zhangr2019-uptake-24h"]
    assert asserted.value(targeted, ATC.hasUnit) == ATC.PercentInjectedDosePerGram
    assert asserted.value(targeted, ATC.comparedWith) == ATCD["m-zhangr2019-uptake-24h-nontargeted"]


@pytest.mark.parametrize(("study", "pce"), [
    ("zhangc2022", "28.07"),   # "BSA@CuS nanoparticles exhibited a conversion efficiency of 28.07%"
    ("huangs2021b", "50.3"),   # "CPDA-131I ... photothermal conversion efficiency of 50.3%"
    ("zhangx2022", "24.25"),   # "131I-HSA-ICG ... photothermal conversion efficiency was 24.25%"
])
def test_photothermal_conversion_efficiencies(asserted: Graph, study: str, pce: str) -> None:
    values = [v for v, _, _ in _measurements(asserted, study, ATC.PhotothermalConversionEfficiency)]
    assert values == [Decimal(pce)]


@pytest.mark.parametrize(("study", "kind", "value", "spread"), [
    ("hanx2020", ATC.ParticleSize, "368.02", "8.90"),       # BSA-DOX-MONPs 368.02 ± 8.90 nm
    ("hanx2020", ATC.ZetaPotential, "-22.11", "0.96"),      # -22.11 ± 0.96 mV
    ("hanx2020", ATC.DrugLoading, "47.02", None),           # drug loading efficiency of 47.02%
    ("maranof2016", ATC.ParticleSize, "356.2", "15.1"),     # nanobubbles 356.2 ± 15.1 nm
    ("maranof2016", ATC.ZetaPotential, "30.4", "2.85"),     # 30.4 ± 2.85 mV
    ("gigliotticl2017", ATC.ParticleSize, "350", None),     # CN-CPT 350 nm
    ("gigliotticl2017", ATC.ZetaPotential, "-27.4", None),  # -27.4 mV
    ("xiongl2021", ATC.DrugLoading, "6.81", None),          # loading 6.81%
    ("xiongl2021", ATC.EntrapmentEfficiency, "40.84", None),  # entrapment 40.84%
    ("maroofh2018", ATC.ParticleSize, "135.3", "10.80"),    # miR-34b NPs 135.3 ± 10.80 nm
    ("maroofh2018", ATC.ZetaPotential, "39.16", "0.451"),   # 39.16 ± 0.451 mV
    ("maroofh2018", ATC.EntrapmentEfficiency, "96.9", "2.18"),  # 96.9 ± 2.18%
    ("huangs2021b", ATC.RadiolabellingEfficiency, "88.39", "5.17"),  # labelling rate 88.39 ± 5.17%
    ("wangc2020", ATC.MedianSurvival, "27.5", None),        # median survival 27.5 days
])
def test_pinned_figures(asserted: Graph, study: str, kind: URIRef, value: str, spread: str | None) -> None:
    found = [(v, s) for v, s, _ in _measurements(asserted, study, kind)]
    assert (Decimal(value), Decimal(spread) if spread else None) in found, found


def test_ic50_of_the_17aag_torin2_ratios(asserted: Graph) -> None:
    """'the IC50 of FRO cells was 0.33 and 0.26 μM' at 17-AAG:Torin2 ratios 1:1 and 2:1."""
    values = [v for v, _, _ in _measurements(asserted, "wangc2020", ATC.HalfMaximalInhibitoryConcentration)]
    assert sorted(values) == [Decimal("0.26"), Decimal("0.33")]


# ------------------------------------------------------------------------------ disagreements

@pytest.mark.parametrize(("study", "note_class", "table", "text"), [
    ("wangc2020", ATC.CitationNumberMismatch, 81, 80),   # Table 1 row 19 cites [81]; text cites [80]
    ("wangq2020", ATC.CitationNumberMismatch, 99, 98),   # Table 1 row 27 cites [99]; text cites [98]
])
def test_citation_disagreements_are_recorded(asserted: Graph, study: str, note_class: URIRef,
                                             table: int, text: int) -> None:
    s = ATCD[f"study-{study}"]
    row = asserted.value(s, ATC.hasTable1Row)
    assert int(asserted.value(row, ATC.citedReferenceNumber)) == table
    assert int(asserted.value(asserted.value(s, ATC.reportedIn), ATC.reviewCitationNumber)) == text
    assert any((n, RDF.type, note_class) in asserted for n in asserted.objects(s, ATC.hasCurationNote))


@pytest.mark.parametrize(("study", "section", "table_group"), [
    ("maroofh2018", ATC.GeneDelivery, ATC.CoDelivery),            # miR-34b liposomes
    ("wangy2018", ATC.CoDelivery, ATC.PhotothermalTherapyStrategy),  # C-HPNs with LIFU
])
def test_row_placement_disagreements_are_recorded(asserted: Graph, study: str, section: URIRef,
                                                  table_group: URIRef) -> None:
    s = ATCD[f"study-{study}"]
    assert asserted.value(s, ATC.inStrategySection) == section
    assert asserted.value(asserted.value(s, ATC.hasTable1Row), ATC.tableStrategy) == table_group
    assert any((n, RDF.type, ATC.TableRowPlacementMismatch) in asserted
               for n in asserted.objects(s, ATC.hasCurationNote))


def test_only_these_rows_disagree(asserted: Graph) -> None:
    """Everywhere else the table's group equals the section and its number equals the text's."""
    placement, citation = set(), set()
    for s in _studies(asserted):
        row = asserted.value(s, ATC.hasTable1Row)
        if asserted.value(row, ATC.tableStrategy) != asserted.value(s, ATC.inStrategySection):
            placement.add(str(s).rsplit("-", 1)[-1])
        pub = asserted.value(s, ATC.reportedIn)
        if asserted.value(row, ATC.citedReferenceNumber) != asserted.value(pub, ATC.reviewCitationNumber):
            citation.add(str(s).rsplit("-", 1)[-1])
    assert placement == {"maroofh2018", "wangy2018"}
    assert citation == {"wangc2020", "wangq2020"}


# ------------------------------------------------------------------------------ inference

def test_ligand_targets_are_inferred(inferred: Graph) -> None:
    """The anti-VEGFR2 antibody binds VEGFR2, so the study has VEGFR2 as a molecular target."""
    s = ATCD["study-zhangr2019"]
    assert (s, ATC.targetsViaLigand, ATCD["target-vegfr2"]) in inferred
    assert (s, ATC.hasMolecularTarget, ATCD["target-vegfr2"]) in inferred
    assert (ATCD["target-vegfr2"], ATC.isTargetedBy, s) in inferred


def test_payload_mechanisms_are_inferred(inferred: Graph) -> None:
    assert (ATCD["study-liuy2016"], ATC.silencesTarget, ATCD["target-braf"]) in inferred    # siBRAF
    assert (ATCD["study-lombardoge2018"], ATC.silencesTarget, ATCD["target-tert"]) in inferred  # siTERT
    assert (ATCD["study-liq2023"], ATC.expressesTarget, ATCD["target-nis"]) in inferred     # NIS mRNA
    assert (ATCD["study-wangc2020"], ATC.inhibitsTarget, ATCD["target-mtor"]) in inferred   # Torin 2
    assert (ATCD["study-huangs2021a"], ATC.reactivatesTarget, ATCD["target-tp53"]) in inferred  # PRIMA-1


def test_only_the_aro_study_rests_on_a_misidentified_line(inferred: Graph) -> None:
    """ARO is HT-29 colon cancer (problematic_cell_lines.tsv); Celano 2004 [35] used ARO cells."""
    flagged = set(inferred.subjects(RDF.type, ATC.StudyUsingMisidentifiedCellLine))
    assert flagged == {ATCD["study-celanom2004"]}


def test_evidence_settings_are_inferred_from_models(inferred: Graph) -> None:
    in_vivo = set(inferred.subjects(RDF.type, ATC.InVivoStudy))
    in_vitro = set(inferred.subjects(RDF.type, ATC.InVitroStudy))
    assert ATCD["study-maranof2017"] in in_vivo    # "xenograft mouse model"
    assert ATCD["study-celanom2004"] in in_vitro and ATCD["study-celanom2004"] not in in_vivo  # ARO cells only
    assert len(in_vivo | in_vitro) == 27
